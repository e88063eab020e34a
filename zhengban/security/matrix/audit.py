"""The audit log is the audit administrator's alone (三员分立); the alarms about the audit
function are the security and the audit administrator's."""

from . import METHOD, OK, REDIRECT, Row, expect, only

AUDITOR = only(OK, "audit_admin")
ALERTED = ("security_admin", "audit_admin")


def _alert(world) -> int:
    """An open audit alert of the test office, made on first use."""
    from zhengban.audit.models import AuditAlert

    if getattr(world, "audit_alert", None) is None:
        from django.utils import timezone

        now = timezone.now()
        world.audit_alert = AuditAlert.objects.create(
            kind="write_failed",
            key="matrix",
            message="审计记录无法写入",
            first_seen=now,
            last_seen=now,
        )
    return world.audit_alert.pk


ROWS = [
    Row("audit:log", lambda w: "/audit/", get=AUDITOR),
    Row("audit:detail", lambda w: f"/audit/{w.audit_seq}/", get=AUDITOR),
    Row("audit:export", lambda w: "/audit/export/", get=AUDITOR),
    Row(
        "audit:verify",
        lambda w: "/audit/verify/",
        get=expect(METHOD),
        unsafe=only(REDIRECT, "audit_admin"),
    ),
    Row("audit:alerts", lambda w: "/audit/alerts/", get=only(OK, *ALERTED)),
    Row(
        "audit:alert_acknowledge",
        lambda w: f"/audit/alerts/{_alert(w)}/acknowledge/",
        get=expect(METHOD),
        unsafe=only(REDIRECT, *ALERTED),
    ),
]
