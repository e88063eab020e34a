from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhengban.accounts"
    verbose_name = "用户与权限"
