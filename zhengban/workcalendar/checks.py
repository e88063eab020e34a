"""Start-up check: every deadline override names a rule some app declared."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def rule_overrides_known(app_configs, **kwargs):
    from .deadlines import DECLARED_RULES

    overrides = getattr(settings, "WORKCALENDAR_RULE_OVERRIDES", None) or {}
    return [
        Error(f"WORKCALENDAR_RULE_OVERRIDES: unknown rule {code!r}", id="workcalendar.E001")
        for code in overrides
        if code not in DECLARED_RULES
    ]
