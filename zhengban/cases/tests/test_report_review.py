"""Reviewing units' reports (督查室 采纳/退回) where a case type asks for it, and 重新办理
reopening the lead unit's part."""

import dataclasses

import pytest
from django.urls import reverse

from zhengban.cases import assignments, effects, guards, workflows
from zhengban.cases.casetypes import CaseType, register_case_type, unregister_case_type
from zhengban.cases.choices import AssignmentStatus, ReportKind, ReportReview, TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused, VersionConflict
from zhengban.cases.models import Notification, Task

from .test_kernel import new_case, perform


@pytest.fixture
def reviewed(db):
    flow = workflows.ASSIGNED_TASK.workflow
    confirm = dataclasses.replace(
        flow.action("confirm"),
        guards=(guards.final_reports_accepted(),),
        effects=(effects.accept_final_reports(),),
    )
    actions = tuple(confirm if a.code == "confirm" else a for a in flow.actions)
    declared = register_case_type(
        CaseType(
            workflow=dataclasses.replace(
                flow, case_type="test_reviewed", number_prefix="测审", actions=actions
            ),
            review_reports=True,
        )
    )
    yield declared
    unregister_case_type("test_reviewed")


def handling(office, case_type="test_reviewed"):
    case = new_case(office, case_type=case_type)
    perform(case, "submit", office.clerk)
    return perform(
        case,
        "assign",
        office.head,
        params={"lead_unit": office.nongjing, "co_units": [office.wenjiao]},
    )


def co_assignment(case):
    return case.assignments.get(unit__name="文教处")


def test_a_report_is_returned_with_a_reason_then_accepted(office, reviewed):
    case = handling(office)
    co = co_assignment(case)
    report = assignments.assignment_report(
        assignment=co, actor=office.teacher, report="已完成摸底。", kind=ReportKind.PROGRESS
    )
    assert report.review == ReportReview.PENDING
    for stranger in (office.teacher, office.outsider):  # the unit itself, or nobody's
        with pytest.raises(PermissionRefused):
            assignments.report_review(report=report, actor=stranger, accept=True)
    with pytest.raises(GuardFailed):
        assignments.report_review(report=report, actor=office.clerk, accept=False, reason=" ")
    assignments.report_review(report=report, actor=office.clerk, accept=False, reason="数据不全")
    report.refresh_from_db()
    assert (report.review, report.review_reason, report.reviewed_by) == (
        ReportReview.RETURNED,
        "数据不全",
        office.clerk,
    )
    bell = Notification.objects.get(recipient=office.teacher, kind="report_returned")
    assert "数据不全" in bell.message
    with pytest.raises(VersionConflict):  # reviewed once
        assignments.report_review(report=report, actor=office.clerk, accept=True)
    again = assignments.assignment_report(
        assignment=co, actor=office.teacher, report="补充数据。", kind=ReportKind.PROGRESS
    )
    assignments.report_review(report=again, actor=office.clerk, accept=True)
    again.refresh_from_db()
    assert again.review == ReportReview.ACCEPTED


def test_a_returned_final_report_reopens_the_units_part(office, reviewed):
    case = handling(office)
    co = co_assignment(case)
    final = assignments.assignment_report(assignment=co, actor=office.teacher, report="已办结。")
    co.refresh_from_db()
    assert co.status == AssignmentStatus.REPORTED
    assignments.report_review(report=final, actor=office.clerk, accept=False, reason="缺佐证")
    co.refresh_from_db()
    assert co.status == AssignmentStatus.OPEN
    assert Task.objects.filter(assignment=co, state=TaskState.OPEN).exists()


def test_closing_needs_accepted_final_reports_and_the_act_accepts_the_leads(office, reviewed):
    case = handling(office)
    co = co_assignment(case)
    final = assignments.assignment_report(assignment=co, actor=office.teacher, report="已办结。")
    case = perform(case, "complete", office.farmer, params={"report": "全部完成。"})
    with pytest.raises(GuardFailed):  # the co-unit's 办结报告 is not yet accepted
        perform(case, "confirm", office.head)
    assignments.report_review(report=final, actor=office.clerk, accept=True)
    case = perform(case, "confirm", office.head)
    lead = case.assignments.get(role="lead").reports.get(kind=ReportKind.FINAL)
    assert case.closed and lead.review == ReportReview.ACCEPTED


def test_reopening_lets_the_lead_report_and_ask_to_close_again(office):
    case = handling(office, case_type="assigned_task")
    co = co_assignment(case)
    assignments.assignment_report(assignment=co, actor=office.teacher, report="已配合完成。")
    case = perform(case, "complete", office.farmer, params={"report": "已完成。"})
    case = perform(case, "reopen", office.head, comment="请补充照片。")
    lead = case.assignments.get(role="lead")
    assert lead.status == AssignmentStatus.OPEN
    assert Task.objects.filter(assignment=lead, state=TaskState.OPEN).exists()
    case = perform(case, "complete", office.farmer, params={"report": "已补充照片。"})
    assert case.state == "confirming"
    # The type reviews no reports: nobody is offered 采纳/退回.
    assert assignments.report_reviewer(assignments.CaseAccess(office.clerk, case)) is None


def test_page_and_api(client, office, reviewed):
    case = handling(office)
    report = assignments.assignment_report(
        assignment=co_assignment(case), actor=office.teacher, report="进展顺利。", kind="progress"
    )
    client.force_login(office.teacher)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="report-review"' in page and 'data-testid="review-form"' not in page
    url = reverse("api-cases:report_review", args=[case.pk, report.pk])
    assert client.post(url, {"accept": True}, "application/json").status_code == 403
    client.force_login(office.clerk)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="review-form"' in page
    response = client.post(
        reverse("cases:report_review", args=[case.pk, report.pk]),
        {"decision": "return", "reason": ""},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review == ReportReview.PENDING  # no reason, nothing changed
    done = client.post(url, {"accept": False, "reason": "请附照片"}, "application/json")
    assert done.status_code == 200 and done.json()["review"] == ReportReview.RETURNED
    assert client.post(url, {"accept": True}, "application/json").status_code == 409
