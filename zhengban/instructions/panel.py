"""The 领导批示 panel on every case page: the case's 批示 (for whoever may read them, by the
kernel's `CaseAccess.may_read`) and, for a leader who may read the case (or a secretary
recording a leader's paper 批示), the form to give one there."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import policies, selectors


def panel_context(user, case, detail) -> dict:
    from zhengban.cases.access import CaseAccess

    access = CaseAccess.of(user, case)
    latest, total, sources = selectors.of_case(case)
    rows = [row for row in latest if access.may_read(row)]
    at_step = _instruct_step(user, case, access)
    sources = [row for row in sources if access.may_read(row)]
    return {
        "sources": sources,
        "instructions": rows,
        "earlier": total - len(latest) if rows else 0,
        "ledger": policies.may_open_ledger(user),
        # The form itself (its unit pickers were a third of the case page's time) loads when
        # its box opens, as the kernel's folded action forms do.
        "may_give": policies.may_give_on_case(user, access) and not at_step,
        "instruct_step": at_step,
    }


def _instruct_step(user, case, access) -> str:
    """The label of a workflow action the user may take now that records the 批示 itself
    (its effects include `record_instruction`): the panel then points to it instead of
    offering a second form."""
    from zhengban.cases.selectors import workflow_or_none
    from zhengban.cases.services import available_actions

    if workflow_or_none(case.case_type) is None:
        return ""
    for action in available_actions(user, case, access):
        if any(getattr(e.apply, "records_instruction", False) for e in action.effects):
            return str(action.label)
    return ""


def register() -> None:
    from zhengban.cases import casetypes

    register_panel = getattr(casetypes, "register_panel", None)
    if register_panel is None:  # the kernel's global panels have not landed yet
        return
    register_panel(casetypes.Panel(_("领导批示"), "instructions/panel.html", context=panel_context))
