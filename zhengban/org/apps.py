from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "zhengban.org"
    verbose_name = "机构编制"
