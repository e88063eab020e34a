"""The effects a workflow action may declare. Each runs inside the action's transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengban.workcalendar.deadlines import compute_due, extension_refusal, get_rule

from . import notifications
from .choices import AssignmentRole, AssignmentStatus, TaskKind, TaskState
from .models import Assignment, Task
from .workflow import Effect


def _error(message: str):
    from .services import GuardFailed

    return GuardFailed(message)


def assign_units() -> Effect:
    """Assign the lead unit (主办, param `lead_unit`) and co-units (协办, param `co_units`)."""

    def apply(ctx) -> None:
        lead = ctx.params["lead_unit"]
        co_units = [u for u in ctx.params.get("co_units") or [] if u.pk != lead.pk]
        instructions = ctx.params.get("instructions", "") or ctx.comment
        if Assignment.objects.filter(
            case=ctx.case, role=AssignmentRole.LEAD, status=AssignmentStatus.OPEN
        ).exists():
            raise _error(_("该事项已有主办单位在办理，请先改派或退回。"))
        rows = [
            Assignment(
                case=ctx.case,
                unit=unit,
                role=role,
                instructions=instructions,
                due_date=ctx.case.due_date,
            )
            for unit, role in [(lead, AssignmentRole.LEAD)]
            + [(u, AssignmentRole.CO) for u in co_units]
        ]
        Assignment.objects.bulk_create(rows)
        ctx.event_data["assignment_ids"] = [a.pk for a in rows]
        ctx.event_data["lead_unit"] = lead.name
        ctx.event_data["co_units"] = [u.name for u in co_units]
        notifications.notify_units(
            [lead, *co_units],
            case=ctx.case,
            kind="assigned",
            message=_("交办：%(title)s") % {"title": ctx.case.title},
        )

    return Effect(apply, gettext_lazy("交办主办、协办单位"))


def set_assignee(param: str = "assignee") -> Effect:
    """Give the case to a person (承办人) and open a handling task for them."""

    def apply(ctx) -> None:
        from .services import _create_tasks, _next_seq, _resolve_users

        user = _resolve_users(ctx.case, [ctx.params[param]])[0]
        Task.objects.filter(case=ctx.case, kind=TaskKind.HANDLE, state=TaskState.OPEN).update(
            state=TaskState.CANCELLED
        )
        ctx.case.assignee = user
        tasks = _create_tasks(ctx.case, [user], TaskKind.HANDLE, ctx.actor, _next_seq(ctx.case))
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)
        ctx.event_data["assignee"] = user.pk

    return Effect(apply, gettext_lazy("指定承办人"))


def start_deadline(rule_code: str = "") -> Effect:
    """Start the clock today under `rule_code` (default: the workflow's rule)."""

    def apply(ctx) -> None:
        code = rule_code or ctx.workflow.deadline_rule
        ctx.case.deadline_rule = code
        ctx.case.deadline_start = ctx.today
        ctx.case.deadline_extensions = 0
        ctx.event_data["deadline"] = "start"
        ctx.event_data["rule"] = code
        # A fresh clock has no pauses yet: compute now so later effects (assignment due
        # dates) see the due date; the kernel recomputes from history after the event.
        due = compute_due(get_rule(code), ctx.today)
        ctx.case.due_date, ctx.case.due_provisional = due.date, due.provisional
        ctx.case.deadline_basis = due.basis_text
        ctx.case.deadline_state = "running"

    return Effect(apply, gettext_lazy("开始计算办理期限"))


def pause_deadline() -> Effect:
    """Stop the clock (补正, third-party consultation); the reason is the action's comment."""

    def apply(ctx) -> None:
        if not ctx.case.deadline_rule:
            raise _error(_("该事项没有办理期限，无需暂停计时。"))
        rule = get_rule(ctx.case.deadline_rule)
        reason = ctx.params.get("reason", "")
        if not rule.pausable or reason not in rule.pause_reasons | rule.restart_reasons:
            raise _error(
                _("依据“%(title)s”的期限规则，不能以该理由暂停计时。") % {"title": rule.title}
            )
        if ctx.case.deadline_state == "paused":
            raise _error(_("期限已在暂停计时中。"))
        ctx.event_data["deadline"] = "pause"
        ctx.event_data["reason"] = reason

    return Effect(apply, gettext_lazy("暂停计时"))


def resume_deadline() -> Effect:
    def apply(ctx) -> None:
        if ctx.case.deadline_state != "paused":
            raise _error(_("期限未在暂停计时中。"))
        ctx.event_data["deadline"] = "resume"

    return Effect(apply, gettext_lazy("恢复计时"))


def extend_deadline() -> Effect:
    """Extend once more if the rule allows it; the approver is the action's permit."""

    def apply(ctx) -> None:
        if not ctx.case.deadline_rule:
            raise _error(_("该事项没有办理期限。"))
        refusal = extension_refusal(get_rule(ctx.case.deadline_rule), ctx.case.deadline_extensions)
        if refusal:
            raise _error(refusal)
        ctx.case.deadline_extensions += 1
        ctx.event_data["deadline"] = "extend"
        ctx.event_data["extensions"] = ctx.case.deadline_extensions

    return Effect(apply, gettext_lazy("延长办理期限"))


def open_child_case(case_type: str = "") -> Effect:
    """Open a child case (分解交办) titled by param `child_title`, owned by the same unit, with
    the parent's sensitivity and urgency; `case_type` defaults to the parent's type."""

    def apply(ctx) -> None:
        from .services import case_create

        child = case_create(
            case_type=case_type or ctx.case.case_type,
            title=ctx.params["child_title"],
            body=ctx.params.get("child_body", "") or ctx.comment,
            owner_unit=ctx.case.owner_unit,
            actor=ctx.actor,
            sensitivity=ctx.case.sensitivity,
            urgency=ctx.case.urgency,
            parent=ctx.case,
        )
        ctx.event_data.setdefault("children", []).append(child.number)

    return Effect(apply, gettext_lazy("开启子事项"))


def learn_routing() -> Effect:
    """When the lead unit chosen differs from the router's first suggestion for the case's
    text, keep the decision as a correction the router learns from (routing app)."""

    def apply(ctx) -> None:
        from zhengban.routing import selectors as routing
        from zhengban.routing.policies import can_confirm
        from zhengban.routing.services import routing_confirm

        text = f"{ctx.case.title}\n{ctx.case.body}".strip()
        if not can_confirm(ctx.actor):
            return
        try:
            matches = routing.route_text(text, top=1)
        except routing.RoutingUnavailable:
            return  # no regulation loaded: nothing to learn against
        lead = ctx.params["lead_unit"]
        if not matches or matches[0].key == routing.unit_key(lead.pk):
            return
        chosen_keys = {t.key for t in routing.routing_index().targets}
        if routing.unit_key(lead.pk) not in chosen_keys:
            return  # a unit the router does not index (no duties) teaches it nothing
        routing_confirm(
            text=text, suggested=matches[0].key, chosen=lead, actor=ctx.actor, case=ctx.case
        )
        ctx.event_data["routing_suggested"] = matches[0].name

    return Effect(apply, gettext_lazy("记录分办纠正"))
