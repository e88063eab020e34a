"""Reads of the audit chain for the audit page, its export and the CLI."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from zhengban.accounts.models import User

from .models import AuditChainHead, AuditRecord

PAGE_SIZE = 50


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def records_filtered(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    text: str = "",
) -> QuerySet[AuditRecord]:
    """Records matching the audit page's filters; dates are local (Asia/Shanghai) days,
    both ends included."""
    records = AuditRecord.objects.all()
    if date_from:
        records = records.filter(time__gte=_start_of(date_from))
    if date_to:
        records = records.filter(time__lt=_start_of(date_to + timedelta(days=1)))
    if actor:
        # A login name or a display name; failed logins carry the typed name only.
        users = User.objects.filter(Q(username=actor) | Q(display_name=actor)).values("pk")
        records = records.filter(Q(actor_id__in=users) | Q(actor_name=actor))
    if action:
        records = records.filter(action__startswith=action)
    if object_type:
        records = records.filter(object_type=object_type)
    if object_id:
        records = records.filter(object_id=object_id)
    if text:
        records = records.filter(summary__icontains=text)
    return records


@dataclass
class KeysetPage:
    """One page, newest first, addressed by seq instead of an offset: a constant cost on
    any page of a chain of millions, and no COUNT(*)."""

    records: list[AuditRecord]
    newer_than: int | None  # pass as ?after= for the newer page
    older_than: int | None  # pass as ?before= for the older page


def keyset_page(
    records: QuerySet[AuditRecord],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    if after is not None:
        rows = list(records.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_newer, rows = len(rows) > size, rows[:size]
        rows.reverse()
        has_older = True
    else:
        if before is not None:
            records = records.filter(seq__lt=before)
        rows = list(records.order_by("-seq")[: size + 1])
        has_older, rows = len(rows) > size, rows[:size]
        has_newer = before is not None
    return KeysetPage(
        records=rows,
        newer_than=rows[0].seq if rows and has_newer else None,
        older_than=rows[-1].seq if rows and has_older else None,
    )


def record_get(seq: int) -> AuditRecord | None:
    return AuditRecord.objects.filter(seq=seq).first()


def chain_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()


def latest_verification() -> AuditRecord | None:
    """The most recent audit.verify record; its `changes` hold the result."""
    return AuditRecord.objects.filter(action="audit.verify").order_by("-seq").first()


def chain_stats() -> dict:
    stats = AuditRecord.objects.aggregate(count=Count("pk"), oldest=Min("time"), newest=Max("time"))
    head = chain_head()
    stats["head_seq"] = head.last_seq if head else 0
    return stats
