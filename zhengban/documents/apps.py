from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhengban.documents"
    verbose_name = "公文"
