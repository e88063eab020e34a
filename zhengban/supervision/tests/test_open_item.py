import datetime

import pytest
from django.utils import timezone

from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Assignment, CaseSlot
from zhengban.supervision.choices import Cadence, SourceKind
from zhengban.supervision.services import open_item


def later(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_open_item_creates_and_assigns_in_one_step(office):
    case = open_item(
        actor=office.clerk,
        title="推进城区道路改造",
        body="按常务会议要求推进",
        lead_unit=office.bureau,
        co_units=[office.nongjing],
        due_date=later(40),
        source_kind=SourceKind.MEETING,
        source_label="市政府第12次常务会议",
        cadence=Cadence.WEEKLY,
        leader=office.leader,
    )
    assert case.case_type == "supervision"
    assert case.state == "handling"
    assert case.owner_unit == office.duchashi
    assert case.due_date == later(40)
    item = case.supervision
    assert item.source_label == "市政府第12次常务会议"
    assert item.lead_unit == office.bureau
    assert item.leader == office.leader
    assert item.assigned_on == timezone.localdate()
    assert item.next_report_due is not None and item.next_report_due < later(40)
    units = set(Assignment.objects.filter(case=case).values_list("unit__name", "role"))
    assert units == {("市交通运输局", "lead"), ("农经处", "co")}
    assert CaseSlot.objects.get(case=case, name="leader").user == office.leader


def test_milestones_are_required_for_milestone_cadence(office):
    with pytest.raises(GuardFailed):
        open_item(
            actor=office.clerk,
            title="x",
            lead_unit=office.nongjing,
            source_kind=SourceKind.MANUAL,
            cadence=Cadence.MILESTONES,
        )
    case = open_item(
        actor=office.clerk,
        title="x",
        lead_unit=office.nongjing,
        due_date=later(60),
        source_kind=SourceKind.MANUAL,
        cadence=Cadence.MILESTONES,
        milestones=[(later(20), "完成方案"), {"due_date": later(10).isoformat(), "title": "调研"}],
    )
    item = case.supervision
    assert [m.title for m in item.milestones.all()] == ["调研", "完成方案"]
    assert item.next_report_due == later(10)


def test_bad_source_kind_and_unreadable_parent_are_refused(office):
    with pytest.raises(GuardFailed):
        open_item(actor=office.clerk, title="x", lead_unit=office.nongjing, source_kind="bogus")
    parent = open_item(
        actor=office.clerk, title="源", lead_unit=office.nongjing, source_kind=SourceKind.MANUAL
    )
    with pytest.raises(PermissionRefused):
        open_item(
            actor=office.outsider,
            title="x",
            lead_unit=office.nongjing,
            source_kind=SourceKind.MANUAL,
            parent=parent,
        )


def test_child_items_link_to_the_source(office):
    source = open_item(
        actor=office.clerk, title="源", lead_unit=office.nongjing, source_kind=SourceKind.MANUAL
    )
    child = open_item(
        actor=office.clerk,
        title="子",
        lead_unit=office.wenjiao,
        source_kind=SourceKind.MANUAL,
        parent=source,
    )
    assert child.parent == source


def test_a_division_outside_duchashi_supervises_its_own_items(office):
    case = open_item(
        actor=office.farmer,
        title="分管领导批示件",
        lead_unit=office.wenjiao,
        source_kind=SourceKind.INSTRUCTION,
    )
    assert case.owner_unit == office.nongjing
