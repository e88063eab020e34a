from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhengban.cases"
    verbose_name = "事项办理"
