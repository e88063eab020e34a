"""The command dispatch shared by the pages and the API: validate the submitted data with the
action's form, then call the service. A unit id, a date or a person means the same in a
browser and in a script."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import assignments, errors, selectors, services
from .choices import ReportKind
from .forms import (
    ASSIGNMENT_VERBS,
    KERNEL_ACTIONS,
    ActionForm,
    KernelActionForm,
    Pickers,
    ReportReviewForm,
    assignment_form,
    errors_text,
)


def _declared(case, code: str) -> bool:
    workflow = selectors.workflow_or_none(case.case_type)
    return bool(workflow) and any(a.code == code for a in workflow.actions)


def perform_action(*, user, case, code: str, data) -> str:
    """Validate `data` with the action's form and take the action. Returns the action's
    label; raises a CaseError (a stale version is a VersionConflict from the service)."""
    pickers = Pickers.for_case(case, user)
    if code in KERNEL_ACTIONS and not _declared(case, code):
        form = KernelActionForm(data, code=code, case=case, pickers=pickers)
        if not form.is_valid():
            raise errors.GuardFailed(errors_text(form))
        version = form.cleaned_data["version"]
        comment = form.cleaned_data.get("comment", "")
        if code == "consult":
            services.case_consult(
                case=case, actor=user, version=version, users=form.users(), note=comment
            )
        elif code == "circulate":
            services.case_circulate(
                case=case, actor=user, version=version, users=form.users(), note=comment
            )
        elif code == "transfer":
            services.case_transfer(
                case=case, actor=user, version=version, to_user=form.to_user(), reason=comment
            )
        else:
            services.case_withdraw(case=case, actor=user, version=version)
        return str(KERNEL_ACTIONS[code])
    workflow = selectors.workflow_or_none(case.case_type)
    action = next((a for a in workflow.actions if a.code == code), None) if workflow else None
    if action is None:
        raise errors.TransitionNotAllowed(_("未知操作：%(code)s") % {"code": code})
    form = ActionForm(data, case=case, action=action, pickers=pickers)
    if not form.is_valid():
        raise errors.GuardFailed(errors_text(form))
    services.case_perform(
        case=case,
        action_code=code,
        actor=user,
        version=form.cleaned_data["version"],
        params=form.params(),
        comment=form.cleaned_data.get("comment") or "",
    )
    return str(action.label)


def assignment_action(*, user, case, assignment, verb: str, data) -> str:
    form = assignment_form(verb, assignment, data, pickers=Pickers.for_case(case, user))
    if not form.is_valid():
        raise errors.GuardFailed(errors_text(form))
    cleaned = form.cleaned_data
    if verb in ("report", "record"):
        assignments.assignment_report(
            assignment=assignment,
            actor=user,
            report=cleaned["report"],
            kind=cleaned["kind"] or ReportKind.FINAL,
            on_behalf=verb == "record",
        )
    elif verb == "extend":
        assignments.assignment_extension_request(
            assignment=assignment, actor=user, new_due=cleaned["new_due"], reason=cleaned["reason"]
        )
    elif verb == "urge":
        assignments.case_urge(
            case=case, actor=user, message=cleaned["message"], assignment=assignment
        )
    elif verb == "return":
        assignments.assignment_return(assignment=assignment, actor=user, reason=cleaned["reason"])
    elif verb == "waive":
        assignments.assignment_waive(assignment=assignment, actor=user, reason=cleaned["reason"])
    else:
        assignments.assignment_reassign(
            assignment=assignment, unit=cleaned["unit"], actor=user, reason=cleaned["reason"]
        )
    return str(ASSIGNMENT_VERBS[verb][1])


def report_review(*, user, report, data) -> str:
    form = ReportReviewForm(data)
    if not form.is_valid():
        raise errors.GuardFailed(errors_text(form))
    accept = form.cleaned_data["decision"] == "accept"
    assignments.report_review(
        report=report, actor=user, accept=accept, reason=form.cleaned_data["reason"]
    )
    return _("采纳反馈") if accept else _("退回反馈")
