"""交办事项 (assigned task): the generic case type that exercises the whole kernel, usable
before any business app exists. Business apps declare their own case types the same way."""

from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES, Role

from . import effects, guards
from .casetypes import CaseType, register_case_type
from .choices import TaskKind
from .workflow import (
    Action,
    Countersign,
    Param,
    Permit,
    Relation,
    State,
    StateTask,
    Workflow,
)

LEADERS = frozenset(LEADER_ROLES)
HEADS = frozenset({Role.DIVISION_HEAD})

OWNER_STAFF = (Permit(relation=Relation.OWNER_UNIT_MEMBER), Permit(relation=Relation.CREATOR))
OWNER_HEAD_OR_LEADER = (
    Permit(roles=HEADS, relation=Relation.OWNER_UNIT_HEAD),
    Permit(roles=LEADERS),
)
FIELD_LABELS = {"title": _("标题"), "body": _("事项内容")}
LEAD_UNIT = (Permit(relation=Relation.LEAD_UNIT_MEMBER),)

ASSIGNED_TASK = register_case_type(
    CaseType(
        # The kernel's own type keeps the audit namespace it always had.
        audit_namespace="cases",
        workflow=Workflow(
            slot_labels={"leader": _("分管领导")},
            case_type="assigned_task",
            label=_("交办事项"),
            number_prefix="交办",
            initial="draft",
            deadline_rule="office.assigned_task",
            states=(
                State(
                    "draft",
                    _("起草"),
                    task=StateTask(TaskKind.DRAFT, "creator"),
                    expected="submit",
                    editable=frozenset({"title", "body", "urgency", "attachments"}),
                ),
                State(
                    "review",
                    _("待审核"),
                    task=StateTask(TaskKind.REVIEW, "owner_unit_head"),
                    expected="assign",
                    editable=frozenset({"title", "body", "urgency", "attachments"}),
                ),
                State(
                    "countersigning",
                    _("会签中"),
                    waiting=True,
                    side_actions=frozenset({"circulate"}),
                ),
                State(
                    "handling",
                    _("办理中"),
                    editable=frozenset({"attachments"}),
                    expected="complete",
                ),
                State(
                    "confirming",
                    _("待确认办结"),
                    task=StateTask(TaskKind.CONFIRM, "owner_unit_head"),
                    expected="confirm",
                    editable=frozenset({"attachments"}),
                ),
                State("closed", _("已办结"), final=True),
                State("cancelled", _("已撤销"), final=True),
            ),
            actions=(
                Action(
                    "submit",
                    _("提交审核"),
                    source=("draft",),
                    target="review",
                    permits=OWNER_STAFF,
                    guards=(
                        guards.required_fields(
                            "title", "body", labels={"title": "标题", "body": "事项内容"}
                        ),
                    ),
                    withdrawable=True,
                ),
                Action(
                    "send_back",
                    _("退回修改"),
                    source=("review",),
                    target="draft",
                    permits=OWNER_HEAD_OR_LEADER,
                    comment_required=True,
                ),
                Action(
                    "countersign",
                    _("发起会签"),
                    source=("review",),
                    target="countersigning",
                    permits=OWNER_HEAD_OR_LEADER,
                    params=(Param("users", "users", _("会签人")),),
                    countersign=Countersign(
                        mode="all", veto=True, pass_state="review", fail_state="draft"
                    ),
                    withdrawable=True,
                ),
                Action(
                    "assign",
                    _("交办"),
                    source=("review",),
                    target="handling",
                    permits=OWNER_HEAD_OR_LEADER,
                    params=(
                        Param("lead_unit", "unit", _("主办单位")),
                        Param("co_units", "units", _("协办单位"), required=False),
                        Param("due_date", "date", _("办理期限（不填按默认规则）"), required=False),
                        Param("leader", "user", _("分管领导（审批延期申请）"), required=False),
                        Param("instructions", "text", _("交办要求"), required=False),
                    ),
                    effects=(
                        effects.start_deadline(),
                        effects.assign_units(),
                        effects.fill_slot("leader", "leader"),
                        effects.learn_routing(),
                    ),
                    withdrawable=True,
                ),
                Action(
                    "pause",
                    _("暂停计时"),
                    source=("handling",),
                    target=None,
                    permits=OWNER_HEAD_OR_LEADER,
                    params=(Param("reason", "choice", _("暂停事由")),),
                    effects=(effects.pause_deadline(),),
                    comment_required=True,
                ),
                Action(
                    "resume",
                    _("恢复计时"),
                    source=("handling",),
                    target=None,
                    permits=OWNER_HEAD_OR_LEADER,
                    effects=(effects.resume_deadline(),),
                ),
                Action(
                    "extend",
                    _("批准延期"),
                    source=("handling",),
                    target=None,
                    permits=(Permit(roles=LEADERS),),
                    effects=(effects.extend_deadline(),),
                    comment_required=True,
                ),
                Action(
                    "split",
                    _("分解交办"),
                    source=("handling",),
                    target=None,
                    permits=OWNER_HEAD_OR_LEADER,
                    params=(
                        Param("child_title", "text", _("子事项标题")),
                        Param("child_body", "text", _("子事项内容"), required=False),
                    ),
                    effects=(effects.open_child_case(),),
                ),
                Action(
                    "complete",
                    _("提请办结"),
                    source=("handling",),
                    target="confirming",
                    permits=LEAD_UNIT,
                    params=(Param("report", "text", _("办结报告")),),
                    guards=(guards.co_units_reported(),),
                    effects=(effects.lead_final_report(),),
                    withdrawable=True,
                ),
                Action(
                    "confirm",
                    _("确认办结"),
                    source=("confirming",),
                    target="closed",
                    permits=OWNER_HEAD_OR_LEADER,
                ),
                Action(
                    "reopen",
                    _("重新办理"),
                    source=("confirming",),
                    target="handling",
                    permits=OWNER_HEAD_OR_LEADER,
                    comment_required=True,
                    effects=(effects.reopen_lead(),),
                ),
                Action(
                    "cancel",
                    _("撤销"),
                    source=("draft", "review", "handling", "confirming"),
                    target="cancelled",
                    permits=OWNER_HEAD_OR_LEADER,
                    comment_required=True,
                ),
            ),
        ),
    )
)
