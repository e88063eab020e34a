"""The meeting's flow through the services: 议题 returned once then accepted and ordered,
the notice's tasks and answers, minutes, decisions and 转督办, with the refusals."""

import datetime

import pytest
from django.utils import timezone

from zhengban.cases.choices import TaskKind, TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Task
from zhengban.cases.policies import cases_visible_to
from zhengban.cases.services import case_perform
from zhengban.meetings import policies, services
from zhengban.meetings.choices import AttendanceResponse
from zhengban.meetings.models import AgendaItem, Attendance, MeetingType

pytestmark = pytest.mark.django_db


def perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return case_perform(case=case, action_code=code, actor=actor, version=case.version, **kwargs)


def test_default_types_come_with_the_divisions_of_the_regulation(office):
    types = {t.name: t.organiser.name for t in MeetingType.objects.all()}
    assert types == {
        "市政府全体会议": "秘书一处",
        "常务会议": "秘书二处",
        "市长办公会议": "秘书一处",
        "党组会议": "秘书二处",
        "专题会议": "秘书一处",
        "分管领导办公会议": "秘书一处",
    }
    # Setting them up again adds nothing.
    assert services.meeting_types_setup(organization=office["organization"]) == []


def test_the_meeting_is_owned_by_its_organiser_and_named_by_its_session(office, meeting):
    assert meeting.case.owner_unit == office["secretary2"]
    assert meeting.case.title == "第12次常务会议" == meeting.name
    assert set(meeting.attendees.all()) == {office["mayor"], office["vice"]}  # the chair attends
    assert meeting.case.state == "preparing"


def test_only_the_types_division_schedules_it(office):
    kind = MeetingType.objects.get(name="常务会议")  # 秘书二处's
    with pytest.raises(PermissionRefused):
        services.meeting_schedule(
            actor=office["organiser1"],  # 秘书一处
            meeting_type=kind,
            session="第13次",
            starts_at=timezone.now(),
            venue="会议室",
        )
    assert not policies.types_organised_by(office["submitter"]).exists()
    assert set(policies.types_organised_by(office["organiser"]).values_list("name", flat=True)) == {
        "常务会议",
        "党组会议",
    }


def test_an_agenda_item_is_returned_once_then_accepted_and_ordered(office, meeting):
    item = services.agenda_submit(
        actor=office["submitter"],
        meeting=meeting,
        title="关于农村人居环境整治的议题",
        owner_unit=office["farm"],
        presenter="农经处处长",
    )
    assert item.state == "reviewing" and item.agenda_item.meeting == meeting
    review = Task.objects.get(case=item, state=TaskState.OPEN)
    assert review.unit == office["secretary2"] and review.kind == TaskKind.REVIEW
    # Nobody but the organiser reviews: not the submitter, not another division.
    for outsider in (office["submitter"], office["organiser1"]):
        with pytest.raises(PermissionRefused):
            perform(item, "accept", outsider)
    with pytest.raises(GuardFailed):
        perform(item, "return", office["organiser"])  # a reason is required
    perform(item, "return", office["organiser"], comment="请补充征求意见情况")
    item.refresh_from_db()
    assert item.state == "draft"
    assert Task.objects.get(case=item, state=TaskState.OPEN).assignee == office["submitter"]
    perform(item, "submit", office["submitter"])
    perform(item, "accept", office["organiser"])
    second = services.agenda_submit(
        actor=office["submitter"], meeting=meeting, title="第二个议题", owner_unit=office["farm"]
    )
    perform(second, "accept", office["organiser"])
    first_row, second_row = AgendaItem.objects.get(case=item), AgendaItem.objects.get(case=second)
    assert (first_row.position, second_row.position) == (1, 2)
    meeting.case.refresh_from_db()
    services.agenda_reorder(
        actor=office["organiser"],
        meeting=meeting,
        version=meeting.case.version,
        order=[second_row.pk, first_row.pk],
    )
    first_row.refresh_from_db()
    assert first_row.position == 2
    # Holding the meeting marks the accepted items as discussed (已上会).
    perform(meeting.case, "issue_notice", office["organiser"])
    perform(meeting.case, "hold", office["organiser"])
    item.refresh_from_db()
    assert item.state == "discussed" and item.closed
    meeting.case.refresh_from_db()
    with pytest.raises(GuardFailed):  # every accepted item, once
        services.agenda_reorder(
            actor=office["organiser"],
            meeting=meeting,
            version=meeting.case.version,
            order=[first_row.pk],
        )
    with pytest.raises(PermissionRefused):
        services.agenda_reorder(
            actor=office["submitter"],
            meeting=meeting,
            version=meeting.case.version,
            order=[second_row.pk, first_row.pk],
        )
    # The organiser sees the 议题 (through its review task); another division does not.
    assert cases_visible_to(office["organiser"]).filter(pk=item.pk).exists()
    assert not cases_visible_to(office["other"]).filter(pk=item.pk).exists()


def test_the_notice_opens_a_task_for_each_attendee_and_unit(office, meeting):
    with pytest.raises(PermissionRefused):
        perform(meeting.case, "issue_notice", office["submitter"])
    perform(meeting.case, "issue_notice", office["organiser"])
    rows = {a.addressee: a for a in Attendance.objects.filter(meeting=meeting)}
    assert set(rows) == {str(office["mayor"]), str(office["vice"]), "农经处", "市住房城乡建设局"}
    tasks = Task.objects.filter(case=meeting.case, state=TaskState.OPEN)
    assert tasks.filter(assignee=office["vice"]).count() == 1
    assert tasks.filter(unit=office["bureau"]).count() == 1
    # The addressees now see the meeting; someone unrelated does not.
    assert policies.meetings_visible_to(office["contact"]).filter(pk=meeting.pk).exists()
    assert not policies.meetings_visible_to(office["other"]).filter(pk=meeting.pk).exists()

    mayor, vice = rows[str(office["mayor"])], rows[str(office["vice"])]
    services.attendance_respond(actor=office["mayor"], attendance=mayor, response="attend")
    with pytest.raises(GuardFailed):  # 代会 names who and why
        services.attendance_respond(actor=office["vice"], attendance=vice, response="substitute")
    services.attendance_respond(
        actor=office["vice"],
        attendance=vice,
        response=AttendanceResponse.SUBSTITUTE,
        substitute="市政府副秘书长 王军",
        reason="出席省政府会议",
    )
    vice.refresh_from_db()
    assert (vice.response, vice.substitute) == ("substitute", "市政府副秘书长 王军")
    assert Task.objects.get(pk=vice.task_id).state == TaskState.DONE
    # Someone else's row may not be answered.
    with pytest.raises(PermissionRefused):
        services.attendance_respond(actor=office["mayor"], attendance=vice, response="attend")
    bureau = rows["市住房城乡建设局"]
    with pytest.raises(GuardFailed):  # a unit names who comes
        services.attendance_respond(actor=office["contact"], attendance=bureau, response="attend")
    services.attendance_respond(
        actor=office["contact"], attendance=bureau, response="attend", attendee_name="副局长 刘洋"
    )
    assert meeting.case.events.filter(action="attendance").count() == 3


def _held(office, meeting):
    perform(meeting.case, "issue_notice", office["organiser"])
    perform(meeting.case, "hold", office["organiser"])
    meeting.case.refresh_from_db()
    return meeting


def test_minutes_and_decisions_only_by_the_organiser_after_the_meeting(office, meeting):
    with pytest.raises(GuardFailed):
        services.decision_add(
            actor=office["organiser"], meeting=meeting, text="尽快完成", lead_unit=office["farm"]
        )
    _held(office, meeting)
    with pytest.raises(GuardFailed):  # minutes first
        perform(meeting.case, "issue_minutes", office["organiser"])
    with pytest.raises(PermissionRefused):
        services.minutes_save(
            actor=office["submitter"], meeting=meeting, version=meeting.case.version, text="x"
        )
    services.minutes_save(
        actor=office["organiser"],
        meeting=meeting,
        version=meeting.case.version,
        text="会议听取了市住房城乡建设局关于老旧小区改造的汇报。",
    )
    decision = services.decision_add(
        actor=office["organiser"],
        meeting=meeting,
        text="年底前完成30个老旧小区改造",
        lead_unit=office["bureau"],
        co_units=[office["farm"], office["bureau"]],  # the lead is not also a co-unit
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    assert list(decision.co_units.all()) == [office["farm"]]
    text = services.minutes_document_text(meeting)
    assert "一、年底前完成30个老旧小区改造（由市住房城乡建设局牵头，农经处配合" in text
    perform(meeting.case, "issue_minutes", office["organiser"])
    meeting.refresh_from_db()
    assert meeting.case.state == "minutes_issued"
    if services.case_type_or_none("outgoing") is not None:  # 印发纪要 starts the 纪要's 发文
        document = meeting.minutes_case
        assert document.case_type == "outgoing" and document.outgoing.doc_type == "纪要"
        assert document.title == "第12次常务会议纪要" and document.body == text
        assert document.owner_unit == office["secretary2"]


def test_a_decision_becomes_a_supervision_item_in_one_step(office, meeting):
    pytest.importorskip("zhengban.supervision.services")
    if not services.supervision_available():
        pytest.skip("督办事项 (supervision) is not registered")
    _held(office, meeting)
    decision = services.decision_add(
        actor=office["organiser"],
        meeting=meeting,
        text="年底前完成30个老旧小区改造",
        lead_unit=office["bureau"],
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    with pytest.raises(PermissionRefused):
        services.decision_to_supervision(actor=office["submitter"], decision=decision)
    item = services.decision_to_supervision(actor=office["organiser"], decision=decision)
    decision.refresh_from_db()
    assert decision.supervision_case == item
    assert item.case_type == "supervision" and item.parent_id == meeting.case_id
    assert item.assignments.get(role="lead").unit == office["bureau"]
    assert item.supervision.source_label == "第12次常务会议"
    with pytest.raises(GuardFailed):  # once
        services.decision_to_supervision(actor=office["organiser"], decision=decision)


def test_a_cancelled_meeting_takes_no_more_items_or_answers(office, meeting):
    perform(meeting.case, "issue_notice", office["organiser"])
    perform(meeting.case, "cancel", office["organiser"], comment="因故推迟")
    meeting.case.refresh_from_db()
    with pytest.raises(GuardFailed):
        services.agenda_submit(
            actor=office["submitter"],
            meeting=meeting,
            title="迟到的议题",
            owner_unit=office["farm"],
        )
    row = Attendance.objects.get(meeting=meeting, user=office["vice"])
    with pytest.raises(GuardFailed):
        services.attendance_respond(actor=office["vice"], attendance=row, response="attend")
    assert not Task.objects.filter(case=meeting.case, state=TaskState.OPEN).exists()


def test_the_setup_command(db):
    from io import StringIO

    from django.core.management import call_command

    from zhengban.org.tests.factories import load_sample

    load_sample()
    out = StringIO()
    call_command("meetings", "setup-types", stdout=out)
    assert "常务会议：秘书二处" in out.getvalue() and "新建 6 个" in out.getvalue()
    call_command("meetings", "setup-types", stdout=out)
    assert MeetingType.objects.count() == 6
