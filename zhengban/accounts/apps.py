from django.apps import AppConfig, apps


class AccountsConfig(AppConfig):
    name = "zhengban.accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from zhengban.security.keys import register_retagger

        from . import integrity

        # `zhengban security rotate-digest-key` re-tags grants and clearances.
        register_retagger("accounts", integrity.retag)
        if not apps.is_installed("zhengban.cases"):
            return
        from zhengban.cases.reminders import register_sweep

        from . import services

        # `zhengban tick`, daily: dormant accounts disabled, access-control tags checked.
        register_sweep("长期未登录账号停用", services.accounts_disable_dormant)
        register_sweep("权限数据完整性校验", integrity.daily_check)
