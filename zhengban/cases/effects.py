"""The effects a workflow action may declare. Each runs inside the action's transaction."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengban.workcalendar.deadlines import compute_due, extension_refusal, get_rule

from .choices import AssignmentRole, AssignmentStatus, TaskKind, TaskState
from .models import Assignment, Task
from .workflow import Effect


def _error(message: str):
    from .errors import GuardFailed

    return GuardFailed(message)


def assign_units() -> Effect:
    """Assign the lead unit (主办, param `lead_unit`) and co-units (协办, param `co_units`);
    each unit gets its task (承办) in its 待办 and a bell."""

    def apply(ctx) -> None:
        from . import todo

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
        seq = ctx.seq
        tasks = todo.tasks_open(
            ctx.case,
            [
                todo.unit_task(
                    ctx.case,
                    a.unit,
                    TaskKind.ASSIGNMENT,
                    requested_by=ctx.actor,
                    seq=seq,
                    assignment=a,
                )
                for a in rows
            ],
        )
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)
        ctx.event_data["assignment_ids"] = [a.pk for a in rows]
        ctx.event_data["lead_unit"] = lead.name
        ctx.event_data["co_units"] = [u.name for u in co_units]

    def undo(case, data, actor) -> None:
        Assignment.objects.filter(pk__in=data.get("assignment_ids", [])).delete()

    return Effect(apply, gettext_lazy("交办主办、协办单位"), undo=undo)


def set_assignee(param: str = "assignee") -> Effect:
    """Give the case to a person (承办人) and open a handling task for them."""

    def apply(ctx) -> None:
        from . import todo
        from .services import resolve_users

        user = resolve_users(ctx.case, [ctx.params[param]])[0]
        Task.objects.filter(case=ctx.case, kind=TaskKind.HANDLE, state=TaskState.OPEN).update(
            state=TaskState.CANCELLED
        )
        ctx.case.assignee = user
        row = todo.person_task(ctx.case, user, TaskKind.HANDLE, requested_by=ctx.actor, seq=ctx.seq)
        tasks = todo.tasks_open(ctx.case, [row])
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)
        ctx.event_data["assignee"] = user.pk

    return Effect(apply, gettext_lazy("指定承办人"), undoable=True)


def fill_slot(slot: str, param: str) -> Effect:
    """Fill the participant slot `slot` from the action's parameter `param` (one user, or
    several in order), e.g. the leaders chosen at 拟办 to give the 批示."""

    def apply(ctx) -> None:
        from .models import CaseSlot
        from .services import resolve_users

        value = ctx.params.get(param)
        chosen = value if isinstance(value, list | tuple) else [value]
        users = resolve_users(ctx.case, [v for v in chosen if v])
        by_pk = {u.pk: u for u in users}
        ordered = [by_pk[getattr(v, "pk", v)] for v in chosen if v]
        CaseSlot.objects.filter(case=ctx.case, name=slot).delete()
        CaseSlot.objects.bulk_create(
            CaseSlot(case=ctx.case, name=slot, position=i, user=u) for i, u in enumerate(ordered)
        )
        ctx.event_data.setdefault("slots", {})[slot] = [u.pk for u in ordered]

    def undo(case, data, actor) -> None:
        from .models import CaseSlot

        CaseSlot.objects.filter(case=case, name=slot).delete()

    return Effect(apply, gettext_lazy("指定办理人"), undo=undo)


def start_deadline(rule_code: str = "", due_param: str = "due_date") -> Effect:
    """Start the clock today under `rule_code` (default: the workflow's rule). A date given in
    param `due_param` (a leader's "两周内") sets the period instead of the rule's default."""

    def apply(ctx) -> None:
        from .deadlines import set_due

        code = rule_code or ctx.workflow.deadline_rule
        ctx.case.deadline_rule = code
        ctx.case.deadline_start = ctx.today
        ctx.case.deadline_extensions = 0
        ctx.case.deadline_amount = None
        ctx.event_data["deadline"] = "start"
        ctx.event_data["rule"] = code
        if ctx.params.get(due_param):
            ctx.event_data.update(set_due(ctx.case, ctx.params[due_param], actor=ctx.actor))
        # A fresh clock has no pauses yet: compute now so later effects (assignment due
        # dates) see the due date; the kernel recomputes from history after the event.
        rule = get_rule(code)
        if ctx.case.deadline_amount:
            rule = dataclasses.replace(rule, amount=ctx.case.deadline_amount)
        due = compute_due(rule, ctx.today)
        ctx.case.due_date, ctx.case.due_provisional = due.date, due.provisional
        ctx.case.deadline_basis = due.basis_text
        ctx.case.deadline_state = "running"

    return Effect(apply, gettext_lazy("开始计算办理期限"), undoable=True)


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
        lead = ctx.params["lead_unit"]
        # Compare like with like: a division with divisions, a bureau with bureaus.
        scope = "external" if lead.kind == "external" else "internal"
        try:
            matches = routing.route_text(text, top=1, scope=scope)
        except routing.RoutingUnavailable:
            return  # no regulation loaded: nothing to learn against
        if not matches or matches[0].key == routing.unit_key(lead.pk):
            return
        chosen_keys = {t.key for t in routing.routing_index().targets}
        if routing.unit_key(lead.pk) not in chosen_keys:
            return  # a unit the router does not index (no duties) teaches it nothing
        correction = routing_confirm(
            text=text, suggested=matches[0].key, chosen=lead, actor=ctx.actor, case=ctx.case
        )
        ctx.event_data["routing_suggested"] = matches[0].name
        ctx.event_data["routing_correction"] = correction.pk if correction else None

    def undo(case, data, actor) -> None:
        from zhengban.routing.models import RoutingCorrection
        from zhengban.routing.services import routing_correction_undo

        correction = RoutingCorrection.objects.filter(
            pk=data.get("routing_correction") or 0, undone=False
        ).first()
        if correction is not None:
            routing_correction_undo(correction=correction, actor=actor)

    return Effect(apply, gettext_lazy("记录分办纠正"), undo=undo)


def lead_final_report(param: str = "report") -> Effect:
    """提请办结 carries the lead unit's 办结报告: its part is done and its task closes."""

    def apply(ctx) -> None:
        from django.utils import timezone

        from . import todo
        from .casetypes import case_type_or_none
        from .choices import ReportKind, ReportReview
        from .models import AssignmentReport

        lead = (
            Assignment.objects.select_for_update()
            .filter(case=ctx.case, role=AssignmentRole.LEAD, status=AssignmentStatus.OPEN)
            .first()
        )
        text = (ctx.params.get(param) or "").strip()
        if lead is None:
            raise _error(_("没有正在办理的主办单位。"))
        if not text:
            raise _error(_("请填写办结报告。"))
        declared = case_type_or_none(ctx.case.case_type)
        report = AssignmentReport.objects.create(
            assignment=lead,
            kind=ReportKind.FINAL,
            text=text,
            author=ctx.actor,
            review=ReportReview.PENDING if declared and declared.review_reports else "",
        )
        lead.status = AssignmentStatus.REPORTED
        lead.report, lead.reported_at, lead.reported_by = text, timezone.now(), ctx.actor
        lead.save()
        todo.assignment_tasks_close(lead, actor=ctx.actor)
        ctx.event_data["final_report"] = {"assignment_id": lead.pk, "report_id": report.pk}

    def undo(case, data, actor) -> None:
        from . import todo
        from .models import AssignmentReport

        done = data.get("final_report") or {}
        AssignmentReport.objects.filter(pk=done.get("report_id")).delete()
        lead = Assignment.objects.filter(pk=done.get("assignment_id")).first()
        if lead is None:
            return
        lead.status, lead.report, lead.reported_at, lead.reported_by = "open", "", None, None
        lead.save()
        todo.tasks_open(
            case,
            [
                todo.unit_task(
                    case,
                    lead.unit,
                    TaskKind.ASSIGNMENT,
                    requested_by=actor,
                    seq=0,
                    assignment=lead,
                )
            ],
        )

    return Effect(apply, gettext_lazy("主办单位提交办结报告"), undo=undo)


def reopen_lead() -> Effect:
    """重新办理 / 退回办结报告: the lead unit's part opens again (its task too), so it can
    report and ask to close once more; its 办结报告 is marked returned with the comment."""

    def apply(ctx) -> None:
        from django.utils import timezone

        from . import todo
        from .choices import ReportKind, ReportReview
        from .models import AssignmentReport

        lead = (
            Assignment.objects.select_for_update()
            .select_related("unit")
            .filter(case=ctx.case, role=AssignmentRole.LEAD, status=AssignmentStatus.REPORTED)
            .first()
        )
        if lead is None:
            return
        AssignmentReport.objects.filter(
            assignment=lead, kind=ReportKind.FINAL, review=ReportReview.PENDING
        ).update(
            review=ReportReview.RETURNED,
            review_reason=ctx.comment,
            reviewed_by=ctx.actor,
            reviewed_at=timezone.now(),
        )
        lead.status = AssignmentStatus.OPEN
        lead.save(update_fields=["status"])
        tasks = todo.tasks_open(
            ctx.case,
            [
                todo.unit_task(
                    ctx.case,
                    lead.unit,
                    TaskKind.ASSIGNMENT,
                    requested_by=ctx.actor,
                    seq=ctx.seq,
                    assignment=lead,
                )
            ],
        )
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)
        ctx.event_data["reopened_assignment"] = lead.pk

    return Effect(apply, gettext_lazy("主办单位重新办理"))


def accept_final_reports() -> Effect:
    """确认办结 where reports are reviewed: the pending 办结报告 are accepted by the act."""

    def apply(ctx) -> None:
        from django.utils import timezone

        from .choices import ReportKind, ReportReview
        from .models import AssignmentReport

        accepted = AssignmentReport.objects.filter(
            assignment__case=ctx.case, kind=ReportKind.FINAL, review=ReportReview.PENDING
        ).update(review=ReportReview.ACCEPTED, reviewed_by=ctx.actor, reviewed_at=timezone.now())
        ctx.event_data["reports_accepted"] = accepted

    return Effect(apply, gettext_lazy("采纳办结报告"))
