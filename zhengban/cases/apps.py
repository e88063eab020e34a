from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhengban.cases"
    verbose_name = "事项办理"

    def ready(self) -> None:
        # Registering validates each workflow definition, so a broken one stops start-up.
        from zhengban.workcalendar.services import register_change_listener

        from . import workflows  # noqa: F401
        from .deadlines import calendar_changed

        register_change_listener(calendar_changed)
