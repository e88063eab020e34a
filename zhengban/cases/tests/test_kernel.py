"""The kernel's semantics: actions, permissions, guards, versions, assignment, 会签, 加签,
transfer, withdraw, delegation, and the classified-content rule."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhengban.accounts.choices import Clearance, Role
from zhengban.audit.models import AuditRecord
from zhengban.cases import assignments, errors, services
from zhengban.cases.choices import AssignmentStatus, RoundState, TaskKind, TaskState
from zhengban.cases.models import Case, CaseEvent, Delegation, Notification, Task
from zhengban.cases.policies import case_get_for, cases_visible_to
from zhengban.cases.workflow import Action, Permit, State, Workflow, validate


def new_case(office, **kwargs):
    defaults = {
        "case_type": "assigned_task",
        "title": "关于做好今冬明春农村饮水安全工作的通知",
        "body": "请农经处牵头，文教处配合，抓好落实。",
        "owner_unit": office.duchashi,
        "actor": office.clerk,
        "sensitivity": Clearance.INTERNAL,
    }
    defaults.update(kwargs)
    return services.case_create(**defaults)


def perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def to_handling(office, co_units=True):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    params = {"lead_unit": office.nongjing}
    if co_units:
        params["co_units"] = [office.wenjiao]
    return perform(case, "assign", office.head, params=params)


def test_create_numbers_per_type_and_year_and_records_history(office):
    first = new_case(office)
    second = new_case(office, title="第二件")
    year = datetime.date.today().year
    assert first.number == f"交办〔{year}〕1号"
    assert second.number == f"交办〔{year}〕2号"
    assert first.state == "draft"
    assert list(first.events.values_list("action", flat=True)) == ["create"]
    assert AuditRecord.objects.filter(action="cases.create", object_id=str(first.pk)).exists()


def test_action_moves_state_and_bumps_version(office):
    case = new_case(office)
    case = perform(case, "submit", office.clerk)
    assert (case.state, case.version) == ("review", 2)
    event = case.events.get(action="submit")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "review", office.clerk)


def test_stale_version_is_a_conflict_and_changes_nothing(office):
    case = new_case(office)
    stale = case.version
    perform(case, "submit", office.clerk)
    with pytest.raises(errors.VersionConflict):
        services.case_perform(
            case=case, action_code="send_back", actor=office.head, version=stale, comment="重写"
        )
    case.refresh_from_db()
    assert case.state == "review"
    assert not case.events.filter(action="send_back").exists()


def test_unrelated_user_is_refused_and_the_refusal_is_audited(office):
    case = new_case(office)
    before = CaseEvent.objects.count()
    with pytest.raises(errors.PermissionRefused):
        perform(case, "submit", office.outsider)
    case.refresh_from_db()
    assert case.state == "draft"
    assert CaseEvent.objects.count() == before
    assert AuditRecord.objects.filter(action="cases.denied", actor=office.outsider).exists()


def test_staff_may_not_take_a_head_action(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    with pytest.raises(errors.PermissionRefused):
        perform(case, "assign", office.clerk, params={"lead_unit": office.nongjing})


def test_action_from_wrong_state_is_refused(office):
    case = new_case(office)
    with pytest.raises(errors.TransitionNotAllowed):
        perform(case, "confirm", office.head)


def test_required_comment_and_params(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    with pytest.raises(errors.GuardFailed, match="理由"):
        perform(case, "send_back", office.head)
    with pytest.raises(errors.GuardFailed, match="主办单位"):
        perform(case, "assign", office.head, params={})


def test_guard_required_fields(office):
    case = new_case(office, body="")
    with pytest.raises(errors.GuardFailed, match="事项内容"):
        perform(case, "submit", office.clerk)


def test_assign_creates_lead_and_co_assignments_and_a_deadline_with_basis(office):
    case = to_handling(office)
    assert case.state == "handling"
    roles = dict(case.assignments.values_list("unit__name", "role"))
    assert roles == {"农经处": "lead", "文教处": "co"}
    assert set(case.assignments.values_list("due_date", flat=True)) == {case.due_date}
    assert case.due_date is not None and case.due_date > datetime.date.today()
    assert "公文处理工作条例" in case.deadline_basis
    assert Notification.objects.filter(recipient=office.farmer, case=case).exists()


def test_lead_cannot_complete_before_co_units_report_unless_waived(office):
    case = to_handling(office)
    co = case.assignments.get(role="co")
    with pytest.raises(errors.GuardFailed, match="办结报告"):
        perform(case, "complete", office.farmer)
    report = {"report": "已部署完毕，附检查记录。"}
    with pytest.raises(errors.GuardFailed, match="协办单位尚未全部反馈"):
        perform(case, "complete", office.farmer, params=report)
    with pytest.raises(errors.PermissionRefused):
        assignments.assignment_waive(assignment=co, actor=office.farmer, reason="不需要")
    assignments.assignment_waive(assignment=co, actor=office.leader, reason="文教处无相关任务")
    case = perform(case, "complete", office.farmer, params=report)
    lead = case.assignments.get(role="lead")
    assert (lead.status, lead.report) == ("reported", "已部署完毕，附检查记录。")
    assert lead.reports.get().kind == "final"
    case = perform(case, "confirm", office.head)
    assert case.closed and case.state == "closed" and case.deadline_state == "stopped"
    assert not Task.objects.filter(case=case, state=TaskState.OPEN).exists()


def test_units_report_progress_many_times_and_the_final_report_once(office):
    case = to_handling(office)
    co = case.assignments.get(role="co")
    for text in ("第一阶段", "第二阶段"):
        assignments.assignment_report(
            assignment=co, actor=office.teacher, report=text, kind="progress"
        )
    co.refresh_from_db()
    assert co.status == "open"
    assert list(co.reports.values_list("text", flat=True)) == ["第一阶段", "第二阶段"]
    assignments.assignment_report(assignment=co, actor=office.teacher, report="已完成")
    with pytest.raises(errors.VersionConflict):
        assignments.assignment_report(assignment=co, actor=office.teacher, report="再报一次")
    co.refresh_from_db()
    assert (co.status, co.report) == ("reported", "已完成")
    assert not Task.objects.filter(assignment=co, state=TaskState.OPEN).exists()


def test_only_members_of_the_unit_report(office):
    case = to_handling(office)
    lead = case.assignments.get(role="lead")
    with pytest.raises(errors.PermissionRefused):
        assignments.assignment_report(assignment=lead, actor=office.teacher, report="越权")


def test_return_and_reassign_keep_history(office):
    case = to_handling(office, co_units=False)
    lead = case.assignments.get(role="lead")
    assignments.assignment_return(assignment=lead, actor=office.farmer, reason="不属本处职责")
    new = assignments.assignment_reassign(
        assignment=lead, unit=office.education, actor=office.head, reason="属教育局职责"
    )
    statuses = dict(case.assignments.values_list("unit__name", "status"))
    assert statuses == {"农经处": AssignmentStatus.REASSIGNED, "市教育局": AssignmentStatus.OPEN}
    assert new.role == "lead"
    actions = list(case.events.values_list("action", flat=True))
    assert actions[-2:] == ["assignment.return", "assignment.reassign"]


def countersign(office, users):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    return perform(case, "countersign", office.head, params={"users": users})


def opinion(case, user, value, text=""):
    task = Task.objects.get(case=case, assignee=user, state=TaskState.OPEN)
    return services.task_complete(task=task, actor=user, opinion=value, text=text)


def test_countersign_all_must_agree(office):
    case = countersign(office, [office.leader, office.deputy])
    assert case.state == "countersigning"
    opinion(case, office.leader, "agree")
    case.refresh_from_db()
    assert case.state == "countersigning"
    opinion(case, office.deputy, "agree")
    case.refresh_from_db()
    assert case.state == "review"
    assert case.rounds.get().state == RoundState.PASSED


def test_countersign_veto_rejects_at_once_and_cancels_the_rest(office):
    case = countersign(office, [office.leader, office.deputy, office.deputy2])
    with pytest.raises(errors.GuardFailed, match="理由"):
        opinion(case, office.leader, "disagree")
    opinion(case, office.leader, "disagree", "口径不妥")
    case.refresh_from_db()
    assert case.state == "draft"
    assert case.rounds.get().state == RoundState.REJECTED
    open_tasks = Task.objects.filter(case=case, state=TaskState.OPEN)
    assert not open_tasks.filter(kind="countersign").exists()
    # Back in 起草: the drafter has the case to revise.
    assert list(open_tasks.values_list("kind", "assignee")) == [("draft", office.clerk.pk)]


def test_countersign_quorum(office):
    from zhengban.cases import workflows
    from zhengban.cases.workflow import Countersign, register

    base = workflows.ASSIGNED_TASK.workflow
    quorum = dataclasses.replace(
        base.action("countersign"),
        countersign=Countersign(mode="quorum", quorum=2, pass_state="review", fail_state="draft"),
    )
    actions = tuple(quorum if a.code == "countersign" else a for a in base.actions)
    register(dataclasses.replace(base, case_type="quorum_task", actions=actions))
    case = new_case(office, case_type="quorum_task")
    perform(case, "submit", office.clerk)
    with pytest.raises(errors.GuardFailed, match="法定人数"):
        perform(case, "countersign", office.head, params={"users": [office.leader]})
    perform(
        case,
        "countersign",
        office.head,
        params={"users": [office.leader, office.deputy, office.deputy2]},
    )
    opinion(case, office.leader, "disagree", "不同意")
    case.refresh_from_db()
    assert case.state == "countersigning"  # the remaining two may still make the quorum
    opinion(case, office.deputy, "agree")
    opinion(case, office.deputy2, "agree")
    case.refresh_from_db()
    assert case.state == "review"


def test_countersign_task_cannot_be_completed_twice_or_by_others(office):
    case = countersign(office, [office.leader, office.deputy])
    task = Task.objects.get(case=case, assignee=office.leader)
    with pytest.raises(errors.PermissionRefused):
        services.task_complete(task=task, actor=office.deputy, opinion="agree")
    services.task_complete(task=task, actor=office.leader, opinion="agree")
    with pytest.raises(errors.VersionConflict):
        services.task_complete(task=task, actor=office.leader, opinion="agree")


def test_consult_blocks_moving_on_until_opinions_come_back(office):
    case = new_case(office)
    tasks = services.case_consult(
        case=case, actor=office.clerk, version=case.version, users=[office.farmer], note="请提意见"
    )
    with pytest.raises(errors.GuardFailed, match="加签"):
        perform(case, "submit", office.clerk)
    services.task_complete(task=tasks[0], actor=office.farmer, opinion="comment", text="同意口径")
    assert Notification.objects.filter(recipient=office.clerk, kind="consult_back").exists()
    assert perform(case, "submit", office.clerk).state == "review"


def test_consulted_person_may_see_the_case(office):
    case = new_case(office)
    assert not cases_visible_to(office.outsider).filter(pk=case.pk).exists()
    services.case_consult(
        case=case, actor=office.clerk, version=case.version, users=[office.outsider], note="?"
    )
    assert cases_visible_to(office.outsider).filter(pk=case.pk).exists()


def test_transfer_needs_reason_and_withdraw_restores_until_read(office):
    case = new_case(office)
    with pytest.raises(errors.GuardFailed):
        services.case_transfer(
            case=case, actor=office.clerk, version=case.version, to_user=office.head, reason=" "
        )
    case = services.case_transfer(
        case=case,
        actor=office.clerk,
        version=case.version,
        to_user=office.head,
        reason="请处长阅处",
    )
    assert case.assignee == office.head
    case = services.case_withdraw(case=case, actor=office.clerk, version=case.version)
    assert case.assignee == office.clerk
    assert Task.objects.get(case=case, assignee=office.head).state == TaskState.WITHDRAWN

    case = services.case_transfer(
        case=case, actor=office.clerk, version=case.version, to_user=office.head, reason="再次转办"
    )
    services.task_mark_read(case=case, actor=office.head)
    with pytest.raises(errors.TransitionNotAllowed, match="已阅"):
        services.case_withdraw(case=case, actor=office.clerk, version=case.version)


def test_withdraw_a_declared_action(office):
    case = new_case(office)
    case = perform(case, "submit", office.clerk)
    with pytest.raises(errors.TransitionNotAllowed):
        services.case_withdraw(case=case, actor=office.head, version=case.version)
    case = services.case_withdraw(case=case, actor=office.clerk, version=case.version)
    assert case.state == "draft"


def test_withdraw_an_assignment_removes_untouched_assignments(office):
    case = to_handling(office)
    case = services.case_withdraw(case=case, actor=office.head, version=case.version)
    assert case.state == "review"
    assert not case.assignments.exists()
    assert case.deadline_rule == ""


def test_delegation_lets_a_deputy_act_and_records_both(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    outsider = office.outsider
    with pytest.raises(errors.PermissionRefused):
        perform(case, "send_back", outsider, comment="代签")
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=office.head,
        delegate=outsider,
        start=today,
        end=today + datetime.timedelta(days=3),
        reason="出差",
    )
    outsider = type(outsider).objects.get(pk=outsider.pk)
    case = perform(case, "send_back", outsider, comment="代为退回")
    event = case.events.get(action="send_back")
    assert (event.actor, event.on_behalf_of) == (outsider, office.head)
    record = AuditRecord.objects.filter(action="cases.send_back").get()
    assert record.on_behalf_of_name == str(office.head)


def test_expired_delegation_gives_nothing(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    past = datetime.date.today() - datetime.timedelta(days=10)
    Delegation.objects.create(
        delegator=office.head,
        delegate=office.outsider,
        start=past,
        end=past + datetime.timedelta(days=2),
        reason="过期",
    )
    with pytest.raises(errors.PermissionRefused):
        perform(case, "send_back", office.outsider, comment="x")


def test_visibility_by_unit_clearance_and_admin_role(office):
    case = new_case(office, sensitivity=Clearance.INTERNAL)
    public = new_case(office, sensitivity=Clearance.PUBLIC, title="公开事项")
    assert set(cases_visible_to(office.clerk)) == {case, public}
    assert set(cases_visible_to(office.low)) == {public}
    assert set(cases_visible_to(office.outsider)) == set()
    assert set(cases_visible_to(office.sysadmin)) == set()
    assert set(cases_visible_to(office.leader)) == {case, public}
    from django.http import Http404

    with pytest.raises(Http404):
        case_get_for(office.outsider, case.pk)
    with pytest.raises(Http404):
        case_get_for(office.outsider, 999999)


def test_assigned_units_see_the_case(office):
    case = to_handling(office)
    assert cases_visible_to(office.farmer).filter(pk=case.pk).exists()
    assert cases_visible_to(office.teacher).filter(pk=case.pk).exists()


def test_classified_content_is_refused_on_an_ordinary_system(office, settings):
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    with pytest.raises(errors.ContentNotAllowed, match="保守国家秘密法"):
        new_case(
            office,
            actor=office.leader,
            owner_unit=office.duchashi,
            sensitivity=Clearance.SECRET,
            body="正文",
        )
    register = new_case(office, actor=office.leader, sensitivity=Clearance.SECRET, body="")
    assert register.sensitivity == Clearance.SECRET
    settings.CLASSIFIED_SYSTEM_LEVEL = Clearance.CONFIDENTIAL
    accepted = new_case(
        office, actor=office.leader, sensitivity=Clearance.CONFIDENTIAL, body="正文"
    )
    assert accepted.body == "正文"
    with pytest.raises(errors.ContentNotAllowed, match="最高密级"):
        new_case(office, actor=office.leader, sensitivity=Clearance.TOP_SECRET, body="正文")


def test_task_for_someone_below_the_case_sensitivity_is_refused(office):
    case = new_case(office)
    with pytest.raises(errors.GuardFailed, match="知悉范围"):
        services.case_circulate(
            case=case, actor=office.clerk, version=case.version, users=[office.low]
        )


def test_circulation_read_receipts(office):
    case = new_case(office)
    tasks = services.case_circulate(
        case=case, actor=office.clerk, version=case.version, users=[office.farmer, office.teacher]
    )
    assert {t.kind for t in tasks} == {TaskKind.CIRCULATE}
    assert services.task_mark_read(case=case, actor=office.farmer) == 1
    read = dict(Task.objects.filter(case=case).values_list("assignee__username", "read_at"))
    assert read["farmer"] is not None and read["teacher"] is None


def test_pause_and_resume_recompute_from_history(office):
    from zhengban.cases import deadlines
    from zhengban.workcalendar.calendar import add_workdays

    case = to_handling(office)
    due = case.due_date
    assert case.deadline_state == "running"
    with pytest.raises(errors.GuardFailed, match="不能以该理由暂停计时"):
        perform(case, "pause", office.head, params={"reason": "correction"}, comment="补正")
    case = perform(case, "pause", office.head, params={"reason": "third_party"}, comment="征求意见")
    assert case.deadline_state == "paused"
    with pytest.raises(errors.GuardFailed, match="暂停计时中"):
        perform(case, "pause", office.head, params={"reason": "third_party"}, comment="again")
    case = perform(case, "resume", office.head)
    assert case.deadline_state == "running" and case.due_date == due
    # The pause lasted from the assignment day: move it back in history by a week and the
    # due date, recomputed from history and the calendar, moves by the working days paused.
    pause = case.events.get(action="pause")
    start = case.deadline_start
    pause.time = pause.time.replace(year=start.year, month=start.month, day=start.day)
    pause.save(update_fields=["time"])
    resume = case.events.get(action="resume")
    resume_day = add_workdays(start, 5).date
    resume.time = resume.time.replace(
        year=resume_day.year, month=resume_day.month, day=resume_day.day
    )
    resume.save(update_fields=["time"])
    assert [p.reason for p in deadlines.pauses_from_history(case)] == ["third_party"]
    deadlines.recompute(case)
    assert case.due_date == add_workdays(due, 5).date
    assert "暂停计时5个工作日" in case.deadline_basis


def test_extension_once_by_a_leader(office):
    case = to_handling(office)
    due = case.due_date
    with pytest.raises(errors.PermissionRefused):
        perform(case, "extend", office.head, comment="工作量大")
    case = perform(case, "extend", office.leader, comment="工作量大")
    assert case.due_date > due and case.deadline_extensions == 1
    assert "延长1次" in case.deadline_basis
    with pytest.raises(errors.GuardFailed):
        perform(case, "extend", office.leader, comment="再延")


def test_workflow_definitions_are_validated():
    broken = Workflow(
        case_type="broken",
        label="坏",
        number_prefix="坏",
        initial="a",
        states=(
            State("a", "A"),
            State("b", "B"),
            State("lost", "L"),
            State("end", "E", final=True),
        ),
        actions=(
            Action("go", "去", source=("a",), target="b", permits=(Permit(),)),
            Action("nobody", "无人", source=("b",), target="end", permits=()),
            Action("ghost", "幽灵", source=("a",), target="nowhere", permits=(Permit(),)),
        ),
    )
    errors = validate(broken)
    assert any("nowhere" in e for e in errors)
    assert any("nobody" in e and "没有任何人" in e for e in errors)
    assert any("lost" in e and "不可达" in e for e in errors)
    from zhengban.cases.workflow import register

    with pytest.raises(ImproperlyConfigured):
        register(broken)


def test_admin_roles_cannot_create_or_act(office):
    with pytest.raises(errors.PermissionRefused):
        new_case(office, actor=office.sysadmin)


def test_case_model_holds_number_uniqueness(office):
    case = new_case(office)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            case_type=case.case_type,
            number=case.number,
            year=case.year,
            title="dup",
            state="draft",
            owner_unit=office.duchashi,
            creator=office.clerk,
        )


def test_split_opens_a_child_case_linked_to_its_parent(office):
    case = to_handling(office)
    with pytest.raises(errors.GuardFailed, match="子事项标题"):
        perform(case, "split", office.head, params={})
    perform(case, "split", office.head, params={"child_title": "农村饮水工程冬季管护检查"})
    child = case.children.get()
    assert child.title == "农村饮水工程冬季管护检查"
    assert (child.case_type, child.state, child.owner_unit) == (
        "assigned_task",
        "draft",
        office.duchashi,
    )
    assert child.sensitivity == case.sensitivity
    assert case.events.get(action="split").data["children"] == [child.number]
    assert child.events.get(action="create").data["parent"] == case.number
    with pytest.raises(errors.PermissionRefused):
        perform(case, "split", office.farmer, params={"child_title": "越权"})


def test_external_handling_units_do_not_own_cases(office):
    from zhengban.accounts.services import user_create

    contact = user_create(
        username="contact",
        password="x",
        roles=(Role.UNIT_CONTACT,),
        units=(office.education,),
        validate_password=False,
    )
    with pytest.raises(errors.PermissionRefused):
        new_case(office, actor=contact, owner_unit=office.education)
    with pytest.raises(errors.PermissionRefused):
        new_case(office, actor=office.leader, owner_unit=office.education)


def test_a_delegate_reports_for_the_assigned_unit_and_both_are_recorded(office):
    case = to_handling(office, co_units=False)
    lead = case.assignments.get(role="lead")
    with pytest.raises(errors.PermissionRefused):
        assignments.assignment_report(assignment=lead, actor=office.teacher, report="越权")
    today = datetime.date.today()
    Delegation.objects.create(
        delegator=office.farmer, delegate=office.teacher, start=today, end=today, reason="休假"
    )
    teacher = type(office.teacher).objects.get(pk=office.teacher.pk)
    assignments.assignment_report(assignment=lead, actor=teacher, report="代为反馈")
    event = case.events.get(action="assignment.report")
    assert (event.actor, event.on_behalf_of) == (teacher, office.farmer)
