"""签报 (呈批件) as a case type of the kernel: its form, panel, filters, columns and workflow

    拟稿 → 处室审核 (同意呈报 / 退回修改) → 待呈批 (the division head or an office leader
    chooses the leaders, in order) → 领导审批 (each leader in turn: 审批同意, 退回, or
    不予批准) → 已批准 / 不予批准 → 归档

declared through `zhengban.cases.casetypes`. Each leader's 审批 (and a 不予批准) is also a
领导批示 on a 呈批件: it lands in the 批示件台账 (`zhengban.instructions`). A leader's 退回
sends it back to the drafter; on re-submission the division head 呈批 again and the turns
start from the first leader.
Registered from `ApprovalsConfig.ready()`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES, Role
from zhengban.cases import effects, guards
from zhengban.cases.casetypes import CaseType, Column, Filter, Panel
from zhengban.cases.choices import TaskKind
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
from zhengban.instructions.effects import record_instruction

from .models import ApprovalCategory, ApprovalRequest, Outcome

CASE_TYPE = "approval"
LEADERS_SLOT = "leaders"  # the leaders chosen at 呈批, in the order they 审批
MAX_LEADERS = 4  # 分管副秘书长 → 秘书长 → 分管副市长 → 市长
LEADER_PARAMS = tuple(f"leader_{n}" for n in range(1, MAX_LEADERS + 1))
DETAIL_FIELDS = ("category", "proposal")

# --- the form ---------------------------------------------------------------------------------


class ApprovalForm(forms.ModelForm):
    """请示事项类别 and the division's 拟办意见; 事由 and 正文 are the case's title and body."""

    class Meta:
        model = ApprovalRequest
        fields = list(DETAIL_FIELDS)
        widgets = {"proposal": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        current = getattr(self.instance, "category_id", None)
        rows = ApprovalCategory.objects.filter(active=True)
        if current:  # a category retired since keeps showing on the 签报 that has it
            rows = ApprovalCategory.objects.filter(active=True) | ApprovalCategory.objects.filter(
                pk=current
            )
        category.queryset = rows.order_by("order", "pk")
        category.empty_label = None if current else "—"
        self.fields["proposal"].help_text = _(
            "本处室对所请事项的处理建议，如：拟同意安排专项经费××万元，由××处负责组织实施。"
        )


class _CategoryChoices:
    """The inbox filter's choices, read when the filter is shown (the list is the office's)."""

    def __iter__(self):
        rows = ApprovalCategory.objects.order_by("order", "pk").values_list("code", "name")
        return iter(list(rows))

    def __bool__(self) -> bool:
        return True


# --- effects and guards --------------------------------------------------------------------------


def _chosen(ctx) -> list:
    """The leaders chosen at 呈批, in order, blanks skipped."""
    values = [ctx.params.get(name) for name in LEADER_PARAMS]
    return [v for v in values if v not in (None, "")]


def _chosen_ids(ctx) -> list:
    return [getattr(v, "pk", v) for v in _chosen(ctx)]


DISTINCT_LEADERS = Guard(
    lambda ctx: len(set(_chosen_ids(ctx))) == len(_chosen_ids(ctx)),
    _("同一位领导只能呈批一次。"),
)


def gather_leaders() -> Effect:
    """The leaders chosen one per field (第一位、第二位 …) become one ordered list for the slot."""

    def apply(ctx) -> None:
        ctx.params["leaders"] = _chosen(ctx)

    return Effect(apply, _("确定审批顺序"), undoable=True)


def record_outcome(outcome: str) -> Effect:
    """The last leader's 审批同意 (or any leader's 不予批准) decides the 签报: who, when, and
    their words. An approval that passes the 签报 on to the next leader decides nothing."""

    def apply(ctx) -> None:
        if ctx.case.state != ctx.action.target:
            return
        ApprovalRequest.objects.filter(case=ctx.case).update(
            outcome=outcome,
            decided_by=ctx.principal,
            decided_at=timezone.now(),
            outcome_note=ctx.comment,
        )
        ctx.event_data["outcome"] = outcome

    return Effect(apply, _("记录审批结果"))


def _archive(ctx) -> None:
    from .services import archive

    archive(ctx)


# Not withdrawable: an archive item's 件号 is gapless and its 档号 is printed on the file.
ARCHIVE = Effect(_archive, _("归档（签报单作为一件归档）"))

# --- the workflow ------------------------------------------------------------------------------

DRAFTER = (Permit(relation=Relation.CREATOR),)
DIVISION_HEAD = (Permit(relation=Relation.OWNER_UNIT_HEAD),)
# 呈批: the drafting division's head, or 秘书长/副秘书长 (office leaders) routing it on.
ROUTERS = (
    Permit(relation=Relation.OWNER_UNIT_HEAD),
    Permit(roles=frozenset({Role.OFFICE_LEADER})),
)
LEADER_IN_TURN = (Permit(relation=f"turn:{LEADERS_SLOT}"),)
DIVISION = (Permit(relation=Relation.OWNER_UNIT_MEMBER),)
EDITABLE = frozenset({"title", "body", "urgency", "attachments", *DETAIL_FIELDS})
LEADER_LABELS = (
    _("第一位审批领导"),
    _("第二位审批领导（可不选）"),
    _("第三位审批领导（可不选）"),
    _("第四位审批领导（可不选）"),
)

WORKFLOW = Workflow(
    case_type=CASE_TYPE,
    label=_("签报"),
    number_prefix="签",
    initial="draft",
    transferable_slots=frozenset(),
    slot_labels={LEADERS_SLOT: _("审批领导")},
    states=(
        State(
            "draft",
            _("拟稿"),
            task=StateTask(TaskKind.DRAFT, "creator"),
            expected="submit",
            editable=EDITABLE,
        ),
        State(
            "review",
            _("处室审核"),
            task=StateTask(TaskKind.REVIEW, "owner_unit_head"),
            expected="endorse",
            editable=EDITABLE,
        ),
        State(
            "routing",
            _("待呈批"),
            task=StateTask(TaskKind.HANDLE, "owner_unit_head"),
            expected="route",
            editable=frozenset({"attachments"}),
        ),
        State(
            "approving",
            _("领导审批"),
            task=StateTask(TaskKind.APPROVE, f"turn:{LEADERS_SLOT}"),
            expected="approve",
            side_actions=frozenset({"consult", "circulate"}),
        ),
        State("approved", _("已批准"), closing=True, expected="archive"),
        State("refused", _("不予批准"), closing=True, expected="archive"),
        State("archived", _("已归档"), final=True),
    ),
    actions=(
        Action(
            "submit",
            _("送处室审核"),
            source=("draft",),
            target="review",
            permits=DRAFTER,
            guards=(
                guards.required_fields("title", "body", labels={"title": "事由", "body": "正文"}),
            ),
            withdrawable=True,
        ),
        Action(
            "endorse",
            _("同意呈报"),
            source=("review",),
            target="routing",
            permits=DIVISION_HEAD,
            # 处室负责人意见 is what the slip prints under the division head's name.
            comment_required=True,
            comment_label=_("处室负责人意见"),
        ),
        Action(
            "review_return",
            _("退回修改"),
            source=("review", "routing"),
            target="draft",
            permits=DIVISION_HEAD,
            comment_required=True,
            comment_label=_("退回理由"),
        ),
        Action(
            "route",
            _("呈批"),
            source=("routing",),
            target="approving",
            permits=ROUTERS,
            params=tuple(
                Param(name, "user", label, required=(n == 0), roles=LEADER_ROLES)
                for n, (name, label) in enumerate(zip(LEADER_PARAMS, LEADER_LABELS, strict=True))
            ),
            guards=(DISTINCT_LEADERS,),
            effects=(gather_leaders(), effects.fill_slot(LEADERS_SLOT, "leaders")),
        ),
        Action(
            "approve",
            _("审批同意"),
            source=("approving",),
            target="approved",
            permits=LEADER_IN_TURN,
            sequence=LEADERS_SLOT,
            effects=(record_outcome(Outcome.APPROVED), record_instruction()),
            comment_required=True,
            comment_label=_("审批意见"),
        ),
        Action(
            "leader_return",
            _("退回"),
            source=("approving",),
            target="draft",
            permits=LEADER_IN_TURN,
            comment_required=True,
            comment_label=_("退回理由"),
        ),
        Action(
            "refuse",
            _("不予批准"),
            source=("approving",),
            target="refused",
            permits=LEADER_IN_TURN,
            effects=(record_outcome(Outcome.REFUSED), record_instruction()),
            comment_required=True,
            comment_label=_("不予批准理由"),
        ),
        Action(
            "archive",
            _("归档"),
            source=("approved", "refused"),
            target="archived",
            permits=DIVISION,
            effects=(ARCHIVE,),
        ),
    ),
)

# --- the case type -----------------------------------------------------------------------------


def _search_text(case) -> str:
    detail = getattr(case, "approval", None)
    if detail is None:
        return ""
    return f"{detail.category.name} {detail.proposal}"


def _panel_context(user, case, detail) -> dict:
    from .selectors import approval_panel

    return approval_panel(user, case, detail)


APPROVAL = CaseType(
    workflow=WORKFLOW,
    body_label=_("正文"),
    # A 发文 or a 督办事项 starts from an approved 签报, not from a draft.
    derive_states=frozenset({"approved", "archived"}),
    detail_model=ApprovalRequest,
    create_form=ApprovalForm,
    edit_form=ApprovalForm,
    panels=(Panel(_("签报信息"), "approvals/panel.html", context=_panel_context),),
    search_text=_search_text,
    filters=(
        Filter(
            "category", _("请示事项类别"), "approval__category__code", choices=_CategoryChoices()
        ),
        Filter("outcome", _("审批结果"), "approval__outcome", choices=tuple(Outcome.choices)),
    ),
    columns=(
        Column("category_name", _("类别"), "approval.category.name", select="approval__category"),
        Column("outcome_label", _("审批结果"), "approval.outcome_label", select="approval"),
    ),
    number_series="approval",
)
