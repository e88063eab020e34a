"""Appending to the audit chain. Called inside the caller's transaction, so an action and
its audit record commit or roll back together."""

from datetime import UTC, datetime

from django.db import transaction

from .chain import GENESIS_HASH, record_hash
from .context import current_request_info
from .models import AuditChainHead, AuditRecord


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
    instance the action concerns."""
    info = current_request_info()
    values = {
        # Truncated to microseconds in UTC so the stored value hashes the same when re-read.
        "time": datetime.now(UTC),
        "actor_id": getattr(actor, "pk", None),
        "actor_name": actor_name or (str(actor) if actor is not None else "系统"),
        "on_behalf_of_name": str(on_behalf_of) if on_behalf_of is not None else "",
        "action": action,
        "object_type": target._meta.label_lower if target is not None else "",
        "object_id": str(target.pk) if target is not None and target.pk is not None else "",
        "object_repr": str(target)[:200] if target is not None else "",
        "summary": summary,
        "changes": changes or {},
        "client_address": info.client_address if info else "",
        "request_id": info.request_id if info else "",
    }
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditChainHead.objects.get_or_create(
                pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
            )
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        values["seq"] = head.last_seq + 1
        digest = record_hash(head.last_hash, values)
        record = AuditRecord.objects.create(prev_hash=head.last_hash, hash=digest, **values)
        AuditChainHead.objects.filter(pk=1).update(last_seq=values["seq"], last_hash=digest)
    return record
