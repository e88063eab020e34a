"""Appending to the audit chain. Called inside the caller's transaction, so an action and
its audit record commit or roll back together.

If the record cannot be written (a database error, a record found beyond the chain head)
`audit_record` raises `AuditWriteFailed` and alerts the security and audit administrators
(`alerts`): the caller's transaction must roll back, so no business write happens without
its audit record (等保 2.0 8.1.4.3 d: audit cannot be bypassed). The security middleware
answers the request 503. A head that no longer matches the last record (the tip edited or
removed) is alerted too, but the append goes on: the damage is in the past, the verifier
names it, and stopping every write would not undo it.

Appenders serialize on the chain head row (SELECT … FOR UPDATE on PostgreSQL, the write
lock on SQLite), which is held until the caller's transaction ends: call `audit_record`
as the last write of a service, so the lock is short and always taken after the
service's own row locks (never before them, which could deadlock).
"""

import logging
from functools import cache

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, normalize_changes, record_hash
from .context import current_request_info
from .models import AuditChainHead, AuditRecord

HEAD_PK = 1

logger = logging.getLogger(__name__)


class AuditWriteFailed(DatabaseError):
    """An audit record could not be written; the action that needed it must not happen."""


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    summary: str = "",
    changes: dict | None = None,
    actor_name: str = "",
    on_behalf_of=None,
) -> AuditRecord:
    """Append one record. `actor` is a user or None (anonymous, system); `target` any model
    instance the action concerns; `changes` any JSON-serializable dict (dates allowed)."""
    info = current_request_info()
    values = {
        "time": timezone.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_name": (actor_name or (str(actor) if actor is not None else "系统"))[:150],
        "on_behalf_of_name": str(on_behalf_of)[:150] if on_behalf_of is not None else "",
        "action": action,
        "object_type": target._meta.label_lower if target is not None else "",
        "object_id": str(target.pk)[:64] if target is not None and target.pk is not None else "",
        "object_repr": str(target)[:200] if target is not None else "",
        "summary": summary,
        "changes": normalize_changes(changes),
        "client_address": info.client_address if info else "",
        "request_id": info.request_id if info else "",
    }
    try:
        # No savepoint: a failed append must fail the caller's whole transaction anyway.
        with transaction.atomic(savepoint=False):
            head = _lock_head(values)
            return _append(head, values)
    except DatabaseError as error:
        if isinstance(error, AuditWriteFailed):
            raise
        _write_failed(error, values)
        raise AuditWriteFailed(f"audit record {action!r} could not be written: {error}") from error


def _write_failed(error: Exception, values: dict) -> None:
    from .alerts import raise_alert
    from .events import label

    name = type(error).__name__
    raise_alert(
        "write_failed",
        f"审计记录无法写入，操作“{label(values['action'])}”（{values['action']}）未执行"
        f"（数据库错误 {name}：{str(error)[:200]}）",
        key=name,
        detail={
            "error": name,
            "text": str(error)[:500],
            "action": values["action"],
            "actor": values["actor_name"],
            "object": f"{values['object_type']}:{values['object_id']}",
            "request_id": values["request_id"],
        },
    )


def audit_read(*, actor, target, summary: str = "") -> AuditRecord:
    """Record that `actor` opened or downloaded 内部 (or classified) content `target`."""
    return audit_record(actor=actor, action="audit.read", target=target, summary=summary)


def audit_denied(*, actor, action: str, target=None, summary: str = "") -> AuditRecord:
    """Record that a policy refused `actor` the attempted `action` (e.g. "cases.assign").

    Call it where the refusal is decided (view or policy check), not inside a transaction
    that is about to roll back: the record would roll back with it.
    """
    anonymous = not getattr(actor, "is_authenticated", False)
    return audit_record(
        actor=None if anonymous else actor,
        actor_name="匿名用户" if anonymous else "",
        action="audit.denied",
        target=target,
        summary=summary,
        changes={"attempted": action},
    )


def _append(head: AuditChainHead, values: dict) -> AuditRecord:
    values["seq"] = head.last_seq + 1
    digest = record_hash(head.last_hash, values)
    record = AuditRecord.objects.create(prev_hash=head.last_hash, hash=digest, **values)
    with connection.cursor() as cursor:
        cursor.execute(_sql()["move_head"], [values["seq"], digest, HEAD_PK])
    head.last_seq, head.last_hash = values["seq"], digest
    return record


@cache
def _sql() -> dict[str, str]:
    # The head is read and moved with plain SQL: audit_record runs inside every write of
    # the system, and these two statements cost a fraction of their ORM equivalents.
    quote = connection.ops.quote_name
    table = quote(AuditChainHead._meta.db_table)
    pk = quote(AuditChainHead._meta.pk.column)
    records = quote(AuditRecord._meta.db_table)
    seq = quote(AuditRecord._meta.get_field("seq").column)
    digest = quote(AuditRecord._meta.get_field("hash").column)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return {
        "lock_head": f"SELECT last_seq, last_hash FROM {table} WHERE {pk} = %s{lock}",
        "tip": f"SELECT {seq}, {digest} FROM {records} WHERE {seq} >= %s ORDER BY {seq} LIMIT 2",
        "move_head": f"UPDATE {table} SET last_seq = %s, last_hash = %s WHERE {pk} = %s",
    }


def _check_tip(last_seq: int, last_hash: str, tip: list, values: dict) -> None:
    """The head must name the last record: alert when it does not (the append goes on)."""
    if last_seq == 0 and not tip:
        return
    if tip and tip[0] == (last_seq, last_hash) and len(tip) == 1:
        return
    from .alerts import raise_alert

    if any(seq > last_seq for seq, _hash in tip):
        detail = f"链头为第 {last_seq} 条，其后存在未经审计链写入的记录"
    elif not tip or tip[0][0] != last_seq:
        detail = f"链头所指的第 {last_seq} 条记录缺失"
    else:
        detail = f"第 {last_seq} 条记录的哈希与链头保存的哈希不符"
    raise_alert(
        "chain_broken",
        f"写入审计记录时发现链头与链尾不符：{detail}",
        key=f"head:{last_seq}",
        detail={"head_seq": last_seq, "found": [seq for seq, _hash in tip], "writer": True},
    )
    if any(seq > last_seq for seq, _hash in tip):
        raise AuditWriteFailed(detail)


def _lock_head(values: dict) -> AuditChainHead:
    with connection.cursor() as cursor:
        cursor.execute(_sql()["lock_head"], [HEAD_PK])
        row = cursor.fetchone()
        if row is not None:
            cursor.execute(_sql()["tip"], [row[0]])
            _check_tip(row[0], row[1], cursor.fetchall(), values)
    if row is not None:
        return AuditChainHead(pk=HEAD_PK, last_seq=row[0], last_hash=row[1])
    # First append on an empty database, or the head row was removed. INSERT … ON CONFLICT
    # DO NOTHING lets concurrent first appenders race safely: one row wins, all then lock it.
    last = AuditRecord.objects.order_by("-seq").values_list("seq", "hash").first()
    last_seq, last_hash = last or (0, GENESIS_HASH)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=HEAD_PK, last_seq=last_seq, last_hash=last_hash)],
        ignore_conflicts=True,
    )
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    if last is not None and (head.last_seq, head.last_hash) == (last_seq, last_hash):
        # Records exist but the head was gone: say so in the chain, for the auditor.
        _append(
            head,
            {
                **values,
                "actor_id": None,
                "actor_name": "系统",
                "on_behalf_of_name": "",
                "action": "audit.head_restored",
                "object_type": "",
                "object_id": "",
                "object_repr": "",
                "summary": f"链头记录缺失，已按第 {last_seq} 条记录重建",
                "changes": {"last_seq": last_seq},
            },
        )
    return head
