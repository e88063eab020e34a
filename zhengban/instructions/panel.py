"""The 领导批示 panel on every case page: the case's 批示 (for whoever may read them, by the
kernel's `CaseAccess.may_read`) and, for a leader who may read the case (or a secretary
recording a leader's paper 批示), the form to give one there."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import policies, selectors


def panel_context(user, case, detail) -> dict:
    from zhengban.cases.access import CaseAccess

    access = CaseAccess(user, case)
    rows = [row for row in selectors.of_case(case) if access.may_read(row)]
    form = None
    if policies.may_give_on_case(user, access):
        from .forms import InstructionForm

        form = InstructionForm(user=user)
    return {"instructions": rows, "instruction_form": form}


def register() -> None:
    from zhengban.cases import casetypes

    register_panel = getattr(casetypes, "register_panel", None)
    if register_panel is None:  # the kernel's global panels have not landed yet
        return
    register_panel(casetypes.Panel(_("领导批示"), "instructions/panel.html", context=panel_context))
