from django.apps import AppConfig


class InstructionsConfig(AppConfig):
    name = "zhengban.instructions"
    verbose_name = "领导批示"

    def ready(self) -> None:
        from .panel import register

        register()
