"""The board's and the statistics' figures against a plain per-item computation in Python:
each item's light by `light_of`, its visibility by the kernel's `CaseAccess`, its returned
reports counted one by one — on a handful of green, yellow, red, flagged, closed and
returned items over units, sources and months, for a leader, 督查室 staff and a division
whose people see only part of them."""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from zhengban.accounts.choices import Clearance
from zhengban.cases.access import CaseAccess
from zhengban.cases.models import Assignment, AssignmentReport, Case
from zhengban.supervision import selectors, services
from zhengban.supervision.choices import Escalation, Light, SourceKind
from zhengban.supervision.models import SupervisionItem

TODAY = timezone.localdate()
WINDOW = selectors.Window(TODAY, TODAY + datetime.timedelta(days=5))


def day(n):
    return TODAY + datetime.timedelta(days=n)


def months_ago(n):
    first = TODAY.replace(day=1)
    for _ in range(n):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first + datetime.timedelta(days=9 if n else 0)


@pytest.fixture
def items(office):
    """(case, what the item is) — the facts are set directly, as the workflow leaves them."""

    def item(lead, kind, label, actor=None, **facts):
        case = services.open_item(
            actor=actor or office.clerk,
            title=f"事项{len(made)}",
            lead_unit=lead,
            due_date=day(60),
            source_kind=kind,
            source_label=label,
        )
        facts.setdefault("assigned_on", TODAY)
        SupervisionItem.objects.filter(case=case).update(**facts)
        made.append(case)
        return case

    made = []
    meeting, instruction = SourceKind.MEETING, SourceKind.INSTRUCTION
    item(office.bureau, meeting, "第12次常务会议", due_date=day(30), next_report_due=day(20))
    item(office.bureau, meeting, "第12次常务会议", due_date=day(30), next_report_due=day(1))
    item(office.bureau, meeting, "第13次常务会议", due_date=day(-3), escalation=Escalation.FLAGGED)
    item(
        office.nongjing,
        instruction,
        "张市长批示",
        due_date=day(40),
        next_report_due=day(-1),
        assigned_on=months_ago(1),
    )
    item(office.nongjing, instruction, "张市长批示", due_date=day(4), next_report_due=None)
    item(
        office.nongjing,
        meeting,
        "第12次常务会议",
        due_date=day(-30),
        closed=True,
        completed_on=day(-32),
        on_time=True,
        days_taken=10,
        escalation=Escalation.FLAGGED,
        assigned_on=months_ago(2),
    )
    item(
        office.wenjiao,
        SourceKind.HIGHER,
        "",
        due_date=day(-20),
        closed=True,
        completed_on=day(-5),
        on_time=False,
        days_taken=41,
        assigned_on=months_ago(2),
    )
    # Opened by 农经处 for its 分管领导 (督查室 does not see it) and not yet dated.
    item(office.wenjiao, instruction, "李副市长批示", actor=office.farmer, assigned_on=None)
    # Not assigned yet (no lead unit), and one above 督查室 staff's clearance.
    item(office.bureau, SourceKind.MANUAL, "", lead_unit=None, due_date=day(2))
    secret = item(office.bureau, meeting, "第13次常务会议", due_date=day(-1))
    Case.objects.filter(pk=secret.pk).update(sensitivity=Clearance.SECRET)
    for case, reviews in zip(
        made[:4],
        (["returned", "accepted"], ["returned", "returned"], ["accepted"], ["returned"]),
        strict=True,
    ):
        assignment = Assignment.objects.get(case=case, role="lead")
        for review in reviews:
            AssignmentReport.objects.create(
                assignment=assignment,
                kind="progress",
                text="进展",
                author=office.clerk,
                review=review,
            )
    AssignmentReport.objects.create(
        assignment=Assignment.objects.get(case=secret, role="lead"),
        kind="progress",
        text="进展",
        author=office.clerk,
        review="returned",
    )
    return made


def expected(user, key):
    """{group key: row} computed item by item."""
    groups = defaultdict(list)
    for item in SupervisionItem.objects.select_related("case", "lead_unit"):
        if CaseAccess(user, item.case).visible:
            groups[key(item)].append(item)
    rows = {}
    for group, members in groups.items():
        light = [selectors.light_of(i, WINDOW) for i in members]
        done = sum(i.closed for i in members)
        on_time = sum(i.on_time is True for i in members)
        days = [i.days_taken for i in members if i.days_taken is not None]
        rows[group] = {
            "items": len(members),
            "done": done,
            "on_time": on_time,
            "overdue": sum(not i.closed and i.due_date and i.due_date < TODAY for i in members),
            "red": light.count(Light.RED),
            "yellow": light.count(Light.YELLOW),
            "flagged": sum(i.escalation == Escalation.FLAGGED and not i.closed for i in members),
            "returned": AssignmentReport.objects.filter(
                assignment__case__in=[i.case for i in members], review="returned"
            ).count(),
            "days": sum(days),
            "days_n": len(days),
            "on_time_rate": round(100 * on_time / done, 1) if done else None,
            "avg_days": round(sum(days) / len(days), 1) if days else None,
        }
    return rows


FIELDS = (
    "items", "done", "on_time", "overdue", "red", "yellow", "flagged", "returned",
    "on_time_rate", "avg_days",
)  # fmt: skip


def pick(row, fields=FIELDS):
    return {name: row[name] for name in fields}


def total(rows: dict) -> dict:
    summed = {n: sum(r[n] for r in rows.values()) for n in (*FIELDS[:8], "days")}
    days_n = sum(r["days_n"] for r in rows.values())
    done = summed["done"]
    summed["on_time_rate"] = round(100 * summed["on_time"] / done, 1) if done else None
    summed["avg_days"] = round(summed["days"] / days_n, 1) if days_n else None
    return pick(summed)


@pytest.mark.parametrize("who", ["leader", "clerk", "farmer", "teacher"])
def test_figures_match_a_per_item_computation(office, items, who):
    user = getattr(office, who)
    by_unit = expected(user, lambda i: i.lead_unit_id)
    assert by_unit, "every user here sees some items"
    unit_total = total(by_unit)

    rows, summary = selectors.statistics(user, "unit", selectors.Period(), WINDOW)
    assert {r["lead_unit_id"]: pick(r) for r in rows} == {
        k: pick(v) for k, v in by_unit.items() if k is not None
    }
    assert pick(summary) == unit_total

    by_source = expected(user, lambda i: (i.source_kind, i.source_label))
    rows, summary = selectors.statistics(user, "source", selectors.Period(), WINDOW)
    assert {(r["source_kind"], r["source_label"]): pick(r) for r in rows} == {
        k: pick(v) for k, v in by_source.items()
    }
    assert [r["items"] for r in rows] == sorted((r["items"] for r in rows), reverse=True)
    assert pick(summary) == unit_total

    by_month = expected(user, lambda i: i.assigned_on and i.assigned_on.strftime("%Y-%m"))
    rows, summary = selectors.statistics(user, "month", selectors.Period(), WINDOW)
    assert [(r["label"], pick(r)) for r in rows] == [
        (k, pick(by_month[k])) for k in sorted(k for k in by_month if k)
    ]
    assert pick(summary) == unit_total

    board = selectors.board(user, WINDOW)
    assert pick(board["summary"]) == unit_total
    assert (
        board["green"]
        == unit_total["items"] - unit_total["done"] - unit_total["red"] - (unit_total["yellow"])
    )
    units = board["units"]
    assert {r["lead_unit_id"]: pick(r) for r in units} == {
        k: pick(v) for k, v in by_unit.items() if k is not None
    }
    assert [(r["overdue"], r["red"]) for r in units] == sorted(
        ((r["overdue"], r["red"]) for r in units), reverse=True
    )
    kinds = defaultdict(int)
    for (kind, _label), row in by_source.items():
        kinds[kind] += row["items"]
    chart = board["chart"]
    assert (
        dict(zip(chart["sourceKinds"], [s["value"] for s in chart["sources"]], strict=True))
        == kinds
    )
    months = sorted(k for k in by_month if k)
    assert chart["months"]["names"] == months
    assert chart["months"]["items"] == [by_month[k]["items"] for k in months]
    assert chart["months"]["done"] == [by_month[k]["done"] for k in months]
    assert chart["months"]["rate"] == [by_month[k]["on_time_rate"] for k in months]
    lights = {entry["light"]: entry["value"] for entry in chart["lights"]}
    assert lights == {
        "green": board["green"],
        "yellow": unit_total["yellow"],
        "red": unit_total["red"],
        "done": unit_total["done"],
    }
    flagged = [
        i.case_id
        for i in SupervisionItem.objects.filter(escalation=Escalation.FLAGGED, closed=False)
        if CaseAccess(user, i.case).visible
    ]
    assert sorted(i.case_id for i in board["flags"]) == sorted(flagged)


def test_the_fixture_covers_every_light_and_the_scopes_differ(office, items):
    lights = {selectors.light_of(i, WINDOW) for i in SupervisionItem.objects.all()}
    assert lights == {Light.GREEN, Light.YELLOW, Light.RED, Light.DONE}
    seen = {
        who: sum(CaseAccess(getattr(office, who), c).visible for c in Case.objects.all())
        for who in ("leader", "clerk", "farmer", "teacher")
    }
    assert seen["leader"] == len(items)
    assert seen["leader"] > seen["clerk"] > 0 and 0 < seen["farmer"] < seen["clerk"]


@pytest.mark.parametrize("who", ["leader", "clerk"])
@pytest.mark.parametrize(
    "what, queries",
    [
        # one grouped pass over the items, the returned reports, unit names, the red flags
        ("board", 4),
        ("unit", 3),  # the units' pass, the returned reports, unit names
        ("source", 2),  # the sources' pass, the returned reports
        ("month", 2),  # the board's pass, the returned reports in all
    ],
)
def test_figures_take_a_fixed_handful_of_queries(
    office, items, who, what, queries, django_assert_num_queries
):
    user = getattr(office, who)

    def figures():
        if what == "board":
            list(selectors.board(user, WINDOW)["flags"])
        else:
            selectors.statistics(user, what, selectors.Period(), WINDOW)

    figures()  # the user's roles, units and delegations: loaded once per request
    with django_assert_num_queries(queries):
        figures()
