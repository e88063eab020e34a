"""Retention of the audit chain (等保 2.0 安全审计; 网络安全法 art. 21(3): network logs are
kept no less than six months).

The application never deletes audit records: the model and its queryset refuse deletion,
and no command or view removes them. `AUDIT_RETENTION_DAYS` (at least 180) is the period
an operator must keep them before any archival step outside the application; removing the
oldest records also removes the start of the chain, so an archive keeps the removed range
together with the hash of its last record (the anchor `zhengban audit verify --anchor`
takes).
"""

from datetime import timedelta

from django.conf import settings
from django.core.checks import Error, register
from django.utils import timezone

MINIMUM_RETENTION_DAYS = 180


def retention_days() -> int:
    return getattr(settings, "AUDIT_RETENTION_DAYS", MINIMUM_RETENTION_DAYS)


def retention_cutoff():
    """Records newer than this must be kept."""
    return timezone.now() - timedelta(days=retention_days())


@register()
def check_retention(app_configs, **kwargs):
    days = retention_days()
    if not isinstance(days, int) or days < MINIMUM_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS must be an integer of at least {MINIMUM_RETENTION_DAYS} "
                f"(等保 2.0: audit records kept at least six months), got {days!r}.",
                id="audit.E001",
            )
        ]
    return []
