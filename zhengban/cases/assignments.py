"""Assignments (主办/协办): reports (阶段性反馈, 办结报告, 代录), 退回, 免除, 改派, 催办, 申请延期
and its decision. Each runs in one transaction under the case's lock, like every kernel write."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.models import User

from . import deadlines, notifications, todo
from .access import CaseAccess
from .casetypes import case_type_or_none
from .choices import (
    AssignmentRole,
    AssignmentStatus,
    Opinion,
    ReportKind,
    ReportReview,
    TaskKind,
    TaskState,
)
from .errors import GuardFailed, TransitionNotAllowed, VersionConflict
from .models import Assignment, AssignmentReport, Case, CaseSlot, Task
from .services import (
    CASE_MUTABLE,
    append_event,
    audits_denials,
    bump,
    check_text_size,
    lock_case,
    next_seq,
    open_tasks,
    refuse,
)


def _locked_assignment(assignment: Assignment) -> tuple[Assignment, Case]:
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    return assignment, lock_case(assignment.case)


@audits_denials
def assignment_report(
    *,
    assignment: Assignment,
    actor: User,
    report: str,
    kind: str = ReportKind.FINAL,
    on_behalf: bool = False,
) -> AssignmentReport:
    """A unit reports: 阶段性反馈 (any number) or its 办结报告 (final: its part is done).

    `on_behalf` (代录): the owner unit records the report of a unit without accounts; the
    record says so."""
    with transaction.atomic():
        assignment, case = _locked_assignment(assignment)
        if assignment.status != AssignmentStatus.OPEN:
            raise VersionConflict(_("该交办已反馈或已变更，无需重复提交。"))
        if kind not in ReportKind.values:
            raise GuardFailed(_("请选择反馈类别。"))
        access = CaseAccess(actor, case)
        principal = access.assignment_member(assignment)
        if on_behalf:
            principal = None if principal or not access.may_manage_assignments else actor
        elif principal is not None:
            principal = principal.user
        if principal is None:
            raise refuse(actor, case, _("代录反馈") if on_behalf else _("反馈"))
        report = report.strip()
        if not report:
            raise GuardFailed(_("请填写办理情况。"))
        check_text_size(report, _("办理情况"))
        declared = case_type_or_none(case.case_type)
        row = AssignmentReport.objects.create(
            assignment=assignment,
            kind=kind,
            text=report,
            author=actor,
            recorded_for=on_behalf,
            review=ReportReview.PENDING if declared and declared.review_reports else "",
        )
        if kind == ReportKind.FINAL:
            assignment.status = AssignmentStatus.REPORTED
            assignment.report = report
            assignment.reported_at = timezone.now()
            assignment.reported_by = actor
            assignment.save()
            if assignment.role == AssignmentRole.CO:
                todo.assignment_tasks_close(assignment, actor=actor)
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=principal,
            action="assignment.report" if not on_behalf else "assignment.report_recorded",
            comment=report,
            data={
                "assignment_id": assignment.pk,
                "unit": assignment.unit.name,
                "kind": kind,
                "report_id": row.pk,
            },
        )
        notifications.notify(
            [u for u in [case.assignee or case.creator] if u.pk != actor.pk],
            case=case,
            kind="report",
            message=_("%(unit)s%(kind)s：%(title)s")
            % {"unit": assignment.unit.name, "kind": ReportKind(kind).label, "title": case.title},
        )
    return row


@audits_denials
def assignment_return(*, assignment: Assignment, actor: User, reason: str) -> Assignment:
    """退回: the unit sends the assignment back (not its duty), with a reason."""
    return _assignment_status(
        assignment, actor, reason, AssignmentStatus.RETURNED, "assignment.return", member=True
    )


@audits_denials
def assignment_waive(*, assignment: Assignment, actor: User, reason: str) -> Assignment:
    """A leader lets the lead close without this co-unit's report."""
    if assignment.role != AssignmentRole.CO:
        raise GuardFailed(_("只有协办单位的反馈可以免除。"))
    return _assignment_status(
        assignment, actor, reason, AssignmentStatus.WAIVED, "assignment.waive", member=False
    )


def _assignment_status(assignment, actor, reason, status, code, *, member) -> Assignment:
    with transaction.atomic():
        assignment, case = _locked_assignment(assignment)
        if assignment.status != AssignmentStatus.OPEN:
            raise VersionConflict(_("该交办已反馈或已变更。"))
        if not reason.strip():
            raise GuardFailed(_("须填写理由。"))
        access = CaseAccess(actor, case)
        if member:
            found = access.assignment_member(assignment)
            principal = found.user if found else None
        else:
            principal = actor if access.is_leader else None
        if principal is None:
            raise refuse(actor, case, status.label)
        assignment.status = status
        assignment.status_reason = reason.strip()
        assignment.save(update_fields=["status", "status_reason"])
        todo.assignment_tasks_close(assignment, actor=actor, done=member)
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=principal,
            action=code,
            comment=reason.strip(),
            data={"assignment_id": assignment.pk, "unit": assignment.unit.name},
        )
        if status == AssignmentStatus.RETURNED:
            notifications.notify(
                [case.assignee or case.creator],
                case=case,
                kind="assignment_returned",
                message=_("%(unit)s退回交办：%(title)s")
                % {"unit": assignment.unit.name, "title": case.title},
            )
    return assignment


@audits_denials
def assignment_reassign(*, assignment: Assignment, unit, actor: User, reason: str) -> Assignment:
    """改派: give a (returned or open) assignment to another unit; history keeps both. The
    unit reassigned away keeps read access to what it did, nothing more."""
    with transaction.atomic():
        assignment, case = _locked_assignment(assignment)
        if assignment.status not in (AssignmentStatus.OPEN, AssignmentStatus.RETURNED):
            raise VersionConflict(_("该交办已反馈或已改派。"))
        if not CaseAccess(actor, case).may_manage_assignments:
            raise refuse(actor, case, _("改派"))
        if not reason.strip():
            raise GuardFailed(_("改派须填写理由。"))
        if Assignment.objects.filter(case=case, unit=unit, status=AssignmentStatus.OPEN).exists():
            raise GuardFailed(_("%(unit)s已在办理该事项。") % {"unit": unit})
        assignment.status = AssignmentStatus.REASSIGNED
        assignment.status_reason = reason.strip()
        assignment.save(update_fields=["status", "status_reason"])
        todo.assignment_tasks_close(assignment, actor=actor, done=False)
        new = Assignment.objects.create(
            case=case,
            unit=unit,
            role=assignment.role,
            instructions=assignment.instructions,
            due_date=assignment.due_date,
        )
        seq = next_seq(case)
        todo.tasks_open(
            case,
            [
                todo.unit_task(
                    case, unit, TaskKind.ASSIGNMENT, requested_by=actor, seq=seq, assignment=new
                )
            ],
        )
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=actor,
            action="assignment.reassign",
            comment=reason.strip(),
            data={"from_unit": assignment.unit.name, "to_unit": unit.name, "assignment_id": new.pk},
        )
    return new


@audits_denials
def case_urge(
    *, case: Case, actor: User, message: str, assignment: Assignment | None = None
) -> Case:
    """催办: remind the units still working (or one of them) with a message."""
    with transaction.atomic():
        case = lock_case(case)
        if case.closed:
            raise TransitionNotAllowed(_("事项已办结。"))
        if not CaseAccess(actor, case).may_manage_assignments:
            raise refuse(actor, case, _("催办"))
        message = message.strip()
        if not message:
            raise GuardFailed(_("请填写催办内容。"))
        check_text_size(message, _("催办内容"))
        working = Assignment.objects.filter(case=case, status=AssignmentStatus.OPEN).select_related(
            "unit"
        )
        if assignment is not None:
            working = working.filter(pk=assignment.pk)
        rows = list(working)
        if not rows:
            raise GuardFailed(_("没有正在办理的承办单位，无需催办。"))
        notifications.notify_units(
            [a.unit for a in rows],
            case=case,
            kind="urge",
            message=_("催办：%(title)s。%(message)s")
            % {"title": case.title, "message": message[:120]},
        )
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=actor,
            action="urge",
            comment=message,
            data={"assignment_ids": [a.pk for a in rows], "units": [a.unit.name for a in rows]},
        )
    return case


@audits_denials
def assignment_extension_request(
    *, assignment: Assignment, actor: User, new_due: datetime.date, reason: str
) -> Task:
    """申请延期: the handling unit asks for a later date; a leader (or the owner unit's head)
    approves or refuses it (`extension_decide`)."""
    with transaction.atomic():
        assignment, case = _locked_assignment(assignment)
        if assignment.status != AssignmentStatus.OPEN or case.closed:
            raise TransitionNotAllowed(_("该交办已不在办理中。"))
        principal = CaseAccess(actor, case).assignment_member(assignment)
        if principal is None:
            raise refuse(actor, case, _("申请延期"))
        reason = reason.strip()
        if not reason:
            raise GuardFailed(_("申请延期须写明理由。"))
        if new_due is None or (case.due_date and new_due <= case.due_date):
            raise GuardFailed(_("申请的期限须晚于现办理期限。"))
        if new_due > timezone.localdate() + datetime.timedelta(days=366):
            raise GuardFailed(_("申请的期限不能超过一年。"))
        if open_tasks(case, TaskKind.EXTENSION).exists():
            raise GuardFailed(_("已有延期申请待审批。"))
        seq = next_seq(case)
        fields = {"assignment": assignment, "note": reason, "requested_due": new_due}
        # The 分管领导 chosen at 交办 decides; without one, the owner unit's head.
        leader = CaseSlot.objects.filter(case=case, name="leader").select_related("user").first()
        if leader is not None:
            row = todo.person_task(
                case, leader.user, TaskKind.EXTENSION, requested_by=actor, seq=seq, **fields
            )
        else:
            row = todo.unit_task(
                case,
                case.owner_unit,
                TaskKind.EXTENSION,
                requested_by=actor,
                seq=seq,
                heads_only=True,
                **fields,
            )
        task = todo.tasks_open(case, [row])[0]
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=principal.user,
            action="extension.request",
            comment=reason,
            data={
                "assignment_id": assignment.pk,
                "new_due": new_due.isoformat(),
                "task_ids": [task.pk],
            },
        )
    return task


@audits_denials
def extension_decide(*, task: Task, actor: User, approve: bool, reason: str) -> Case:
    """A leader or the owner unit's head approves (the case and its assignments get the new
    date, recorded with who set it) or refuses an extension request, with a reason."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        case = lock_case(task.case)
        if task.kind != TaskKind.EXTENSION or task.state != TaskState.OPEN:
            raise VersionConflict(_("该延期申请已处理。"))
        if not CaseAccess(actor, case).is_leader:
            raise refuse(actor, case, _("审批延期"))
        reason = reason.strip()
        if not reason:
            raise GuardFailed(_("请填写审批意见。"))
        task.state = TaskState.DONE
        task.opinion = Opinion.AGREE if approve else Opinion.DISAGREE
        task.opinion_text = reason
        task.completed_by = actor
        task.completed_at = timezone.now()
        task.save()
        data = {"task_id": task.pk, "approved": approve}
        if approve:
            data.update(deadlines.set_due(case, task.requested_due, actor=actor))
        bump(case, *CASE_MUTABLE)
        append_event(
            case,
            actor=actor,
            principal=actor,
            action="extension.approve" if approve else "extension.refuse",
            comment=reason,
            data=data,
        )
        if approve:
            deadlines.recompute(case)
            bump(case, *CASE_MUTABLE)
        notifications.notify(
            [task.requested_by],
            case=case,
            kind="extension",
            message=(
                _("延期申请已批准：%(title)s") if approve else _("延期申请未获批准：%(title)s")
            )
            % {"title": case.title},
        )
    return case


# --- reviewing reports (采纳/退回) ------------------------------------------------------------


def report_reviewer(access: CaseAccess):
    """Who may review the units' reports on this case, as which principal: the holders of the
    type's declared relation (e.g. the supervising unit), else the owner unit's people —
    never an external contact."""
    case_type = case_type_or_none(access.case.case_type)
    if case_type is None or not case_type.review_reports or not access.visible:
        return None
    for p in access.principals:
        if p.external:
            continue
        if case_type.report_reviewer:
            if access.holds(p, case_type.report_reviewer):
                return p
        elif access.case.owner_unit_id in p.unit_ids:
            return p
    return None


@audits_denials
def report_review(
    *, report: AssignmentReport, actor: User, accept: bool, reason: str = ""
) -> AssignmentReport:
    """采纳 or 退回 a unit's report. A returned report rings its unit; a returned 办结报告
    reopens the unit's part for another one."""
    with transaction.atomic():
        assignment, case = _locked_assignment(report.assignment)
        report = AssignmentReport.objects.select_for_update().get(pk=report.pk)
        principal = report_reviewer(CaseAccess(actor, case))
        if principal is None:
            raise refuse(actor, case, _("审核反馈"))
        if report.review != ReportReview.PENDING:
            raise VersionConflict(_("该反馈已审核。"))
        reason = reason.strip()
        if not accept and not reason:
            raise GuardFailed(_("退回反馈须填写理由。"))
        check_text_size(reason, _("退回理由"))
        report.review = ReportReview.ACCEPTED if accept else ReportReview.RETURNED
        report.review_reason = reason
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
        seq = next_seq(case)
        reopened = (
            not accept
            and report.kind == ReportKind.FINAL
            and assignment.status == AssignmentStatus.REPORTED
        )
        if reopened:
            assignment.status = AssignmentStatus.OPEN
            assignment.save(update_fields=["status"])
            if not open_tasks(case).filter(assignment=assignment).exists():
                todo.tasks_open(
                    case,
                    [
                        todo.unit_task(
                            case,
                            assignment.unit,
                            TaskKind.ASSIGNMENT,
                            requested_by=actor,
                            seq=seq,
                            assignment=assignment,
                        )
                    ],
                )
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=principal.user,
            action="report.review",
            comment=reason,
            data={
                "report_id": report.pk,
                "assignment_id": assignment.pk,
                "unit": assignment.unit.name,
                "accepted": accept,
                "reopened": reopened,
            },
        )
        if not accept:
            notifications.notify_units(
                [assignment.unit],
                case=case,
                kind="report_returned",
                message=_("%(unit)s的%(kind)s被退回：%(title)s（%(reason)s）")
                % {
                    "unit": assignment.unit.name,
                    "kind": ReportKind(report.kind).label,
                    "title": case.title,
                    "reason": reason[:80],
                },
            )
    return report
