from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "zhengban.security"
    verbose_name = "安全"
