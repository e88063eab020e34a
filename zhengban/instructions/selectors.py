"""Reads of 批示: the 批示件台账 (the policy's rows, filtered, with each row's handling status
computed in the query — no per-row queries) and the 批示 of one case for its panel."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case as Choose
from django.db.models import CharField, Count, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from zhengban.accounts.choices import LEADER_ROLES

from . import policies
from .choices import LIGHTS, Handling
from .models import Instruction


@dataclass
class LedgerFilters:
    leader: int | None = None
    given_from: datetime.date | None = None
    given_to: datetime.date | None = None
    status: str = ""
    supervise: str = ""  # "yes", "no" or "" (all)
    q: str = ""


def window(today: datetime.date | None = None):
    """Today and the end of the yellow window, as the supervision board reads its lights."""
    from zhengban.supervision.selectors import Window

    return Window.now(today)


def handling_expression(win) -> Choose:
    """A row's status as a SQL CASE: from the supervision item it opened (its due date and
    next report due, the board's rule), else from the case it was given on (its due date),
    else 已登记 for a stand-alone 批示 not 列入督办."""
    item_red = Q(item__due_date__lt=win.today) | Q(item__supervision__next_report_due__lt=win.today)
    item_yellow = Q(item__due_date__lte=win.soon) | Q(
        item__supervision__next_report_due__lte=win.soon
    )
    return Choose(
        When(item__closed=True, then=Value(Handling.DONE.value)),
        When(
            item__isnull=False,
            then=Choose(
                When(item_red, then=Value(Handling.OVERDUE.value)),
                When(item_yellow, then=Value(Handling.DUE_SOON.value)),
                default=Value(Handling.ON_TRACK.value),
            ),
        ),
        When(case__closed=True, then=Value(Handling.DONE.value)),
        When(
            case__isnull=False,
            then=Choose(
                When(Q(handling_due__lt=win.today), then=Value(Handling.OVERDUE.value)),
                When(Q(handling_due__lte=win.soon), then=Value(Handling.DUE_SOON.value)),
                default=Value(Handling.ON_TRACK.value),
            ),
        ),
        default=Value(Handling.RECORDED.value),
        output_field=CharField(),
    )


def with_handling(queryset: QuerySet[Instruction], win=None) -> QuerySet[Instruction]:
    """Annotate each row's handling due date and status (see `handling_expression`)."""
    win = win or window()
    return queryset.annotate(
        handling_due=Choose(
            When(item__isnull=False, then=Coalesce("item__due_date", "due_date")),
            When(case__isnull=False, then=Coalesce("case__due_date", "due_date")),
            default=F("due_date"),
            output_field=DateField(null=True),
        )
    ).annotate(handling_status=handling_expression(win))


def ledger(user, filters: LedgerFilters | None = None, today=None) -> QuerySet[Instruction]:
    filters = filters or LedgerFilters()
    qs = with_handling(policies.instructions_visible_to(user), window(today))
    if filters.leader:
        qs = qs.filter(leader_id=filters.leader)
    if filters.given_from:
        qs = qs.filter(given_on__gte=filters.given_from)
    if filters.given_to:
        qs = qs.filter(given_on__lte=filters.given_to)
    if filters.supervise == "yes":
        qs = qs.filter(supervise=True)
    elif filters.supervise == "no":
        qs = qs.filter(supervise=False)
    if filters.status:
        qs = qs.filter(handling_status=filters.status)
    if filters.q:
        qs = qs.filter(
            Q(text__icontains=filters.q)
            | Q(source_title__icontains=filters.q)
            | Q(source_number__icontains=filters.q)
            | Q(case__title__icontains=filters.q)
            | Q(case__number__icontains=filters.q)
        )
    return (
        qs.select_related("leader", "recorded_by", "case", "item", "lead_unit")
        .prefetch_related("units")
        .order_by("-given_on", "-pk")
    )


def decorate(rows, user=None) -> list[Instruction]:
    """Status label, light and the label of the item's or case's state, read from the rows.
    With `user`: whether they may open the case and the item (the kernel's policy, one query
    for the page) — the ledger names a case they may not read by its number only."""
    from zhengban.cases.policies import cases_visible_to
    from zhengban.cases.selectors import state_label

    rows = list(rows)
    readable = None
    if user is not None:
        ids = {pk for r in rows for pk in (r.case_id, r.item_id) if pk}
        readable = set(cases_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    for row in rows:
        status = Handling(row.handling_status)
        row.status = status
        row.status_label = status.label
        row.light = LIGHTS[status]
        target = row.item or row.case
        label = state_label(target.case_type, target.state) if target else ""
        row.state_label = "" if label == row.status_label else label  # 办理中 once
        row.case_readable = readable is None or row.case_id is None or row.case_id in readable
        row.item_readable = readable is None or row.item_id is None or row.item_id in readable
    return rows


def leaders_choices(user) -> list[tuple[int, str]]:
    """The leaders the ledger may filter on: every leader for a secretary, else oneself."""
    from zhengban.accounts.models import User

    if not policies.is_secretary(user):
        return [(user.pk, str(user))] if policies.is_leader(user) else []
    leaders = (
        User.objects.filter(role_grants__role__in=LEADER_ROLES, is_active=True)
        .distinct()
        .order_by("display_name", "pk")
    )
    return [(u.pk, str(u)) for u in leaders]


PANEL_LIMIT = 20  # a case's page lists its latest 批示; the ledger has them all


def of_case(case, limit: int | None = None) -> tuple[list[Instruction], int, list[Instruction]]:
    """For a case's panel: the latest `limit` 批示 given on it (oldest first), how many there
    are, and the 批示 it was opened from (列入督办) when it is a supervision item. Most cases
    have neither: one count answers that, and only the rows there are get read (at most four
    queries whatever their number)."""
    limit = limit or PANEL_LIMIT
    counts = Instruction.objects.filter(Q(case=case) | Q(item=case)).aggregate(
        given=Count("pk", filter=Q(case=case)), sources=Count("pk", filter=Q(item=case))
    )
    latest = []
    if counts["given"]:
        rows = (
            with_handling(Instruction.objects.filter(case=case))
            .select_related("leader", "recorded_by", "item", "case", "lead_unit")
            .prefetch_related("units")
            .order_by("-given_on", "-pk")
        )
        latest = decorate(reversed(list(rows[:limit])))
    sources = (
        list(Instruction.objects.filter(item=case).select_related("leader", "case", "recorded_by"))
        if counts["sources"]
        else []
    )
    return latest, counts["given"], sources
