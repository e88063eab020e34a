from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhengban.supervision"
    verbose_name = "督查督办"

    def ready(self) -> None:
        from zhengban.cases.casetypes import register_case_type

        from .casetype import SUPERVISION

        register_case_type(SUPERVISION)
        from zhengban.cases.reminders import register_sweep

        from .services import supervision_tick

        register_sweep("督办报告提醒", supervision_tick)
