from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AuditConfig(AppConfig):
    name = "zhengban.audit"
    verbose_name = "审计"

    def ready(self):
        from . import retention  # noqa: F401  (registers the retention system check)

        # Every app's events.py registers its event codes with zhengban.audit.events.
        autodiscover_modules("events")
