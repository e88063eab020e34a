"""Test data for the audit app: users of each role, chains, and the tampering a person with
direct database access could do."""

import itertools

from django.db import connection
from django.utils import timezone

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.audit.chain import HASHED_FIELDS, record_hash
from zhengban.audit.models import AuditRecord
from zhengban.audit.services import audit_record

_numbers = itertools.count(1)


def make_user(*roles: str, username: str = "", display_name: str = ""):
    username = username or f"user{next(_numbers)}"
    return user_create(
        username=username,
        password="Zhengban-Test-2026",
        display_name=display_name,
        roles=tuple(roles),
        validate_password=False,
    )


def make_audit_admin(**kwargs):
    return make_user(Role.AUDIT_ADMIN, **kwargs)


def make_chain(count: int, *, action: str = "test.event", actor=None) -> list[AuditRecord]:
    return [
        audit_record(actor=actor, action=action, summary=f"第{index}条测试记录")
        for index in range(1, count + 1)
    ]


def seqs() -> list[int]:
    return list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))


# --- tampering, as someone with write access to the database would do it ----------------


def tamper_edit(seq: int, summary: str = "篡改后的摘要") -> None:
    AuditRecord.objects.filter(seq=seq).update(summary=summary)


def tamper_delete(seq: int) -> None:
    # The ORM refuses to delete audit records; SQL does not.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditRecord._meta.db_table} WHERE seq = %s", [seq])


def tamper_swap(a: int, b: int) -> None:
    parking = 10**12
    AuditRecord.objects.filter(seq=a).update(seq=parking)
    AuditRecord.objects.filter(seq=b).update(seq=a)
    AuditRecord.objects.filter(seq=parking).update(seq=b)


def _forge(seq: int, prev_hash: str, summary: str) -> AuditRecord:
    values = {
        "seq": seq,
        "time": timezone.now(),
        "actor_id": None,
        "actor_name": "伪造者",
        "on_behalf_of_name": "",
        "action": "accounts.login",
        "object_type": "",
        "object_id": "",
        "object_repr": "",
        "summary": summary,
        "changes": {},
        "client_address": "10.0.0.66",
        "request_id": "",
    }
    return AuditRecord.objects.create(
        prev_hash=prev_hash, hash=record_hash(prev_hash, values), **values
    )


def tamper_insert(seq: int, summary: str = "伪造的记录") -> AuditRecord:
    """Slip a forged record in at `seq`, renumbering the later ones to make room; the
    forged record links to its predecessor and carries a correct hash of its own."""
    for later in (
        AuditRecord.objects.filter(seq__gte=seq).order_by("-seq").values_list("seq", flat=True)
    ):
        AuditRecord.objects.filter(seq=later).update(seq=later + 1)
    prev_hash = AuditRecord.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    return _forge(seq, prev_hash, summary)


def tamper_rewrite(seq: int, summary: str = "改写并重算哈希") -> None:
    """Edit a record and recompute its own hash, leaving the rest of the chain alone."""
    record = AuditRecord.objects.get(seq=seq)
    record.summary = summary
    values = {name: getattr(record, name) for name in HASHED_FIELDS}
    AuditRecord.objects.filter(seq=seq).update(
        summary=summary, hash=record_hash(record.prev_hash, values)
    )


def tamper_append_beyond_head() -> AuditRecord:
    last = AuditRecord.objects.order_by("-seq").first()
    return _forge(last.seq + 1, last.hash, "链头之后的伪造记录")
