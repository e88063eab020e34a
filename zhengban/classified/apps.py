from django.apps import AppConfig


class ClassifiedConfig(AppConfig):
    name = "zhengban.classified"
    verbose_name = "涉密文件登记"

    def ready(self) -> None:
        from zhengban.accounts.choices import register_role

        from .policies import CONFIDENTIAL_CLERK, CONFIDENTIAL_CLERK_LABEL

        register_role(CONFIDENTIAL_CLERK, CONFIDENTIAL_CLERK_LABEL)
