"""The item's life through the kernel: report, review, 办结 with evidence, 审核, lights,
escalation and the daily sweep."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengban.cases import assignments
from zhengban.cases.attachments import attachment_add
from zhengban.cases.choices import ReportKind
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Assignment, AssignmentReport, CaseEvent, Notification
from zhengban.cases.services import case_perform
from zhengban.supervision import selectors, services
from zhengban.supervision.choices import Cadence, Escalation, Light, SourceKind
from zhengban.supervision.models import SupervisionItem


def later(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return settings.PRIVATE_STORAGE_DIR


def pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("佐证材料.pdf", buffer.getvalue(), content_type="application/pdf")


def item_for_bureau(office, **kwargs):
    values = {
        "actor": office.clerk,
        "title": "完成主干道路面修复",
        "lead_unit": office.bureau,
        "due_date": later(30),
        "source_kind": SourceKind.MEETING,
        "source_label": "市政府第12次常务会议",
        "cadence": Cadence.WEEKLY,
        "leader": office.leader,
    }
    values.update(kwargs)
    return services.open_item(**values)


def lead(case):
    return Assignment.objects.get(case=case, role="lead")


def perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return case_perform(case=case, action_code=code, actor=actor, version=case.version, **kwargs)


def test_the_bureau_reports_the_office_returns_then_accepts_and_the_item_closes(office, storage):
    case = item_for_bureau(office)
    progress = assignments.assignment_report(
        assignment=lead(case), actor=office.contact, report="已完成方案", kind=ReportKind.PROGRESS
    )
    assert progress.review == "pending"
    # An external contact may not review, nor may another division.
    with pytest.raises(PermissionRefused):
        assignments.report_review(report=progress, actor=office.contact, accept=True)
    assignments.report_review(report=progress, actor=office.clerk, accept=False, reason="未附数据")
    progress.refresh_from_db()
    assert progress.review == "returned"
    assert Notification.objects.filter(recipient=office.contact, kind="report_returned").exists()
    again = assignments.assignment_report(
        assignment=lead(case), actor=office.contact, report="已完成60%", kind=ReportKind.PROGRESS
    )
    assignments.report_review(report=again, actor=office.clerk, accept=True)

    # 提请办结 needs evidence from the bureau.
    with pytest.raises(GuardFailed, match="佐证"):
        perform(case, "complete", office.contact, params={"report": "已全部完成"})
    attachment_add(case=case, actor=office.contact, uploaded_file=pdf())
    perform(case, "complete", office.contact, params={"report": "已全部完成"})
    case.refresh_from_db()
    assert case.state == "verifying"

    # 退回重办 returns the 办结报告 with the reason and reopens the bureau's part.
    perform(case, "reopen", office.clerk, comment="缺少验收意见")
    final = AssignmentReport.objects.get(assignment__case=case, kind="final")
    assert (final.review, final.review_reason) == ("returned", "缺少验收意见")
    assert lead(case).status == "open"
    perform(case, "complete", office.contact, params={"report": "已验收"})
    perform(case, "accept", office.clerk)
    case.refresh_from_db()
    assert case.state == "closed" and case.closed
    item = SupervisionItem.objects.get(case=case)
    assert item.completed_on == timezone.localdate() and item.on_time is True
    assert item.days_taken == 0
    assert AssignmentReport.objects.get(assignment__case=case, kind="final", review="accepted")
    assert selectors.light_of(item) == Light.DONE


def test_only_the_lead_unit_completes_and_only_the_supervisor_accepts(office, storage):
    case = item_for_bureau(office)
    with pytest.raises(PermissionRefused):
        perform(case, "complete", office.farmer, params={"report": "x"})
    attachment_add(case=case, actor=office.contact, uploaded_file=pdf())
    perform(case, "complete", office.contact, params={"report": "完成"})
    with pytest.raises(PermissionRefused):
        perform(case, "accept", office.contact)
    with pytest.raises(PermissionRefused):
        perform(case, "accept", office.outsider)


def test_lights_follow_due_dates_and_reports(office):
    case = item_for_bureau(office, cadence=Cadence.ONCE, due_date=later(60))
    item = SupervisionItem.objects.select_related("case").get(case=case)
    today = timezone.localdate()
    assert selectors.light_of(item) == Light.GREEN
    item.next_report_due = today  # a report due today: yellow
    item.save()
    window = selectors.Window.now()
    lit = SupervisionItem.objects.annotate(light=selectors.light_expression(window)).get(pk=item.pk)
    assert lit.light == Light.YELLOW
    item.next_report_due = today - datetime.timedelta(days=1)
    item.save()
    lit = SupervisionItem.objects.annotate(light=selectors.light_expression(window)).get(pk=item.pk)
    assert lit.light == Light.RED == selectors.light_of(lit)
    counts = selectors.totals(SupervisionItem.objects.all(), window)
    assert (counts["red"], counts["yellow"], counts["items"]) == (1, 0, 1)


def test_escalation_goes_reminder_notice_flag(office):
    case = item_for_bureau(office)
    with pytest.raises(PermissionRefused):
        services.item_escalate(case=case, actor=office.contact)
    item = services.item_escalate(case=case, actor=office.clerk, message="请本周内报送")
    assert item.escalation == Escalation.REMINDED
    assert CaseEvent.objects.filter(case=case, action="urge").exists()
    item = services.item_escalate(case=case, actor=office.clerk)
    assert item.escalation == Escalation.NOTICE
    event = CaseEvent.objects.get(case=case, action="supervision.notice")
    assert event.data["notice_number"].startswith("督催〔")
    assert Notification.objects.filter(recipient=office.contact, kind="urge").count() == 2
    item = services.item_escalate(case=case, actor=office.clerk)
    assert item.escalation == Escalation.FLAGGED
    assert Notification.objects.filter(recipient=office.leader, kind="escalation").exists()
    with pytest.raises(GuardFailed):
        services.item_escalate(case=case, actor=office.clerk)
    document = services.notice_document(case, event)
    assert document.recipients == ["市交通运输局"]
    assert "完成主干道路面修复" in document.body[0].text


def test_the_sweep_reminds_before_a_weekly_report_and_counts_reports(office):
    case = item_for_bureau(office, cadence=Cadence.WEEKLY, due_date=later(40))
    item = SupervisionItem.objects.get(case=case)
    first = item.next_report_due
    assert first is not None
    # Run on the day before the first report: a reminder, once.
    day = first - datetime.timedelta(days=1)
    result = services.supervision_tick(today=day)
    assert result["reminded"] == 1
    assert services.supervision_tick(today=day)["reminded"] == 0
    note = Notification.objects.get(recipient=office.contact, kind="reminder")
    assert "报送提醒" in note.message
    # A report moves the next date on (after the sweep has read it).
    assignments.assignment_report(
        assignment=lead(case), actor=office.contact, report="进展", kind=ReportKind.PROGRESS
    )
    services.supervision_tick()
    item.refresh_from_db()
    assert item.next_report_due == first + datetime.timedelta(days=7)
