"""Reads of the supervision app: status lights, the item's panel and tree, the leaders'
board, the statistics and the drill-down lists.

Lights are computed in the query from two stored dates — the case's due date and the item's
next report due — against today and the yellow window (`SUPERVISION_YELLOW_WORKDAYS` working
days ahead), so every count is one aggregate over indexed columns whatever the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, F, Max, Q, QuerySet, Value, When
from django.db.models import Case as Choose
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import LEADER_ROLES
from zhengban.cases.access import acts_externally
from zhengban.cases.choices import AssignmentRole, ReportReview
from zhengban.cases.models import AssignmentReport, Case, CaseEvent
from zhengban.cases.policies import cases_visible_to
from zhengban.workcalendar.calendar import current_calendar

from .choices import Escalation, Light, SourceKind
from .models import SupervisionItem

BOARD_FLAGS = 20  # red-flag items listed on the board
TOP_UNITS = 15  # units in the board's "overdue by unit" chart


def yellow_workdays() -> int:
    return getattr(settings, "SUPERVISION_YELLOW_WORKDAYS", 3)


@dataclass(frozen=True)
class Window:
    """Today and the last day of the yellow window."""

    today: datetime.date
    soon: datetime.date

    @classmethod
    def now(cls, today: datetime.date | None = None) -> Window:
        today = today or timezone.localdate()
        return cls(today, current_calendar().add_workdays(today, yellow_workdays()).date)


def light_expression(window: Window):
    """The light of an item as a SQL CASE over its stored dates."""
    red = Q(case__due_date__lt=window.today) | Q(next_report_due__lt=window.today)
    yellow = Q(case__due_date__lte=window.soon) | Q(next_report_due__lte=window.soon)
    return Choose(
        When(case__closed=True, then=Value(Light.DONE.value)),
        When(red, then=Value(Light.RED.value)),
        When(yellow, then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
    )


def light_filter(light: str, window: Window) -> Q:
    red = Q(case__due_date__lt=window.today) | Q(next_report_due__lt=window.today)
    yellow = Q(case__due_date__lte=window.soon) | Q(next_report_due__lte=window.soon)
    open_ = Q(case__closed=False)
    return {
        Light.DONE: Q(case__closed=True),
        Light.RED: open_ & red,
        Light.YELLOW: open_ & ~red & yellow,
        Light.GREEN: open_ & ~red & ~yellow,
    }.get(light, Q())


def light_of(item: SupervisionItem, window: Window | None = None) -> str:
    """The same rule in Python, for one item already loaded with its case."""
    window = window or Window.now()
    case = item.case
    dates = [d for d in (case.due_date, item.next_report_due) if d]
    if case.closed:
        return Light.DONE
    if any(d < window.today for d in dates):
        return Light.RED
    if any(d <= window.soon for d in dates):
        return Light.YELLOW
    return Light.GREEN


# --- who sees what -------------------------------------------------------------------------------


def may_see_board(user) -> bool:
    """The board and statistics are for the office's people (leaders, 督查室, divisions):
    not for a handling unit's contact, nor for the three administrators."""
    return user.is_authenticated and not user.is_admin_role and not acts_externally(user)


def items_visible_to(user) -> QuerySet[SupervisionItem]:
    """Items of the cases the user may see (the kernel's one policy); for a leader, the
    clearance filter alone."""
    items = SupervisionItem.objects.all()
    if user.has_role(*LEADER_ROLES):
        return items.filter(case__sensitivity__lte=user.clearance)
    return items.filter(case__in=cases_visible_to(user).values("pk"))


# --- filters shared by the board, the statistics and the drill-down ------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date | None = None
    end: datetime.date | None = None

    def q(self, field: str = "assigned_on") -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field}__lte": self.end})
        return q

    @property
    def label(self) -> str:
        if not self.start and not self.end:
            return ""
        return f"{self.start or ''} — {self.end or ''}"


def month_period(month: str) -> Period:
    """'2026-03' → the month's first and last day; ValueError for anything else."""
    year, number = (int(p) for p in month.split("-"))
    start = datetime.date(year, number, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Period(start, end)


def filtered(
    items: QuerySet,
    *,
    period: Period = Period(),
    unit=None,
    source_kind="",
    source_label="",
    light="",
    flagged=False,
    window: Window | None = None,
):
    items = items.filter(period.q())
    if unit is not None:
        items = items.filter(lead_unit_id=getattr(unit, "pk", unit))
    if source_kind:
        items = items.filter(source_kind=source_kind)
    if source_label:
        items = items.filter(source_label=source_label)
    if light:
        items = items.filter(light_filter(light, window or Window.now()))
    if flagged:
        items = items.filter(escalation=Escalation.FLAGGED, case__closed=False)
    return items


# --- aggregates ---------------------------------------------------------------------------------


def _measures(window: Window) -> dict:
    overdue = Q(case__closed=False, case__due_date__lt=window.today)
    return {
        "items": Count("pk"),
        "done": Count("pk", filter=Q(case__closed=True)),
        "on_time": Count("pk", filter=Q(on_time=True)),
        "overdue": Count("pk", filter=overdue),
        "red": Count("pk", filter=light_filter(Light.RED, window)),
        "yellow": Count("pk", filter=light_filter(Light.YELLOW, window)),
        "flagged": Count("pk", filter=Q(escalation=Escalation.FLAGGED, case__closed=False)),
        "avg_days": Avg("days_taken"),
    }


def _finish(row: dict) -> dict:
    row["on_time_rate"] = round(100 * row["on_time"] / row["done"], 1) if row["done"] else None
    row["avg_days"] = round(row["avg_days"], 1) if row["avg_days"] is not None else None
    row.setdefault("returned", 0)
    return row


def totals(items: QuerySet, window: Window) -> dict:
    return _finish(items.order_by().aggregate(**_measures(window)))


def returned_reports(items: QuerySet, by: str | None) -> dict:
    """Reports returned (退回) by the supervising unit, per group (`by`: a path from the
    item) or in all."""
    reports = AssignmentReport.objects.filter(
        review=ReportReview.RETURNED,
        assignment__case_id__in=items.values("pk"),
    ).order_by()
    if by is None:
        return {None: reports.count()}
    path = f"assignment__case__supervision__{by}"
    return dict(reports.values(path).annotate(n=Count("pk")).values_list(path, "n"))


def by_unit(items: QuerySet, window: Window) -> list[dict]:
    """Per lead (主办) unit: one grouped query plus one for the returned reports."""
    rows = list(
        items.exclude(lead_unit=None)
        .order_by()
        .values("lead_unit_id", "lead_unit__name")
        .annotate(**_measures(window))
        .order_by("-items", "lead_unit__name")
    )
    returned = returned_reports(items, "lead_unit_id")
    for row in rows:
        row["returned"] = returned.get(row["lead_unit_id"], 0)
        row["label"] = row["lead_unit__name"]
        _finish(row)
    return rows


def by_source(items: QuerySet, window: Window) -> list[dict]:
    """Per source: which meeting, which leader's 批示 (kind and label)."""
    rows = list(
        items.order_by()
        .values("source_kind", "source_label")
        .annotate(**_measures(window))
        .order_by("-items", "source_kind", "source_label")
    )
    returned = {}
    reports = AssignmentReport.objects.filter(
        review=ReportReview.RETURNED,
        assignment__case_id__in=items.values("pk"),
    ).order_by()
    kind = "assignment__case__supervision__source_kind"
    label = "assignment__case__supervision__source_label"
    for k, lab, n in (
        reports.values(kind, label).annotate(n=Count("pk")).values_list(kind, label, "n")
    ):
        returned[(k, lab)] = n
    kinds = dict(SourceKind.choices)
    for row in rows:
        row["returned"] = returned.get((row["source_kind"], row["source_label"]), 0)
        row["kind_label"] = str(kinds.get(row["source_kind"], row["source_kind"]))
        row["label"] = row["source_label"] or row["kind_label"]
        _finish(row)
    return rows


def by_month(items: QuerySet, window: Window) -> list[dict]:
    """Per month of 交办."""
    rows = list(
        items.exclude(assigned_on=None)
        .order_by()
        .annotate(month=TruncMonth("assigned_on"))
        .values("month")
        .annotate(**_measures(window))
        .order_by("month")
    )
    for row in rows:
        row["label"] = row["month"].strftime("%Y-%m") if row["month"] else ""
        _finish(row)
    return rows


GROUPS = {"unit": by_unit, "source": by_source, "month": by_month}


def board(user, window: Window, period: Period = Period()) -> dict:
    """The leaders' board: totals and lights, red flags, overdue units, sources and the
    monthly trend — a fixed number of queries."""
    items = filtered(items_visible_to(user), period=period)
    summary = totals(items, window)
    summary["returned"] = returned_reports(items, None)[None]
    units = sorted(by_unit(items, window), key=lambda r: (-r["overdue"], -r["red"], r["label"]))
    flags = list(
        items.filter(escalation=Escalation.FLAGGED, case__closed=False)
        .select_related("case", "lead_unit")
        .annotate(light=light_expression(window))
        .order_by("case__due_date", "pk")[:BOARD_FLAGS]
    )
    sources = by_source(items, window)
    months = by_month(items, window)
    kinds: dict[str, int] = {}
    for row in sources:
        kinds[row["kind_label"]] = kinds.get(row["kind_label"], 0) + row["items"]
    chart = {
        "lights": [
            {
                "name": str(Light.GREEN.label),
                "value": summary["items"] - summary["done"] - summary["red"] - summary["yellow"],
                "light": "green",
            },
            {"name": str(Light.YELLOW.label), "value": summary["yellow"], "light": "yellow"},
            {"name": str(Light.RED.label), "value": summary["red"], "light": "red"},
            {"name": str(Light.DONE.label), "value": summary["done"], "light": "done"},
        ],
        "units": {
            "names": [r["label"] for r in units[:TOP_UNITS]],
            "ids": [r["lead_unit_id"] for r in units[:TOP_UNITS]],
            "overdue": [r["overdue"] for r in units[:TOP_UNITS]],
            "yellow": [r["yellow"] for r in units[:TOP_UNITS]],
            "overdueName": _("逾期"),
            "yellowName": _("临期"),
        },
        "sources": [{"name": k, "value": v} for k, v in kinds.items()],
        "months": {
            "names": [r["label"] for r in months],
            "items": [r["items"] for r in months],
            "done": [r["done"] for r in months],
            "rate": [r["on_time_rate"] for r in months],
            "itemsName": _("交办"),
            "doneName": _("办结"),
            "rateName": _("按期办结率"),
        },
    }
    return {
        "summary": summary,
        "units": units[:TOP_UNITS],
        "flags": flags,
        "sources": sources[:TOP_UNITS],
        "chart": chart,
    }


def drill_down(items: QuerySet, window: Window) -> QuerySet:
    return (
        items.select_related("case", "lead_unit", "case__owner_unit")
        .annotate(light=light_expression(window))
        .order_by(F("case__due_date").asc(nulls_last=True), "pk")
    )


# --- the item's own panel ------------------------------------------------------------------------


def item_tree(user, case) -> list[tuple[int, Case]]:
    """The tree the item belongs to — from its top source down — as (depth, case) rows of
    the cases the user may see. One query per level."""
    root = case
    seen = {case.pk}
    while root.parent_id and root.parent_id not in seen:
        parent = Case.objects.filter(pk=root.parent_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        root = parent
    visible = cases_visible_to(user)
    rows: list[tuple[int, Case]] = [(0, root)]
    level, depth = [root.pk], 0
    children: dict[int, list[Case]] = {}
    while level and depth < 6:
        depth += 1
        found = list(
            visible.filter(parent_id__in=level)
            .select_related("supervision__lead_unit")
            .order_by("pk")
        )
        for child in found:
            children.setdefault(child.parent_id, []).append(child)
        level = [c.pk for c in found]

    def walk(node, d):
        for child in children.get(node.pk, []):
            rows.append((d, child))
            walk(child, d + 1)

    walk(root, 1)
    return rows


def item_panel(user, case, detail) -> dict:
    from .services import report_dates

    if detail is None:
        return {"item": None}
    window = Window.now()
    milestones = list(detail.milestones.all())
    dates = report_dates(detail, [m.due_date for m in milestones]) if detail.assigned_on else []
    tree = item_tree(user, case)
    last_report = AssignmentReport.objects.filter(
        assignment__case=case, assignment__role=AssignmentRole.LEAD
    ).aggregate(m=Max("created_at"))["m"]
    notices = list(CaseEvent.objects.filter(case=case, action="supervision.notice").order_by("seq"))
    return {
        "item": detail,
        "notices": notices,
        "light": light_of(detail, window),
        "milestones": milestones,
        "report_dates": dates,
        "tree": tree if len(tree) > 1 else [],
        "last_report": last_report,
        "may_escalate": not case.closed and may_see_board(user) and _supervises(user, case),
    }


def _supervises(user, case) -> bool:
    return case.owner_unit_id in user.unit_ids or user.has_role(*LEADER_ROLES)
