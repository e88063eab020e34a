from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "zhengban.documents"
    verbose_name = "公文"

    def ready(self) -> None:
        from zhengban.cases.casetypes import register_case_type

        from .incoming import INCOMING
        from .outgoing import OUTGOING

        register_case_type(INCOMING)
        register_case_type(OUTGOING)
