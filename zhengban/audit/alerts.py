"""Alarms about the audit function itself (等保 2.0 8.1.4.3 d: the audit process is protected
from interruption, and its failures are alarmed).

These causes raise an alert for the security administrator and the audit administrator:

- an audit record could not be written (a database error in the audit write path, a record
  beyond the chain head) — the business write that needed it is refused as well;
- the chain is broken (found by `zhengban audit verify`, `zhengban audit check`, the
  audit page's "立即校验", or by the writer when the head no longer matches the last record);
- the audit storage is nearing its configured limit (`zhengban audit check`);
- a role grant or a clearance fails its integrity tag (`accounts.integrity`: where it is read
  for a decision, by `zhengban security verify-grants` and by the daily `zhengban tick`).

Each alert is logged at CRITICAL first (the log survives when the database does not), then
appended to a spool file and imported into `AuditAlert` as soon as a database transaction
can take it: at once when none is open, else at the end of the request (the failing
transaction has rolled back by then) or by the next `zhengban audit check`. The spool also
keeps alerts raised while the database itself is down.

An open alert is a banner on every page of the two administrators (audit middleware), a bell
notification to each, and a row on /audit/alerts/ until acknowledged (`audit.alert_ack`).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zhengban.accounts.choices import Role

from .models import AlertKind, AuditAlert

logger = logging.getLogger("zhengban.audit.alerts")

ALERTED_ROLES = (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)

# Set when this request (or command) spooled an alert that still waits for import.
_pending: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "audit_alert_pending", default=False
)


def spool_path() -> Path:
    configured = getattr(settings, "AUDIT_ALERT_SPOOL", None)
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "audit" / "alerts.spool"


def raise_alert(kind: str, message: str, *, key: str = "", detail: dict | None = None) -> None:
    """Log at CRITICAL and record an alert; never raises (it runs on failure paths)."""
    kind = AlertKind(kind)
    logger.critical("audit alert [%s] %s %s", kind.value, message, detail or "")
    entry = {
        "kind": kind.value,
        "key": key[:120],
        "message": message,
        "detail": detail or {},
        "time": timezone.now().isoformat(),
    }
    try:
        _spool([entry])
    except OSError:
        logger.critical("audit alert could not be spooled to %s", spool_path(), exc_info=True)
        _when_possible(lambda: _store([entry]))  # nothing on disk: the database or nothing
        return
    _pending.set(True)
    _when_possible(import_spool)


def _when_possible(store) -> None:
    """Store now outside a transaction, after commit inside a healthy one; a transaction that
    failed leaves the spool to the end of the request or the next `zhengban audit check`."""
    try:
        if not connection.in_atomic_block:
            store()
        elif not connection.needs_rollback:
            transaction.on_commit(store)
    except DatabaseError:
        logger.critical("audit alert could not be stored yet", exc_info=True)


def alert_pending() -> bool:
    return _pending.get()


def _spool(entries: list[dict]) -> None:
    path = spool_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in entries)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(descriptor, data.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def import_spool(*, stale: bool = False) -> int:
    """Move spooled alerts into the database; returns how many were imported.

    The spool is renamed before reading, so concurrent importers never take one line twice;
    if storing fails the lines go back to the spool. `stale` also takes files left by an
    importer that died between rename and delete (`zhengban audit check` does).
    """
    path = spool_path()
    sources = []
    if stale and path.parent.exists():
        sources.extend(sorted(path.parent.glob(path.name + ".*.importing")))
    if path.exists():
        claimed = path.with_name(f"{path.name}.{secrets.token_hex(4)}.importing")
        try:
            os.rename(path, claimed)
            sources.append(claimed)
        except FileNotFoundError:
            pass  # another importer took it
    imported = 0
    for source in sources:
        entries = []
        try:
            text = source.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        for line in text.splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                logger.error("unreadable line in the audit alert spool: %r", line[:200])
        try:
            _store(entries)
        except DatabaseError:
            logger.critical("spooled audit alerts could not be stored yet", exc_info=True)
            _spool(entries)
            source.unlink(missing_ok=True)
            return imported
        source.unlink(missing_ok=True)
        imported += len(entries)
    _pending.set(False)
    return imported


def _store(entries: list[dict]) -> None:
    """One transaction (a savepoint inside an open one) for all entries: an open alert of
    the same cause counts the repeat, another cause opens an alert and rings the bell."""
    with transaction.atomic():
        for entry in entries:
            when = parse_datetime(str(entry.get("time", ""))) or timezone.now()
            try:
                kind = AlertKind(entry.get("kind"))
            except ValueError:
                continue
            fields = {"kind": kind, "key": str(entry.get("key", ""))[:120]}
            for attempt in range(2):
                try:
                    with transaction.atomic():
                        _store_one(fields, entry, when)
                    break
                except IntegrityError:
                    if attempt:  # a concurrent importer opened it twice over: give up
                        raise


def _store_one(fields: dict, entry: dict, when) -> None:
    alert = (
        AuditAlert.objects.select_for_update()
        .filter(acknowledged_at__isnull=True, **fields)
        .first()
    )
    message = str(entry.get("message", ""))
    detail = entry.get("detail") if isinstance(entry.get("detail"), dict) else {}
    if alert is not None:
        alert.occurrences += 1
        alert.last_seen = max(alert.last_seen, when)
        alert.message, alert.detail = message, detail
        alert.save(update_fields=["occurrences", "last_seen", "message", "detail"])
        return
    alert = AuditAlert.objects.create(
        message=message, detail=detail, first_seen=when, last_seen=when, **fields
    )
    _ring(alert)


def alerted_users():
    """The enabled security and audit administrators, by grants whose integrity tag verifies
    (a grant inserted behind the application's back receives no alert)."""
    from zhengban.accounts.integrity import verified_roles
    from zhengban.accounts.models import RoleGrant, User

    rows = RoleGrant.objects.filter(role__in=ALERTED_ROLES, user__is_active=True).values_list(
        "pk", "user_id", "role", "tag"
    )
    ids = {user_id for pk, user_id, role, tag in rows if verified_roles(user_id, [(pk, role, tag)])}
    return User.objects.filter(pk__in=ids)


def _ring(alert: AuditAlert) -> None:
    """The bell for each administrator (the cases app's notifications, when installed)."""
    if not apps.is_installed("zhengban.cases"):
        return
    from zhengban.cases.notifications import notify

    notify(
        list(alerted_users()),
        kind="audit_alert",
        message=f"【{alert.get_kind_display()}】{alert.message}",
        dedupe_key=f"audit-alert-{alert.pk}",
    )


def _silence(alert: AuditAlert) -> None:
    """Acknowledged, the alert's bell is read for both administrators."""
    if not apps.is_installed("zhengban.cases"):
        return
    from zhengban.cases.models import Notification

    Notification.objects.filter(dedupe_key=f"audit-alert-{alert.pk}", read_at__isnull=True).update(
        read_at=alert.acknowledged_at
    )


# --- reading and acknowledging --------------------------------------------------------------


def may_see_alerts(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*ALERTED_ROLES)


def open_alerts():
    return AuditAlert.objects.filter(acknowledged_at__isnull=True)


def acknowledge(alert_id: int, *, actor, note: str = "") -> AuditAlert | None:
    """Mark an open alert acknowledged, audited; None when it was acknowledged already.

    The audit record is part of the acknowledgement: while audit records cannot be written,
    no alert can be acknowledged either."""
    from .services import audit_record

    with transaction.atomic():
        alert = AuditAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise AuditAlert.DoesNotExist
        if alert.acknowledged_at is not None:
            return None
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor
        alert.acknowledgement = note
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement"])
        _silence(alert)
        audit_record(
            actor=actor,
            action="audit.alert_ack",
            target=alert,
            summary=note,
            changes={
                "alert": alert.pk,
                "kind": alert.kind,
                "occurrences": alert.occurrences,
                "message": alert.message[:200],
            },
        )
    return alert


def chain_broken(result) -> None:
    """Alert a verification that found the chain broken (the verifier's VerifyResult)."""
    problem = result.problem
    raise_alert(
        "chain_broken",
        str(result.message()),
        key=f"{problem.kind.value}:{problem.seq}",
        detail=result.as_dict(),
    )
