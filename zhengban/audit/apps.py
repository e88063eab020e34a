from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhengban.audit"
    verbose_name = "审计"
