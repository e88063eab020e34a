"""The effect a workflow declares on its 批示 action so that the step lands in the 批示件台账:

    Action("instruct", ..., effects=(..., record_instruction()))

It reads the action's comment as the 批示's text and, when the action has them, the params
"due_date" (办理时限), "supervise" (列入督办) and "units" (the units it names, the first
leading; or "lead_unit" with "units" as the others). The leader is the one the action is
taken as (a 委托 delegate's act is recorded as theirs, 代录 by the delegate)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengban.cases.workflow import Effect

TRUE_WORDS = {"1", "true", "yes", "on", "是", "y"}


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in TRUE_WORDS


def _units(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def record_instruction() -> Effect:
    def apply(ctx) -> None:
        from .services import instruction_create

        params = ctx.params
        instruction = instruction_create(
            actor=ctx.actor,
            leader=ctx.principal,
            text=ctx.comment,
            given_on=ctx.today,
            units=_units(params.get("units")),
            lead_unit=params.get("lead_unit"),
            due_date=params.get("due_date"),
            supervise=_flag(params.get("supervise")),
            case=ctx.case,
            event_seq=ctx.seq,
            authorized=True,  # the kernel permitted the action
        )
        ctx.event_data["instruction"] = instruction.pk
        if instruction.item_id:
            ctx.event_data["supervision_item"] = instruction.item_id

    def undo(case, data, actor) -> None:
        # 撤回 of the step: the 批示 goes with it (a supervision item it opened stays, as
        # the kernel's derived cases do, and is handled there).
        from .models import Instruction

        if data.get("instruction"):
            Instruction.objects.filter(pk=data["instruction"], item__isnull=True).delete()

    apply.records_instruction = True  # the case page's 批示 panel looks for it
    return Effect(apply, _("登记领导批示"), undo=undo)
