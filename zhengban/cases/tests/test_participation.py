"""Kernel 2: tasks follow the hand-offs, access follows participation, reporting matches
practice (several reports, 办结报告, 代录, 申请延期, 催办, a deadline set at 交办), and an
external handling unit reads only its part."""

import datetime

import pytest
from django.urls import reverse

from zhengban.accounts.choices import Role
from zhengban.cases import assignments, comments, delegations, errors, selectors, services
from zhengban.cases.access import CaseAccess
from zhengban.cases.choices import TaskKind, TaskState
from zhengban.cases.models import Case, Comment, Notification, Task
from zhengban.cases.policies import cases_visible_to
from zhengban.workcalendar.calendar import add_workdays, workdays_between

from .conftest import _user
from .test_kernel import new_case, perform, to_handling


def todo_numbers(user) -> list[str]:
    return list(selectors.inbox_queryset(user, "todo").values_list("number", flat=True))


@pytest.fixture
def contact(office):
    """The contact of 市教育局, an external handling unit."""
    return _user("contact", [office.education], [Role.STAFF])


def test_each_hand_off_lands_in_the_next_persons_todo_with_a_bell(office):
    case = new_case(office)
    assert todo_numbers(office.clerk) == [case.number]  # her draft
    perform(case, "submit", office.clerk)
    # 提交审核: the 处长 must review it; the drafter has nothing left to do.
    assert todo_numbers(office.head) == [case.number]
    assert todo_numbers(office.clerk) == []
    assert Notification.objects.filter(recipient=office.head, case=case, kind="task").exists()
    # A staff member of the owner unit does not get a task meant for its head.
    assert todo_numbers(_user("clerk2", [office.duchashi], [Role.STAFF])) == []
    perform(case, "send_back", office.head, comment="请补充责任分工")
    # 退回修改: back in the drafter's 待办, with a bell that says why.
    assert todo_numbers(office.clerk) == [case.number]
    assert todo_numbers(office.head) == []
    bell = Notification.objects.get(recipient=office.clerk, case=case, kind="returned")
    assert "请补充责任分工" in bell.message
    perform(case, "submit", office.clerk)
    perform(case, "assign", office.head, params={"lead_unit": office.nongjing})
    assert todo_numbers(office.farmer) == [case.number]
    assert todo_numbers(office.head) == []
    perform(case, "complete", office.farmer, params={"report": "已完成排查。"})
    assert todo_numbers(office.farmer) == []
    assert todo_numbers(office.head) == [case.number]  # 确认办结
    perform(case, "confirm", office.head)
    assert todo_numbers(office.head) == todo_numbers(office.farmer) == []
    assert Notification.objects.filter(recipient=office.clerk, case=case, kind="closed").exists()


def test_the_api_todo_tab_lists_exactly_the_open_tasks_with_their_kind(client, office):
    case = to_handling(office)
    new_case(office, title="另一件")
    client.force_login(office.teacher)
    rows = client.get(reverse("api-cases:list") + "?tab=todo").json()["results"]
    assert [(r["number"], r["task_kind"]) for r in rows] == [(case.number, "assignment")]
    assert {"id", "number", "title", "task_kind"} <= set(rows[0])


def test_a_head_hands_the_units_task_to_one_of_its_people(office):
    case = to_handling(office, co_units=False)
    farmer2 = _user("farmer2", [office.nongjing], [Role.STAFF])
    chief = _user("chief", [office.nongjing], [Role.DIVISION_HEAD], head_of=[office.nongjing])
    task = Task.objects.get(case=case, kind=TaskKind.ASSIGNMENT)
    with pytest.raises(errors.PermissionRefused):
        services.task_hand(task=task, actor=office.farmer, to_user=farmer2)
    with pytest.raises(errors.GuardFailed):
        services.task_hand(task=task, actor=chief, to_user=office.teacher)
    services.task_hand(task=task, actor=chief, to_user=farmer2)
    assert todo_numbers(farmer2) == [case.number]
    assert todo_numbers(office.farmer) == []  # no longer the unit's untaken task


def test_a_withdrawn_circulation_grants_nothing(office):
    case = to_handling(office)
    case = Case.objects.get(pk=case.pk)
    services.case_circulate(
        case=case, actor=office.head, version=case.version, users=[office.outsider]
    )
    assert cases_visible_to(office.outsider).filter(pk=case.pk).exists()
    case.refresh_from_db()
    services.case_withdraw(case=case, actor=office.head, version=case.version)
    assert not cases_visible_to(office.outsider).filter(pk=case.pk).exists()
    assert not CaseAccess(office.outsider, case).visible


def test_a_unit_reassigned_away_keeps_read_access_only(office):
    case = to_handling(office, co_units=False)
    lead = case.assignments.get()
    assignments.assignment_reassign(
        assignment=lead, unit=office.wenjiao, actor=office.head, reason="职责调整"
    )
    case.refresh_from_db()
    access = CaseAccess(office.farmer, case)
    assert access.visible
    assert services.available_actions(office.farmer, case) == []
    assert access.holder() is None
    assert todo_numbers(office.farmer) == []
    assert todo_numbers(office.teacher) == [case.number]


def test_an_external_contact_can_neither_transfer_nor_be_a_delegate(office, contact):
    other = new_case(office, title="交教育局")
    perform(other, "submit", office.clerk)
    other = perform(other, "assign", office.head, params={"lead_unit": office.education})
    assert todo_numbers(contact) == [other.number]
    with pytest.raises(errors.PermissionRefused):
        services.case_transfer(
            case=other, actor=contact, version=other.version, to_user=office.clerk, reason="转"
        )
    with pytest.raises(errors.PermissionRefused):
        services.case_circulate(
            case=other, actor=contact, version=other.version, users=[office.clerk]
        )
    today = datetime.date.today()
    with pytest.raises(errors.PermissionRefused):
        delegations.delegation_create(
            delegator=office.head,
            delegate=contact,
            start=today,
            end=today,
            reason="出差",
            actor=office.head,
        )


def test_the_external_contact_reads_only_its_part(client, office, contact):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    perform(case, "send_back", office.head, comment="内部退回理由不宜外传")
    perform(case, "submit", office.clerk)
    case = perform(
        case,
        "assign",
        office.head,
        params={"lead_unit": office.education, "co_units": [office.nongjing]},
    )
    comments.comment_add(case=case, actor=office.head, text="内部研究意见")
    comments.comment_add(case=case, actor=office.head, text="请按时反馈", audience="shared")
    co = case.assignments.get(role="co")
    assignments.assignment_report(
        assignment=co, actor=office.farmer, report="农经处的阶段进展", kind="progress"
    )
    client.force_login(contact)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "请按时反馈" in html
    for hidden in ("内部退回理由不宜外传", "内部研究意见", "农经处的阶段进展"):
        assert hidden not in html, hidden
    detail = client.get(reverse("api-cases:detail", args=[case.pk])).content.decode()
    for hidden in ("内部退回理由不宜外传", "内部研究意见", "农经处的阶段进展"):
        assert hidden not in detail, hidden
    notes = client.get(reverse("api-cases:comments", args=[case.pk])).json()
    assert [c["text"] for c in notes] == ["请按时反馈"]


def test_代录_several_reports_extension_and_urge(office):
    case = to_handling(office)  # 农经处 leads, 文教处 co-unit
    co = case.assignments.get(role="co")
    with pytest.raises(errors.PermissionRefused):
        assignments.assignment_report(
            assignment=co, actor=office.outsider, report="x", on_behalf=True
        )
    # 督查室 records the report of a unit without accounts (代录), marked as such.
    report = assignments.assignment_report(
        assignment=co, actor=office.clerk, report="电话反馈：已完成", on_behalf=True
    )
    assert report.recorded_for and report.author == office.clerk
    assert case.events.filter(action="assignment.report_recorded").exists()
    lead = case.assignments.get(role="lead")
    for text in ("已部署", "已检查一半"):
        assignments.assignment_report(
            assignment=lead, actor=office.farmer, report=text, kind="progress"
        )
    assert lead.reports.count() == 2
    # 催办 rings the bell of the units still working.
    assignments.case_urge(case=case, actor=office.clerk, message="请于周五前报送")
    assert Notification.objects.filter(recipient=office.farmer, kind="urge").exists()
    assert not Notification.objects.filter(recipient=office.teacher, kind="urge").exists()
    # 申请延期: the unit asks, the owner's head decides; case and assignment agree on the date.
    case.refresh_from_db()
    new_due = add_workdays(case.due_date, 5).date
    task = assignments.assignment_extension_request(
        assignment=lead, actor=office.farmer, new_due=new_due, reason="需等待检测结果"
    )
    assert todo_numbers(office.head) == [case.number]
    with pytest.raises(errors.PermissionRefused):
        assignments.extension_decide(task=task, actor=office.farmer, approve=True, reason="自批")
    assignments.extension_decide(task=task, actor=office.head, approve=True, reason="同意")
    case.refresh_from_db()
    lead.refresh_from_db()
    assert case.due_date == lead.due_date == new_due
    assert "交办时确定" in case.deadline_basis or "确定为" in case.deadline_basis


def test_the_deadline_is_set_at_assign_and_shown_with_its_rule(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    two_weeks = add_workdays(datetime.date.today(), 8).date
    case = perform(
        case,
        "assign",
        office.head,
        params={"lead_unit": office.nongjing, "co_units": [office.wenjiao], "due_date": two_weeks},
    )
    assert case.due_date == two_weeks
    assert case.deadline_amount == workdays_between(datetime.date.today(), two_weeks)
    assert set(case.assignments.values_list("due_date", flat=True)) == {two_weeks}
    assert "默认10个工作日" in case.deadline_basis
    event = case.events.get(action="assign")
    assert event.data["set_by"] == office.head.pk
    # Withdrawing the 交办 removes the assignments and their tasks, and the clock.
    services.case_withdraw(case=case, actor=office.head, version=case.version)
    case.refresh_from_db()
    assert case.state == "review" and case.assignments.count() == 0
    assert case.deadline_amount is None
    assert not Task.objects.filter(case=case, kind=TaskKind.ASSIGNMENT).exists()
    assert todo_numbers(office.head) == [case.number]


def test_text_size_is_capped(office, settings):
    settings.CASE_TEXT_MAX_CHARS = 100
    case = new_case(office)
    with pytest.raises(errors.GuardFailed, match="不能超过"):
        comments.comment_add(case=case, actor=office.clerk, text="长" * 101)
    assert not Comment.objects.exists()
    with pytest.raises(errors.GuardFailed, match="不能超过"):
        new_case(office, body="长" * 101)
    assert Case.objects.count() == 1


def test_the_case_page_queries_do_not_grow_with_delegations(
    client, office, django_assert_max_num_queries
):
    case = to_handling(office)
    today = datetime.date.today()
    url = reverse("cases:detail", args=[case.pk])
    client.force_login(office.head)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        assert client.get(url).status_code == 200
    for giver in (office.leader, office.deputy):
        delegations.delegation_create(
            delegator=giver,
            delegate=office.head,
            start=today,
            end=today,
            reason="休假",
            actor=giver,
        )
    for i in range(20):
        comments.comment_add(case=case, actor=office.head, text=f"意见{i}")
    with CaptureQueriesContext(connection) as delegated:
        assert client.get(url).status_code == 200
    # Delegations cost a fixed handful (the delegators, their units and roles), not per check.
    assert len(delegated) <= len(plain) + 4, [q["sql"] for q in delegated.captured_queries]


def test_a_closed_case_closes_every_open_task(office):
    case = to_handling(office, co_units=False)
    services.case_circulate(
        case=case, actor=office.head, version=case.version, users=[office.deputy]
    )
    case.refresh_from_db()
    perform(case, "cancel", office.head, comment="不再需要")
    assert not Task.objects.filter(case=case, state=TaskState.OPEN).exists()


def test_a_case_held_by_a_designated_leader_cannot_be_transferred(office):
    """批示 waits for the leader chosen at 拟办 (a slot): a clerk cannot 转办 it elsewhere."""
    from zhengban.cases import effects
    from zhengban.cases.workflow import Action, Param, Permit, State, StateTask, Workflow, register

    register(
        Workflow(
            case_type="test_instruction",
            label="批示件",
            number_prefix="测批",
            initial="proposing",
            states=(
                State("proposing", "拟办"),
                State("instructing", "待批示", task=StateTask(TaskKind.INSTRUCT, "slot:leader")),
                State("done", "已批示", final=True),
            ),
            actions=(
                Action(
                    "propose",
                    "拟办",
                    source=("proposing",),
                    target="instructing",
                    permits=(Permit(relation="owner_unit_member"),),
                    params=(Param("leader", "user", "批示领导"),),
                    effects=(effects.fill_slot("leader", "leader"),),
                ),
                Action(
                    "instruct",
                    "批示",
                    source=("instructing",),
                    target="done",
                    permits=(Permit(relation="slot:leader"),),
                ),
            ),
        )
    )
    try:
        case = new_case(office, case_type="test_instruction")
        case = perform(case, "propose", office.clerk, params={"leader": office.leader})
        assert todo_numbers(office.leader) == [case.number]
        with pytest.raises(errors.TransitionNotAllowed, match="不能转办"):
            services.case_transfer(
                case=case,
                actor=office.clerk,
                version=case.version,
                to_user=office.deputy,
                reason="x",
            )
        # Another leader may see the case but may not give the 批示: the slot decides.
        case.refresh_from_db()
        assert services.available_actions(office.deputy, case) == []
        with pytest.raises(errors.PermissionRefused):
            perform(case, "instruct", office.deputy)
        assert perform(case, "instruct", office.leader).state == "done"
    finally:
        from zhengban.cases.workflow import _REGISTRY

        _REGISTRY.pop("test_instruction", None)


def test_a_withdrawable_action_needs_effects_that_can_be_undone():
    from zhengban.cases.workflow import Action, Effect, Permit, State, Workflow, validate

    flow = Workflow(
        case_type="test_undo",
        label="t",
        number_prefix="测撤",
        initial="a",
        states=(State("a", "a"), State("b", "b", final=True)),
        actions=(
            Action(
                "go",
                "go",
                source=("a",),
                target="b",
                permits=(Permit(),),
                effects=(Effect(lambda ctx: None, "发送短信"),),
                withdrawable=True,
            ),
        ),
    )
    assert any("不能撤销" in error for error in validate(flow))


def test_an_external_contact_cannot_download_an_internal_attachment(
    office, contact, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.http import Http404

    from zhengban.cases.attachments import attachment_add, attachment_open

    settings.PRIVATE_STORAGE_DIR = tmp_path
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case = perform(case, "assign", office.head, params={"lead_unit": office.education})
    internal = attachment_add(
        case=case,
        actor=office.head,
        uploaded_file=SimpleUploadedFile("内部意见.txt", "仅供内部研究。".encode()),
    )
    shared = attachment_add(
        case=case,
        actor=office.head,
        uploaded_file=SimpleUploadedFile("交办单.txt", "请按时办理。".encode()),
        audience="shared",
    )
    with pytest.raises(Http404):
        attachment_open(attachment=internal, actor=contact)
    handle, _type, _name = attachment_open(attachment=shared, actor=contact)
    handle.close()


def test_search_does_not_tell_an_external_contact_what_the_office_wrote(office, contact):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case = perform(case, "assign", office.head, params={"lead_unit": office.education})
    comments.comment_add(case=case, actor=office.head, text="内部研判：资金缺口较大")
    comments.comment_add(case=case, actor=office.head, text="请报送资金测算", audience="shared")

    def found(user, query):
        return list(selectors.search_cases(user, query).values_list("pk", flat=True))

    assert found(office.head, "资金缺口") == [case.pk]
    assert found(contact, "资金缺口") == []
    assert found(contact, "资金测算") == [case.pk]
    assert found(contact, "饮水安全") == [case.pk]  # the title
    todo = selectors.inbox_queryset(contact, "todo", selectors.InboxFilters(q="资金缺口"))
    assert not todo.exists()


def test_an_external_contacts_pickers_offer_only_its_own_and_the_owners_people(office, contact):
    from zhengban.cases.forms import Pickers

    case = new_case(office)
    perform(case, "submit", office.clerk)
    case = perform(case, "assign", office.head, params={"lead_unit": office.education})
    pickers = Pickers.for_case(case, contact)
    listed = set(pickers.people.values())
    assert {office.clerk, office.head} <= listed
    assert not listed & {office.leader, office.deputy, office.farmer}
    assert pickers.person(office.leader.pk) is None  # not even by id
    assert Pickers.for_case(case, office.clerk).person(office.farmer.pk) == office.farmer


def test_a_closing_state_closes_the_case_and_its_tasks_yet_allows_filing(office):
    from zhengban.cases.workflow import (
        _REGISTRY,
        Action,
        Permit,
        State,
        StateTask,
        Workflow,
        register,
    )

    register(
        Workflow(
            case_type="test_archive",
            label="归档测试",
            number_prefix="测档",
            initial="handling",
            states=(
                State("handling", "办理中", task=StateTask(TaskKind.DRAFT, "creator")),
                State("done", "已办结", closing=True),
                State("filed", "已归档", final=True),
            ),
            actions=(
                Action("finish", "办结", ("handling",), "done", (Permit(relation="creator"),)),
                Action("file", "归档", ("done",), "filed", (Permit(relation="owner_unit_member"),)),
            ),
        )
    )
    try:
        case = new_case(office, case_type="test_archive")
        case = perform(case, "finish", office.clerk)
        assert case.closed and not Task.objects.filter(case=case, state=TaskState.OPEN).exists()
        assert [a.code for a in services.available_actions(office.clerk, case)] == ["file"]
        case = perform(case, "file", office.clerk)
        assert case.state == "filed" and services.available_actions(office.clerk, case) == []
    finally:
        _REGISTRY.pop("test_archive", None)


def test_apps_extend_the_roles_a_permit_may_name(office):
    from zhengban.accounts.choices import ROLES, register_role, role_label
    from zhengban.accounts.services import role_grant
    from zhengban.cases.access import CaseAccess
    from zhengban.cases.workflow import Action, Permit

    register_role("test_sealkeeper", "测试印章员")
    try:
        with pytest.raises(ValueError):
            register_role("机要员", "机要员")
        role_grant(user=office.farmer, role="test_sealkeeper", actor=None)
        farmer = type(office.farmer).objects.get(pk=office.farmer.pk)
        assert role_label("test_sealkeeper") == "测试印章员" and farmer.has_role("test_sealkeeper")
        case = new_case(office)
        receive = Action(
            "receive",
            "签收",
            ("draft",),
            "review",
            (Permit(roles=frozenset({"test_sealkeeper"})),),
        )
        # The role holder in another division still sees nothing; the permit names the role only.
        assert CaseAccess(farmer, case).principal_for(receive) is None
        case.owner_unit = office.nongjing
        assert CaseAccess(farmer, case).principal_for(receive) is not None
    finally:
        ROLES.pop("test_sealkeeper", None)


def test_the_task_and_unit_tabs_never_show_what_the_policy_hides(office, contact):
    """待办, 待阅 and 本处室 skip the visibility filter (their rows imply it): check it holds."""
    handling = to_handling(office)
    services.case_circulate(
        case=handling, actor=office.head, version=handling.version, users=[office.outsider]
    )
    handling.refresh_from_db()
    services.case_withdraw(case=handling, actor=office.head, version=handling.version)
    other = new_case(office, title="另一件")
    perform(other, "submit", office.clerk)
    perform(other, "assign", office.head, params={"lead_unit": office.education})
    new_case(office, title="公开件", sensitivity=0)
    people = [office.clerk, office.head, office.farmer, office.teacher, office.outsider]
    for user in [*people, office.low, office.leader, office.sysadmin, contact]:
        visible = set(cases_visible_to(user).values_list("pk", flat=True))
        for tab in ("todo", "toread", "unit"):
            shown = set(selectors.inbox_queryset(user, tab).values_list("pk", flat=True))
            assert shown <= visible, (user, tab)


def test_extension_requests_refused_or_ill_formed_change_nothing(office):
    case = to_handling(office, co_units=False)
    lead = case.assignments.get()
    due = case.due_date
    for bad in (due, due - datetime.timedelta(days=1), due + datetime.timedelta(days=400)):
        with pytest.raises(errors.GuardFailed):
            assignments.assignment_extension_request(
                assignment=lead, actor=office.farmer, new_due=bad, reason="需要更多时间"
            )
    with pytest.raises(errors.GuardFailed, match="理由"):
        assignments.assignment_extension_request(
            assignment=lead,
            actor=office.farmer,
            new_due=due + datetime.timedelta(days=7),
            reason=" ",
        )
    task = assignments.assignment_extension_request(
        assignment=lead,
        actor=office.farmer,
        new_due=due + datetime.timedelta(days=7),
        reason="等检测",
    )
    with pytest.raises(errors.GuardFailed, match="待审批"):
        assignments.assignment_extension_request(
            assignment=lead,
            actor=office.farmer,
            new_due=due + datetime.timedelta(days=9),
            reason="再等",
        )
    assignments.extension_decide(task=task, actor=office.head, approve=False, reason="按期完成")
    case.refresh_from_db()
    assert case.due_date == due and case.deadline_amount is None
    assert Notification.objects.filter(recipient=office.farmer, kind="extension").exists()
    with pytest.raises(errors.VersionConflict):
        assignments.extension_decide(task=task, actor=office.head, approve=True, reason="改主意")


def test_nothing_to_urge_once_every_unit_has_reported(office):
    case = to_handling(office, co_units=False)
    assignments.assignment_report(
        assignment=case.assignments.get(), actor=office.farmer, report="完成"
    )
    with pytest.raises(errors.GuardFailed, match="无需催办"):
        assignments.case_urge(case=case, actor=office.clerk, message="请抓紧")
    with pytest.raises(errors.PermissionRefused):
        assignments.case_urge(case=case, actor=office.farmer, message="请抓紧")
