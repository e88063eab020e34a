from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "zhengban.workcalendar"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the start-up check
