"""How full the audit storage is, against the configured limits (`zhengban audit check`).

The security policy (the security administrator's 安全策略 page; until first saved, settings'
`AUDIT_STORAGE_MAX_ROWS` (0: no limit), `AUDIT_STORAGE_MAX_BYTES` (default 10 GiB; 0: no
limit) and `AUDIT_STORAGE_WARN_PERCENT` (default 80)) bounds the audit records; at the
warning share of either limit the security and audit administrators are alerted, so storage
is added or records archived (see `retention`) before a full disk stops every write: an audit
record that cannot be written refuses the action that needed it.

The size is that of the audit table with its indexes on PostgreSQL, of the whole database
file on SQLite (one file: it is what fills the disk).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import AlertKind, AuditAlert, AuditChainHead, AuditRecord

GIB = 1024**3


@dataclass(frozen=True)
class Usage:
    what: str  # "rows" or "bytes"
    used: int
    limit: int  # 0: none
    warn_percent: int

    @property
    def percent(self) -> float:
        return 100.0 * self.used / self.limit if self.limit else 0.0

    @property
    def nearing(self) -> bool:
        return bool(self.limit) and self.percent >= self.warn_percent

    def message(self) -> str:
        if self.what == "rows":
            return (
                f"审计记录已有 {self.used:,} 条，达到上限 {self.limit:,} 条的 "
                f"{self.percent:.0f}%（告警阈值 {self.warn_percent}%）"
            )
        return (
            f"审计存储已用 {self.used / GIB:.2f} GiB，达到上限 {self.limit / GIB:.2f} GiB 的 "
            f"{self.percent:.0f}%（告警阈值 {self.warn_percent}%）"
        )


def row_count() -> int:
    """The head's sequence number: the number of records written (one indexed read)."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
    if head is None:
        return AuditRecord.objects.count()
    return head


def size_bytes() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size(%s)", [AuditRecord._meta.db_table])
            return int(cursor.fetchone()[0] or 0)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            return int(pages) * int(cursor.fetchone()[0])
    return 0


def usage() -> list[Usage]:
    from zhengban.accounts.selectors import security_policy

    policy = security_policy()
    warn = min(policy.audit_warn_percent, 100) or 80
    # The page sets whole MiB; until it is first saved, the setting's bytes stand as given.
    if policy._state.adding:
        max_bytes = max(settings.AUDIT_STORAGE_MAX_BYTES, 0)
    else:
        max_bytes = policy.audit_max_mib * 1024**2
    return [
        Usage("rows", row_count(), policy.audit_max_rows, warn),
        Usage("bytes", size_bytes(), max_bytes, warn),
    ]


def check_storage() -> list[Usage]:
    """Alert each limit the storage is nearing; returns those."""
    from .alerts import raise_alert

    nearing = [item for item in usage() if item.nearing]
    for item in nearing:
        # One alert per 5 % band: acknowledged, it comes back when the next band is reached
        # (or a day later), not at every run of the check.
        key = f"{item.what}:{min(int(item.percent) // 5 * 5, 100)}"
        recently = AuditAlert.objects.filter(
            kind=AlertKind.STORAGE,
            key=key,
            acknowledged_at__gte=timezone.now() - timedelta(days=1),
        )
        if recently.exists():
            continue
        raise_alert(
            "storage",
            item.message(),
            key=key,
            detail={"used": item.used, "limit": item.limit, "percent": round(item.percent, 1)},
        )
    return nearing
