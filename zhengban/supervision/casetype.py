"""督办事项 as a case type of the kernel:

    立项 → 交办 (lead and co-units, internal or external, deadline, 分管领导)
         → 办理中 (progress reports per cadence, reviewed by the supervising unit)
         → 提请办结 (the lead's 办结报告 with evidence) → 审核办结 (accepted → 已办结, or
           returned → 办理中) → 归档

Registered from `SupervisionConfig.ready()`. Reports, their review, 催办, extension requests
(decided by the 分管领导 slot "leader") and attachments are the kernel's."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES, Role
from zhengban.cases import effects, guards
from zhengban.cases.casetypes import CaseType, Column, Filter, Panel
from zhengban.cases.choices import AssignmentRole, AssignmentStatus, TaskKind
from zhengban.cases.workflow import (
    Action,
    Effect,
    Guard,
    Param,
    Permit,
    Relation,
    State,
    StateTask,
    Workflow,
)
from zhengban.workcalendar.choices import DeadlineEvent
from zhengban.workcalendar.deadlines import WD, DeadlineRule, ExtensionRule

from .choices import Cadence, SourceKind
from .models import SupervisionItem

CASE_TYPE = "supervision"
RULE = "supervision.item"
LEADER_SLOT = "leader"  # the 分管领导: decides extension requests (the kernel's slot name)
DETAIL_FIELDS = ("source_kind", "source_label", "cadence")

LEADERS = frozenset(LEADER_ROLES)
HEADS = frozenset({Role.DIVISION_HEAD})
# The supervising unit (督查室, or the sector division) is the case's owner unit.
SUPERVISOR = (
    Permit(relation=Relation.OWNER_UNIT_MEMBER),
    Permit(relation=Relation.CREATOR),
    Permit(roles=LEADERS),
)
SUPERVISOR_HEAD = (
    Permit(roles=HEADS, relation=Relation.OWNER_UNIT_HEAD),
    Permit(roles=LEADERS),
)
LEAD_UNIT = (Permit(relation=Relation.LEAD_UNIT_MEMBER),)

DEADLINE_RULE = DeadlineRule(
    code=RULE,
    title="督办事项办理",
    unit=WD,
    amount=15,
    from_event=DeadlineEvent.ASSIGNMENT,
    legal_basis=(
        "《党政机关公文处理工作条例》第二十四条：承办单位应当在规定时限内办理完毕。"
        "本办督查工作惯例：督办事项按交办时确定的期限办结；未定期限的，自交办之日起"
        "15个工作日内办结；确需延期的，由承办单位申请、分管领导批准。"
    ),
    extension=ExtensionRule(
        max_times=2,
        amount=15,
        unit=WD,
        approver_role=Role.OFFICE_LEADER,
        approver_text="分管领导",
    ),
    unconfirmed=True,
)


# --- effects and guards ------------------------------------------------------------------------


def _item(case) -> SupervisionItem:
    return SupervisionItem.objects.select_for_update().get(case=case)


def case_facts(ctx) -> dict:
    """What the item copies from its case after this step: the due date the clock has set
    and whether the step closes it (the kernel closes the case after the effects run)."""
    closes = ctx.workflow.state(ctx.case.state).closes
    return {"due_date": ctx.case.due_date, "closed": bool(ctx.case.closed or closes)}


def record_case_facts() -> Effect:
    """Copy the case's due date and closed flag onto the item (撤销, 归档, 退回重办)."""

    def apply(ctx) -> None:
        SupervisionItem.objects.filter(case=ctx.case).update(**case_facts(ctx))

    return Effect(apply, _("登记事项状态"))


def record_assignment() -> Effect:
    """Keep the lead unit, the date and the 分管领导 on the item; schedule the first report."""

    def apply(ctx) -> None:
        from .services import refresh_schedule

        item = _item(ctx.case)
        item.lead_unit = ctx.params["lead_unit"]
        item.assigned_on = ctx.today
        leader = ctx.params.get("leader")
        item.leader_id = getattr(leader, "pk", leader) or item.leader_id
        item.completed_on = item.on_time = item.days_taken = None
        item.case = ctx.case  # the due date the clock has just set
        for name, value in case_facts(ctx).items():
            setattr(item, name, value)
        refresh_schedule(item, reports=[], save=False)
        item.save()

    return Effect(apply, _("登记督办交办信息"))


def record_completion() -> Effect:
    """办结: the date, whether it was on time, and the days it took, for the statistics."""

    def apply(ctx) -> None:
        item = _item(ctx.case)
        item.completed_on = ctx.today
        due = ctx.case.due_date
        item.on_time = due is None or ctx.today <= due
        start = item.assigned_on or timezone.localtime(ctx.case.created_at).date()
        item.days_taken = (ctx.today - start).days
        item.next_report_due = None
        for name, value in case_facts(ctx).items():
            setattr(item, name, value)
        item.save()

    return Effect(apply, _("登记办结情况"))


def _final_review(ctx, review: str) -> None:
    """The supervising unit's decision on the pending 办结报告 (the kernel's report review,
    taken with the step that decides it)."""
    from zhengban.cases.choices import ReportKind
    from zhengban.cases.models import AssignmentReport

    pending = AssignmentReport.objects.filter(
        assignment__case=ctx.case,
        assignment__role=AssignmentRole.LEAD,
        kind=ReportKind.FINAL,
        review="pending",
    )
    done = pending.update(
        review=review,
        review_reason=ctx.comment if review == "returned" else "",
        reviewed_by=ctx.actor,
        reviewed_at=timezone.now(),
    )
    if done:
        ctx.event_data["final_report_review"] = review


def accept_final() -> Effect:
    def apply(ctx) -> None:
        _final_review(ctx, "accepted")

    return Effect(apply, _("采纳办结报告"))


def _lead_reported(ctx) -> bool:
    from zhengban.cases.models import Assignment

    return Assignment.objects.filter(
        case=ctx.case, role=AssignmentRole.LEAD, status=AssignmentStatus.REPORTED
    ).exists()


FINAL_STANDS = Guard(_lead_reported, _("办结报告已退回，请选择“退回重办”。"))


def reopen_lead() -> Effect:
    """退回重办: the lead unit's 办结报告 is returned with the reason; its part is open again
    and its 承办 task returns to its 待办 (unless the kernel's report review already did)."""

    def apply(ctx) -> None:
        from zhengban.cases import todo
        from zhengban.cases.models import Assignment

        _final_review(ctx, "returned")
        lead = (
            Assignment.objects.select_for_update()
            .filter(case=ctx.case, role=AssignmentRole.LEAD, status=AssignmentStatus.REPORTED)
            .select_related("unit")
            .first()
        )
        if lead is None:
            return
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

    return Effect(apply, _("主办单位重新办理"))


def open_sub_item() -> Effect:
    """分解交办: a sub-item for another unit, a child of this one, in one step."""

    def apply(ctx) -> None:
        from .services import open_item

        item = SupervisionItem.objects.get(case=ctx.case)
        child = open_item(
            actor=ctx.actor,
            title=ctx.params["child_title"],
            body=ctx.params.get("child_body", "") or ctx.comment,
            lead_unit=ctx.params["lead_unit"],
            due_date=ctx.params.get("due_date") or ctx.case.due_date,
            source_kind=item.source_kind,
            source_label=item.source_label,
            parent=ctx.case,
            supervisor_unit=ctx.case.owner_unit,
            cadence=item.cadence,
            leader=item.leader,
        )
        ctx.event_data.setdefault("children", []).append(child.number)

    return Effect(apply, _("分解交办子事项"))


def _evidence(ctx) -> bool:
    """The lead unit has attached evidence (佐证材料) to its 办结报告."""
    from zhengban.cases.models import Assignment, Attachment

    lead = Assignment.objects.filter(
        case=ctx.case, role=AssignmentRole.LEAD, status=AssignmentStatus.OPEN
    ).first()
    if lead is None:
        return True  # the effect explains there is no lead unit working
    return Attachment.objects.filter(
        case=ctx.case, uploaded_by__memberships__unit_id=lead.unit_id
    ).exists()


EVIDENCE = Guard(_evidence, _("请先上传办结佐证材料（附件），再提请办结。"))


# --- forms -------------------------------------------------------------------------------------


class ItemForm(forms.ModelForm):
    class Meta:
        model = SupervisionItem
        fields = list(DETAIL_FIELDS)


# --- the workflow ------------------------------------------------------------------------------

DUE = Param("due_date", "date", _("办结期限（不填按默认15个工作日）"), required=False)

WORKFLOW = Workflow(
    case_type=CASE_TYPE,
    label=_("督办事项"),
    number_prefix="督",
    initial="draft",
    deadline_rule=RULE,
    slot_labels={LEADER_SLOT: _("分管领导")},
    states=(
        State(
            "draft",
            _("立项"),
            task=StateTask(TaskKind.DRAFT, "creator"),
            expected="assign",
            editable=frozenset({"title", "body", "urgency", "attachments", *DETAIL_FIELDS}),
        ),
        State("handling", _("办理中"), expected="complete", editable=frozenset({"attachments"})),
        State(
            "verifying",
            _("审核办结"),
            task=StateTask(TaskKind.CONFIRM, "owner_unit_member"),
            expected="accept",
            editable=frozenset({"attachments"}),
        ),
        State("closed", _("已办结"), closing=True, expected="archive"),
        State("archived", _("已归档"), final=True),
        State("cancelled", _("已撤销"), final=True),
    ),
    actions=(
        Action(
            "assign",
            _("交办"),
            source=("draft",),
            target="handling",
            permits=SUPERVISOR,
            params=(
                Param("lead_unit", "unit", _("主办单位")),
                Param("co_units", "units", _("协办单位"), required=False),
                DUE,
                Param(
                    "leader", "user", _("分管领导（审批延期申请）"), required=False, roles=LEADERS
                ),
                Param("instructions", "text", _("交办要求"), required=False),
            ),
            effects=(
                effects.start_deadline(),
                effects.assign_units(),
                effects.fill_slot(LEADER_SLOT, "leader"),
                record_assignment(),
            ),
        ),
        Action(
            "split",
            _("分解交办"),
            source=("handling",),
            target=None,
            permits=SUPERVISOR,
            params=(
                Param("child_title", "text", _("子事项标题")),
                Param("lead_unit", "unit", _("子事项主办单位")),
                DUE,
                Param("child_body", "text", _("子事项内容"), required=False),
            ),
            effects=(open_sub_item(),),
        ),
        Action(
            "complete",
            _("提请办结"),
            source=("handling",),
            target="verifying",
            permits=LEAD_UNIT,
            params=(Param("report", "text", _("办结报告")),),
            guards=(guards.co_units_reported(), EVIDENCE),
            effects=(effects.lead_final_report(),),
        ),
        Action(
            "accept",
            _("审核通过，办结"),
            source=("verifying",),
            target="closed",
            permits=SUPERVISOR,
            guards=(FINAL_STANDS,),
            effects=(accept_final(), record_completion()),
        ),
        Action(
            "reopen",
            _("退回重办"),
            source=("verifying",),
            target="handling",
            permits=SUPERVISOR,
            comment_required=True,
            effects=(reopen_lead(), record_case_facts()),
        ),
        Action(
            "archive",
            _("归档"),
            source=("closed",),
            target="archived",
            permits=SUPERVISOR,
            effects=(record_case_facts(),),
        ),
        Action(
            "cancel",
            _("撤销"),
            source=("draft", "handling", "verifying"),
            target="cancelled",
            permits=SUPERVISOR_HEAD,
            comment_required=True,
            effects=(record_case_facts(),),
        ),
    ),
)


# --- the case type -----------------------------------------------------------------------------

SOURCE_OF_TYPE = {
    "incoming": SourceKind.INCOMING,
    "approval": SourceKind.APPROVAL,
    "meeting": SourceKind.MEETING,
    "instruction": SourceKind.INSTRUCTION,
}


def prefill(source_case) -> dict:
    """发起督办 from any case: its title and text, its kind as the source."""
    kind = SOURCE_OF_TYPE.get(source_case.case_type, SourceKind.MANUAL)
    return {
        "title": source_case.title,
        "body": source_case.body,
        "urgency": source_case.urgency,
        "sensitivity": source_case.sensitivity,
        "d-source_kind": kind.value,
        "d-source_label": f"{source_case.number} {source_case.title}"[:200],
    }


def _sync_case(case) -> None:
    """The item's copies of the case's due date and closed flag follow the kernel's writes."""
    SupervisionItem.objects.filter(case=case).exclude(
        due_date=case.due_date, closed=case.closed
    ).update(due_date=case.due_date, closed=case.closed)


def _search_text(case) -> str:
    item = getattr(case, "supervision", None)
    return item.source_label if item else ""


def _panel_context(user, case, detail) -> dict:
    from .selectors import item_panel

    return item_panel(user, case, detail)


def _declaration() -> dict:
    values = {
        "workflow": WORKFLOW,
        "detail_model": SupervisionItem,
        "create_form": ItemForm,
        "edit_form": ItemForm,
        "panels": (Panel(_("督办信息"), "supervision/item_panel.html", context=_panel_context),),
        "search_text": _search_text,
        "filters": (
            Filter(
                "source_kind",
                _("事项来源"),
                "supervision__source_kind",
                choices=tuple(SourceKind.choices),
            ),
            Filter("source_label", _("来源说明"), "supervision__source_label"),
            Filter(
                "cadence", _("报送频次"), "supervision__cadence", choices=tuple(Cadence.choices)
            ),
        ),
        "columns": (
            Column("source", _("来源"), "supervision.source_label", select="supervision"),
            Column("lead_unit", _("主办单位"), "supervision.lead_unit", select="supervision"),
        ),
        "number_series": CASE_TYPE,
        "deadline_rules": (DEADLINE_RULE,),
        "sync_case": _sync_case,
    }
    # The kernel's 派生 (sources/prefill) and report review, once they have landed.
    known = {f.name for f in dataclasses.fields(CaseType)}
    for name, value in (
        ("sources", frozenset({"*"})),
        ("prefill", prefill),
        ("review_reports", True),
    ):
        if name in known:
            values[name] = value
    return values


SUPERVISION = CaseType(**_declaration())
