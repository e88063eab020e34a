"""The audit log is the audit administrator's alone (三员分立)."""

from . import METHOD, OK, REDIRECT, Row, expect, only

AUDITOR = only(OK, "audit_admin")

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
]
