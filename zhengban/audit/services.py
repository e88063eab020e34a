"""Appending to the audit chain. Called inside the caller's transaction, so an action and
its audit record commit or roll back together.

Appenders serialize on the chain head row (SELECT … FOR UPDATE on PostgreSQL, the write
lock on SQLite), which is held until the caller's transaction ends: call `audit_record`
as the last write of a service, so the lock is short and always taken after the
service's own row locks (never before them, which could deadlock).
"""

from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, normalize_changes, record_hash
from .context import current_request_info
from .models import AuditChainHead, AuditRecord

HEAD_PK = 1


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
    # No savepoint: a failed append must fail the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False):
        head = _lock_head(values)
        return _append(head, values)


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
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return {
        "lock_head": f"SELECT last_seq, last_hash FROM {table} WHERE {pk} = %s{lock}",
        "move_head": f"UPDATE {table} SET last_seq = %s, last_hash = %s WHERE {pk} = %s",
    }


def _lock_head(values: dict) -> AuditChainHead:
    with connection.cursor() as cursor:
        cursor.execute(_sql()["lock_head"], [HEAD_PK])
        row = cursor.fetchone()
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
