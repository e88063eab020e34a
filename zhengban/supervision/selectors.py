"""Reads of the supervision app: status lights, the item's panel and tree, the leaders'
board, the statistics and the drill-down lists.

Lights are computed in the query from two stored dates — the item's copy of its case's due
date and its next report due — against today and the yellow window
(`SUPERVISION_YELLOW_WORKDAYS` working days ahead), so every count is one aggregate over
indexed columns whatever the data size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
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
    red = Q(due_date__lt=window.today) | Q(next_report_due__lt=window.today)
    yellow = Q(due_date__lte=window.soon) | Q(next_report_due__lte=window.soon)
    return Choose(
        When(closed=True, then=Value(Light.DONE.value)),
        When(red, then=Value(Light.RED.value)),
        When(yellow, then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
    )


def light_filter(light: str, window: Window) -> Q:
    red = Q(due_date__lt=window.today) | Q(next_report_due__lt=window.today)
    yellow = Q(due_date__lte=window.soon) | Q(next_report_due__lte=window.soon)
    open_ = Q(closed=False)
    return {
        Light.DONE: Q(closed=True),
        Light.RED: open_ & red,
        Light.YELLOW: open_ & ~red & yellow,
        Light.GREEN: open_ & ~red & ~yellow,
    }.get(light, Q())


def light_of(item: SupervisionItem, window: Window | None = None) -> str:
    """The same rule in Python, for one item already loaded with its case."""
    window = window or Window.now()
    dates = [d for d in (item.due_date, item.next_report_due) if d]
    if item.closed:
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
    clearance filter alone — as the cases above it left out, a subquery the database runs
    once, so the figures never join the cases."""
    items = SupervisionItem.objects.all()
    if user.has_role(*LEADER_ROLES):
        above = Case.objects.filter(case_type="supervision", sensitivity__gt=user.clearance)
        return items.exclude(case_id__in=above.values("pk"))
    # The policy as a semi-join on each item's own case (one primary-key probe per item),
    # not `IN (every visible case)`: that list was rebuilt by every query of a page.
    visible = cases_visible_to(user, Case.objects.filter(pk=OuterRef("case_id")))
    return items.filter(Exists(visible))


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
        items = items.filter(escalation=Escalation.FLAGGED, closed=False)
    return items


# --- aggregates ---------------------------------------------------------------------------------
#
# Each table is one GROUP BY over the items alone (their copies of the case's due date and
# closure: no join), every figure a conditional count in the same pass, read from the covering
# indexes of migration 0003; the returned reports are one more grouped query, unit names one
# small one. Totals are the sum of the rows. The figures are cached for
# `SUPERVISION_STATS_CACHE_SECONDS` (default 60; 0 turns it off) per visibility scope, period
# and day.


def _measures(window: Window) -> dict:
    overdue = Q(closed=False, due_date__lt=window.today)
    return {
        "items": Count("pk"),
        "done": Count("pk", filter=Q(closed=True)),
        "on_time": Count("pk", filter=Q(on_time=True)),
        "overdue": Count("pk", filter=overdue),
        "red": Count("pk", filter=light_filter(Light.RED, window)),
        "yellow": Count("pk", filter=light_filter(Light.YELLOW, window)),
        "flagged": Count("pk", filter=Q(escalation=Escalation.FLAGGED, closed=False)),
        "days_sum": Sum("days_taken"),
        "days_n": Count("days_taken"),
    }


MEASURES = ("items", "done", "on_time", "overdue", "red", "yellow", "flagged", "days_sum", "days_n")


def _finish(row: dict) -> dict:
    row["on_time_rate"] = round(100 * row["on_time"] / row["done"], 1) if row["done"] else None
    days_n = row.get("days_n") or 0
    row["avg_days"] = round((row.get("days_sum") or 0) / days_n, 1) if days_n else None
    row.setdefault("returned", 0)
    return row


def _sum(rows: list[dict]) -> dict:
    total = {name: sum(r.get(name) or 0 for r in rows) for name in (*MEASURES, "returned")}
    return _finish(total)


def _add(groups: dict, key, figures: list) -> None:
    """Add one row's MEASURES (in order) to the group `key` (its sums kept as a list)."""
    found = groups.get(key)
    if found is None:
        groups[key] = [value or 0 for value in figures]
    else:
        for n, value in enumerate(figures):
            if value:
                found[n] += value


def _as_rows(groups: dict) -> dict:
    return {key: dict(zip(MEASURES, sums, strict=True)) for key, sums in groups.items()}


def _scope(user) -> str:
    if user.has_role(*LEADER_ROLES):
        return f"leader-{user.clearance}"
    return f"user-{user.pk}"


def cached(user, name: str, period: Period, window: Window, compute):
    seconds = getattr(settings, "SUPERVISION_STATS_CACHE_SECONDS", 60)
    if seconds <= 0:
        return compute()
    key = f"supervision:{name}:{_scope(user)}:{period.start}:{period.end}:{window.today}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


class YearMonth(Func):
    """'YYYY-MM' of a date, in SQL: the board groups by month in its one pass over the items
    (SQLite stores dates as ISO text; Django's Trunc would call Python once per row there)."""

    output_field = CharField()
    template = "TO_CHAR(%(expressions)s, 'YYYY-MM')"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="SUBSTR(%(expressions)s, 1, 7)", **extra)


def _returned(items: QuerySet, *keys: str) -> dict:
    """Reports returned (退回) by the supervising unit on the items, counted per `keys` of
    their item. From the returned reports straight to their item by the assignment's case
    id (no join through the cases): the item's filter (visibility, period) as a semi-join,
    its keys as lookups of the same row."""
    item = items.filter(case_id=OuterRef("assignment__case_id")).order_by()
    reports = AssignmentReport.objects.filter(Exists(item), review=ReportReview.RETURNED)
    if not keys:
        return {(): reports.order_by().count()}
    names = [f"key_{key}" for key in keys]
    of_item = {name: Subquery(item.values(key)[:1]) for name, key in zip(names, keys, strict=True)}
    rows = reports.order_by().values(**of_item).annotate(n=Count("pk")).values_list(*names, "n")
    return {tuple(row[:-1]): row[-1] for row in rows}


def returned_reports(items: QuerySet, by: str | None) -> dict:
    if by is None:
        return {None: sum(_returned(items).values())}
    return {key[0]: n for key, n in _returned(items, by).items()}


def _unit_names(ids) -> dict:
    from zhengban.org.models import Unit

    return dict(Unit.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def _with_units(items: QuerySet, rows: list[dict]) -> list[dict]:
    """Per-unit rows completed with their returned reports and the units' names."""
    returned = returned_reports(items, "lead_unit_id")
    names = _unit_names(r["lead_unit_id"] for r in rows)
    for row in rows:
        row["returned"] = returned.get(row["lead_unit_id"], 0)
        row["label"] = names.get(row["lead_unit_id"], "")
        _finish(row)
    return rows


def _unit_rows(items: QuerySet, window: Window) -> list[dict]:
    """Per lead unit, including the items not yet assigned (lead_unit_id None)."""
    rows = list(items.order_by().values("lead_unit_id").annotate(**_measures(window)))
    return _with_units(items, rows)


def totals(items: QuerySet, window: Window) -> dict:
    return _sum(_unit_rows(items, window))


def by_unit(items: QuerySet, window: Window) -> list[dict]:
    """Per lead (主办) unit: one grouped query, the returned reports, the unit names."""
    rows = [r for r in _unit_rows(items, window) if r["lead_unit_id"]]
    return sorted(rows, key=lambda r: (-r["items"], r["label"]))


def by_source(items: QuerySet, window: Window) -> list[dict]:
    """Per source: which meeting, which leader's 批示 (kind and label)."""
    rows = list(
        items.order_by().values("source_kind", "source_label").annotate(**_measures(window))
    )
    returned = _returned(items, "source_kind", "source_label")
    kinds = dict(SourceKind.choices)
    for row in rows:
        row["returned"] = returned.get((row["source_kind"], row["source_label"]), 0)
        row["kind_label"] = str(kinds.get(row["source_kind"], row["source_kind"]))
        row["label"] = row["source_label"] or row["kind_label"]
        _finish(row)
    return sorted(rows, key=lambda r: (-r["items"], r["source_kind"], r["source_label"]))


def _cube(items: QuerySet, window: Window) -> dict:
    """One pass over the items grouped by lead unit and month of 交办 (a few thousand groups
    at 10^5 items), with a count per source kind (a fixed handful of columns), rolled up
    here per unit, per month and per kind: the board's every table, and the monthly
    statistics, without a second scan — each scan costs the visibility check of every item."""
    kinds = SourceKind.values
    per_kind = {f"kind_{n}": Count("pk", filter=Q(source_kind=k)) for n, k in enumerate(kinds)}
    rows = (
        items.order_by()
        .annotate(month=YearMonth("assigned_on"))
        .values("lead_unit_id", "month")
        .annotate(**_measures(window), **per_kind)
        .values_list("lead_unit_id", "month", *MEASURES, *per_kind)
    )
    units: dict = {}
    months: dict = {}
    kind_items = [0] * len(kinds)
    width = len(MEASURES)
    for unit, month, *figures in rows:
        measures = figures[:width]
        _add(units, unit, measures)
        if month is not None:
            _add(months, month, measures)
        for n, count in enumerate(figures[width:]):
            kind_items[n] += count
    units, months = _as_rows(units), _as_rows(months)
    for unit, row in units.items():
        row["lead_unit_id"] = unit
    for month, row in months.items():
        row["label"] = month
    return {
        "units": units,
        "months": months,
        "kinds": {k: n for k, n in zip(kinds, kind_items, strict=True) if n},
    }


def _month_rows(cube: dict) -> list[dict]:
    return [_finish(cube["months"][label]) for label in sorted(cube["months"])]


def by_month(items: QuerySet, window: Window) -> list[dict]:
    """Per month of 交办 (the items not yet assigned have none)."""
    return _month_rows(_cube(items, window))


def _statistics_month(items: QuerySet, window: Window) -> tuple[list[dict], dict]:
    cube = _cube(items, window)
    rows = _month_rows(cube)
    # Returned reports by their item's day of 交办 (a few hundred keys a year), then by month.
    per_day = returned_reports(items, "assigned_on")
    per_month: dict[str, int] = {}
    for day, n in per_day.items():
        if day is not None:
            month = str(day)[:7]  # "YYYY-MM", as the months' labels
            per_month[month] = per_month.get(month, 0) + n
    for row in rows:
        row["returned"] = per_month.get(row["label"], 0)
    summary = _sum(list(cube["units"].values()))
    summary["returned"] = sum(per_day.values())
    return rows, summary


GROUPS = {"unit": by_unit, "source": by_source, "month": by_month}


def statistics(user, group: str, period: Period, window: Window) -> tuple[list[dict], dict]:
    """(rows, totals) of one statistics table, cached. Every item has one source and one
    unit row (None until assigned), so the totals are the sum of those rows."""

    def compute():
        items = filtered(items_visible_to(user), period=period)
        if group == "unit":
            rows = _unit_rows(items, window)
            return [r for r in rows if r["lead_unit_id"]], _sum(rows)
        if group == "source":
            rows = by_source(items, window)
            return rows, _sum(rows)
        return _statistics_month(items, window)

    return cached(user, f"stats-{group}", period, window, compute)


def _board_figures(items: QuerySet, window: Window) -> dict:
    cube = _cube(items, window)
    unit_rows = _with_units(items, list(cube["units"].values()))
    summary = _sum(unit_rows)
    units = sorted(
        (r for r in unit_rows if r["lead_unit_id"]),
        key=lambda r: (-r["overdue"], -r["red"], r["label"]),
    )[:TOP_UNITS]
    labels = dict(SourceKind.choices)
    sources = [
        {"name": str(labels.get(k, k)), "value": n, "kind": k}
        for k, n in sorted(cube["kinds"].items(), key=lambda kn: (-kn[1], kn[0]))
    ]
    months = _month_rows(cube)
    green = summary["items"] - summary["done"] - summary["red"] - summary["yellow"]
    chart = {
        "lights": [
            {"name": str(Light.GREEN.label), "value": green, "light": "green"},
            {"name": str(Light.YELLOW.label), "value": summary["yellow"], "light": "yellow"},
            {"name": str(Light.RED.label), "value": summary["red"], "light": "red"},
            {"name": str(Light.DONE.label), "value": summary["done"], "light": "done"},
        ],
        "units": {
            "names": [r["label"] for r in units],
            "ids": [r["lead_unit_id"] for r in units],
            "overdue": [r["overdue"] for r in units],
            "yellow": [r["yellow"] for r in units],
            "overdueName": _("逾期"),
            "yellowName": _("临期"),
        },
        "sources": [{"name": s["name"], "value": s["value"]} for s in sources],
        "sourceKinds": [s["kind"] for s in sources],
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
    return {"summary": summary, "green": green, "units": units, "chart": chart}


def board(user, window: Window, period: Period = Period()) -> dict:
    """The leaders' board: totals and lights, overdue units, sources and the monthly trend
    (cached figures), and the red flags (always fresh) — a fixed number of queries."""
    items = filtered(items_visible_to(user), period=period)
    figures = cached(user, "board", period, window, lambda: _board_figures(items, window))
    flags = list(
        items.filter(escalation=Escalation.FLAGGED, closed=False)
        .select_related("case", "lead_unit")
        .annotate(light=light_expression(window))
        .order_by("due_date", "pk")[:BOARD_FLAGS]
    )
    return {**figures, "flags": flags}


def drill_down(items: QuerySet, window: Window) -> QuerySet:
    return (
        items.select_related("case", "lead_unit", "case__owner_unit")
        .annotate(light=light_expression(window))
        .order_by(F("due_date").asc(nulls_last=True), "pk")
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
