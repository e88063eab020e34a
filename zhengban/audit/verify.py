"""Verification of the audit chain: recompute every SM3 hash, follow every link.

Streams the table in seq order in batches (keyset pagination), so memory stays constant
whatever the chain length. Reads only; the caller decides whether to record the result.
"""

import time
from dataclasses import dataclass, field
from hashlib import new as sm3

from django.db import connection
from django.utils.translation import gettext as _

from .chain import GENESIS_HASH, HASHED_FIELDS, canonical_changes, canonical_text, iso_time
from .choices import ProblemKind
from .models import AuditChainHead, AuditRecord

BATCH_SIZE = 5000
_COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")


@dataclass(frozen=True)
class Problem:
    """The first broken place in the chain."""

    seq: int
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return _("第 %(seq)d 条：%(kind)s（%(detail)s）") % {
            "seq": self.seq,
            "kind": self.kind.label,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class VerifyResult:
    checked: int  # records whose hash and link were confirmed
    last_seq: int  # the chain is intact from seq 1 up to here
    last_hash: str
    head_seq: int
    problem: Problem | None = None
    elapsed: float = field(default=0.0, compare=False)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def rate(self) -> float:
        return self.checked / self.elapsed if self.elapsed > 0 else 0.0

    def message(self) -> str:
        if self.ok:
            return _("审计链完整：共 %(n)d 条记录，链头第 %(seq)d 条，哈希 %(hash)s") % {
                "n": self.checked,
                "seq": self.last_seq,
                "hash": self.last_hash,
            }
        return _("审计链校验未通过：%(problem)s；此前 %(n)d 条完好") % {
            "problem": self.problem,
            "n": self.checked,
        }

    def as_dict(self) -> dict:
        """The result in JSON form, as stored in an audit.verify record."""
        data = {
            "ok": self.ok,
            "checked": self.checked,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "head_seq": self.head_seq,
            "elapsed": round(self.elapsed, 3),
        }
        if self.problem is not None:
            data["problem"] = {
                "seq": self.problem.seq,
                "kind": self.problem.kind.value,
                "detail": self.problem.detail,
            }
        return data


def verify_chain(*, batch_size: int = BATCH_SIZE, anchors: dict[int, str] | None = None):
    """Walk the chain and return a VerifyResult naming the first broken record, if any.

    `anchors` maps seq -> hash noted outside the database (e.g. printed by an earlier run):
    a chain rewritten and re-hashed from some point on passes every internal check but no
    longer matches an anchor kept elsewhere. An anchor just before the first stored record
    is where verification starts once older records have been archived away.
    """
    started = time.perf_counter()
    anchors = anchors or {}
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    if head is None:
        # No head row: walk whatever records exist, then report the missing head.
        head_seq = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        head_hash = None
    else:
        head_seq, head_hash = head

    prev_seq, prev_hash, prev_prev_hash = 0, GENESIS_HASH, None
    checked = 0

    def result(problem=None):
        return VerifyResult(
            checked=checked,
            last_seq=prev_seq,
            last_hash=prev_hash,
            head_seq=head_seq,
            problem=problem,
            elapsed=time.perf_counter() - started,
        )

    # Only rows up to the head read above: later rows belong to appends that committed
    # after it (record and head move in one transaction), checked at the end.
    for batch in _batches(head_seq, batch_size):
        for row in batch:
            seq = row[0]
            stored_prev, stored_hash = row[13], row[14]
            if prev_seq == 0 and seq - 1 in anchors:
                # Records before an anchor were archived away: start from the anchor.
                prev_seq, prev_hash = seq - 1, anchors[seq - 1]
            if seq != prev_seq + 1:
                return result(_gap_problem(seq, prev_seq))
            try:
                text = canonical_text(
                    seq,
                    iso_time(row[1]),
                    *row[2:10],
                    canonical_changes(row[10]),
                    row[11],
                    row[12],
                )
                own_ok = sm3("sm3", (stored_prev + text).encode()).hexdigest() == stored_hash
            except (TypeError, ValueError):
                own_ok = False  # a column no longer holds a value of its type
            if stored_prev != prev_hash:
                if checked == 0:
                    return result(_start_problem(seq, prev_seq))
                return result(_link_problem(seq, own_ok, stored_prev, prev_seq, prev_prev_hash))
            if not own_ok:
                return result(
                    Problem(seq, ProblemKind.TAMPERED, _("按记录内容重算的 SM3 哈希与存储值不符"))
                )
            if anchors and seq in anchors and anchors[seq] != stored_hash:
                return result(
                    Problem(
                        seq,
                        ProblemKind.TAMPERED,
                        _("与外部保存的锚点哈希不符，此前的链已被改写并重算"),
                    )
                )
            prev_seq, prev_prev_hash, prev_hash = seq, prev_hash, stored_hash
            checked += 1

    if head_hash is None:
        if prev_seq == 0:
            return result()
        return result(
            Problem(prev_seq, ProblemKind.BROKEN_LINK, _("链头记录缺失，无法确认链尾是否完整"))
        )
    if prev_seq < head_seq:
        return result(
            Problem(
                prev_seq + 1,
                ProblemKind.MISSING,
                _("链头为第 %(h)d 条，记录只到第 %(a)d 条") % {"h": head_seq, "a": prev_seq},
            )
        )
    if prev_hash != head_hash:
        return result(
            Problem(
                head_seq,
                ProblemKind.BROKEN_LINK,
                _("链尾记录的哈希与链头保存的哈希不符，链尾记录被改写或替换"),
            )
        )
    beyond = AuditRecord.objects.filter(seq__gt=head_seq).order_by("-seq")
    highest = beyond.values_list("seq", flat=True).first()
    if highest is not None:
        # Read the head again after the rows: a legitimate append is covered by it.
        now_head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first()
        if highest > (now_head or 0):
            first = (
                AuditRecord.objects.filter(seq__gt=now_head or 0)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            return result(
                Problem(
                    first,
                    ProblemKind.INSERTED,
                    _("记录位于链头（第 %(h)d 条）之后，未经审计链写入") % {"h": now_head or 0},
                )
            )
    return result()


def _batches(head_seq: int, batch_size: int):
    """Rows of the chain up to `head_seq` in seq order, `batch_size` at a time.

    Plain SQL rather than the ORM: this loop runs millions of times, and the verifier
    must see the stored text exactly as it is (see chain.iso_time, canonical_changes).
    """
    meta = AuditRecord._meta
    quote = connection.ops.quote_name
    columns = [quote(meta.get_field(name).column) for name in _COLUMNS]
    if connection.vendor == "sqlite":
        # The stored text itself, not Django's datetime converter (slow, and lenient).
        columns[1] = f"{columns[1]} || ''"
    columns = ", ".join(columns)
    seq_column = quote(meta.get_field("seq").column)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "
        f"WHERE {seq_column} > %s AND {seq_column} <= %s ORDER BY {seq_column} LIMIT %s"
    )
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, head_seq, batch_size])
            batch = cursor.fetchall()
            if not batch:
                return
            yield batch
            after = batch[-1][0]


def _gap_problem(seq: int, prev_seq: int) -> Problem:
    first = prev_seq + 1
    if prev_seq == 0:
        detail = _("链首应为第 1 条，实为第 %(c)d 条") % {"c": seq}
    else:
        detail = _("第 %(a)d 条之后应为第 %(b)d 条，实为第 %(c)d 条") % {
            "a": prev_seq,
            "b": first,
            "c": seq,
        }
    return Problem(first, ProblemKind.MISSING, detail)


def _start_problem(seq, prev_seq) -> Problem:
    if prev_seq == 0:
        return Problem(seq, ProblemKind.BROKEN_LINK, _("链首的前序哈希不是初始值"))
    return Problem(
        seq, ProblemKind.BROKEN_LINK, _("前序哈希与第 %(a)d 条的锚点哈希不符") % {"a": prev_seq}
    )


def _link_problem(seq, own_ok, stored_prev, prev_seq, prev_prev_hash) -> Problem:
    """Say why record `seq` does not chain to its predecessor (record `prev_seq`)."""
    if stored_prev == prev_prev_hash:
        # It still points at the record before its predecessor: the predecessor was
        # slipped in between (and this record renumbered to make room).
        return Problem(
            prev_seq,
            ProblemKind.INSERTED,
            _("第 %(b)d 条原本紧接第 %(a)d 条之前的记录") % {"a": prev_seq, "b": seq},
        )
    if own_ok:
        # This record is intact, so the predecessor it pointed to was rewritten (or
        # replaced) with a recomputed hash.
        return Problem(
            prev_seq,
            ProblemKind.TAMPERED,
            _("第 %(b)d 条保存的前序哈希与本条不符，本条被改写并重算了哈希") % {"b": seq},
        )
    return Problem(
        seq,
        ProblemKind.BROKEN_LINK,
        _("前序哈希与第 %(a)d 条的哈希不符，记录被调换或移位") % {"a": prev_seq},
    )
