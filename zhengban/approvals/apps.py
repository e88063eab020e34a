from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "zhengban.approvals"
    verbose_name = "签报"

    def ready(self) -> None:
        from zhengban.cases.casetypes import register_case_type

        from . import events  # noqa: F401 - registers the audit event codes
        from .casetype import APPROVAL

        register_case_type(APPROVAL)
