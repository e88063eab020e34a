"""Workflows declared as data: states, actions (from → to), who may take each action, guards
and effects. Business apps declare theirs next to their models and register them; the
registry validates every definition when Django starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .context import ActionContext


class Relation(StrEnum):
    """How the acting person relates to the case."""

    ANY = "any"  # no relation needed beyond seeing the case
    OWNER_UNIT_MEMBER = "owner_unit_member"
    OWNER_UNIT_HEAD = "owner_unit_head"
    LEAD_UNIT_MEMBER = "lead_unit_member"  # member of the open lead (主办) unit
    ASSIGNED_UNIT_MEMBER = "assigned_unit_member"  # member of an open lead or co unit
    ASSIGNEE = "assignee"  # the person holding the case
    CREATOR = "creator"


@dataclass(frozen=True)
class Permit:
    """One way to be allowed: holding one of `roles` (empty: any role) and the relation."""

    roles: frozenset[str] = frozenset()
    relation: Relation = Relation.ANY


@dataclass(frozen=True)
class Guard:
    """A condition checked before an action; `message` explains a refusal to the user."""

    check: Callable[[ActionContext], bool]
    message: str


@dataclass(frozen=True)
class Effect:
    """Something an action does inside its transaction, after the state change.

    An action that may be withdrawn (撤回) needs effects that can be undone: `undo` reverses
    what `apply` recorded in the event's data; `undoable` says the kernel's snapshot of the
    case (state, holder, clock) and the withdrawal of the event's tasks already undo it."""

    apply: Callable[[ActionContext], None]
    label: str
    undo: Callable[[Any, dict, Any], None] | None = None
    undoable: bool = False


@dataclass(frozen=True)
class Countersign:
    """会签: the action opens parallel opinion tasks for the chosen people. The round passes
    when all agree (mode "all") or `quorum` agree (mode "quorum"); with `veto`, one
    disagreement rejects at once."""

    mode: str = "all"
    quorum: int | None = None
    veto: bool = False
    pass_state: str = ""
    fail_state: str = ""


@dataclass(frozen=True)
class Param:
    """A value the actor supplies when taking an action (unit, people, reason …)."""

    name: str
    kind: str  # "unit", "units", "user", "users", "text", "date", "choice", "flag"
    label: str
    required: bool = True
    # For people: only holders of one of these roles are offered and accepted (e.g. leaders
    # for 批示 or 签发).
    roles: frozenset[str] = frozenset()
    # For "choice": (case) -> [(value, label)], read when a form is built (the case's
    # organization's 文号 series or seals).
    choices: Callable[[Any], list] | None = None


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    source: tuple[str, ...]
    target: str | None  # None: the state does not change
    permits: tuple[Permit, ...]
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    params: tuple[Param, ...] = ()
    comment_required: bool = False
    comment_label: str = ""  # what the comment is (批示意见, 拟办意见); default 理由/意见或说明
    withdrawable: bool = False  # the actor may 撤回 it until the next person acts
    countersign: Countersign | None = None
    # Ordered turns (逐级审批): the person whose turn it is in this slot takes the action; the
    # case stays in its state until the slot's last person has taken it, then moves to target.
    sequence: str = ""


@dataclass(frozen=True)
class StateTask:
    """The task a state opens when the case enters it, closed when the case leaves it.
    `to` is a relation: "creator" or "assignee" (a person), "owner_unit_head" or
    "owner_unit_member" (the owner unit's task), "slot:<name>" (each person in the slot) or
    "turn:<name>" (the person of the slot whose turn it is)."""

    kind: str
    to: str


# Kernel side actions a state may offer besides its declared actions.
SIDE_ACTIONS = frozenset({"consult", "circulate", "transfer"})


@dataclass(frozen=True)
class State:
    code: str
    label: str
    # Final: no action leaves it (归档, 撤销). Closing: the case is done (办结) — its tasks
    # close and its clock stops — but declared actions may still follow (归档).
    final: bool = False
    closing: bool = False
    # Left by the kernel, not by an action: a 会签 round moves the case on when it decides.
    waiting: bool = False
    task: StateTask | None = None
    # The action the state waits for: the case page opens it first.
    expected: str = ""
    # Case fields (and "attachments") that may still change in this state.
    editable: frozenset[str] = frozenset()
    side_actions: frozenset[str] = SIDE_ACTIONS

    @property
    def closes(self) -> bool:
        return self.final or self.closing


@dataclass(frozen=True)
class Workflow:
    case_type: str
    label: str
    number_prefix: str
    states: tuple[State, ...]
    initial: str
    actions: tuple[Action, ...]
    deadline_rule: str = ""  # a code of zhengban.workcalendar.deadlines.RULES
    extra: dict[str, Any] = field(default_factory=dict)
    # Slots 转办 may move to another person (e.g. not the leader chosen to give a 批示).
    transferable_slots: frozenset[str] = frozenset()
    # How the workflow's slots read on its pages ({"leaders": "批示领导"}).
    slot_labels: dict[str, str] = field(default_factory=dict)

    def state(self, code: str) -> State:
        for state in self.states:
            if state.code == code:
                return state
        raise KeyError(code)

    def action(self, code: str) -> Action:
        for action in self.actions:
            if action.code == code:
                return action
        raise KeyError(code)

    def actions_from(self, state: str) -> list[Action]:
        return [a for a in self.actions if state in a.source]


_REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    errors = validate(workflow)
    if errors:
        raise ImproperlyConfigured(f"工作流 {workflow.case_type} 定义有误：" + "；".join(errors))
    _REGISTRY[workflow.case_type] = workflow
    return workflow


def get_workflow(case_type: str) -> Workflow:
    return _REGISTRY[case_type]


def all_workflows() -> list[Workflow]:
    return list(_REGISTRY.values())


def validate(workflow: Workflow) -> list[str]:
    """Unknown states, unreachable states, dead ends and actions nobody may take."""
    errors: list[str] = []
    codes = [s.code for s in workflow.states]
    if len(set(codes)) != len(codes):
        errors.append("状态代码重复")
    known = set(codes)
    if workflow.initial not in known:
        errors.append(f"初始状态 {workflow.initial} 未定义")
    action_codes = [a.code for a in workflow.actions]
    if len(set(action_codes)) != len(action_codes):
        errors.append("操作代码重复")
    for action in workflow.actions:
        for state in action.source:
            if state not in known:
                errors.append(f"操作 {action.code} 的起始状态 {state} 未定义")
        targets = [action.target] if action.target else []
        if action.countersign:
            targets += [action.countersign.pass_state, action.countersign.fail_state]
        for state in targets:
            if state not in known:
                errors.append(f"操作 {action.code} 的目标状态 {state} 未定义")
        if not action.permits:
            errors.append(f"操作 {action.code} 没有任何人可以执行")
        spec = action.countersign
        if spec and spec.mode == "quorum" and (not spec.quorum or spec.quorum < 1):
            errors.append(f"操作 {action.code} 的会签法定人数无效")
        if spec and action.target in known and not workflow.state(action.target).waiting:
            errors.append(f"会签操作 {action.code} 的目标状态须为等待状态")
        if action.countersign and not any(p.kind == "users" for p in action.params):
            errors.append(f"操作 {action.code} 是会签，须有会签人参数")
        if action.sequence and (not action.target or action.countersign or action.withdrawable):
            errors.append(f"逐人办理的操作 {action.code} 须有目标状态，且不能是会签或可撤回")
    reachable = _reachable(workflow)
    for state in workflow.states:
        if state.code not in reachable:
            errors.append(f"状态 {state.code} 不可达")
        leaves = workflow.actions_from(state.code) or state.waiting
        if not state.final and state.code in reachable and not leaves:
            errors.append(f"非终止状态 {state.code} 没有可执行的操作")
    if not any(s.final for s in workflow.states):
        errors.append("没有终止状态")
    for state in workflow.states:
        if state.task and not _known_relation(state.task.to):
            errors.append(f"状态 {state.code} 的待办对象 {state.task.to} 未定义")
        if state.side_actions - SIDE_ACTIONS:
            errors.append(f"状态 {state.code} 的辅助操作未定义")
        if state.expected and state.expected not in {
            a.code for a in workflow.actions_from(state.code)
        }:
            errors.append(f"状态 {state.code} 的预期操作 {state.expected} 不能从该状态执行")
    for action in workflow.actions:
        for permit in action.permits:
            if not _known_relation(permit.relation):
                errors.append(f"操作 {action.code} 的关系 {permit.relation} 未定义")
        if action.withdrawable:
            for effect in action.effects:
                if effect.undo is None and not effect.undoable:
                    errors.append(f"可撤回操作 {action.code} 的效果“{effect.label}”不能撤销")
    if workflow.deadline_rule:
        from zhengban.workcalendar.deadlines import RULES

        if workflow.deadline_rule not in RULES:  # declared rules; settings may only adjust them
            errors.append(f"期限规则 {workflow.deadline_rule} 未定义")
    return errors


def _known_relation(code: str) -> bool:
    from .access import RELATIONS

    return code.startswith(("slot:", "turn:")) or code in RELATIONS


def _reachable(workflow: Workflow) -> set[str]:
    seen = {workflow.initial}
    frontier = [workflow.initial]
    while frontier:
        state = frontier.pop()
        for action in workflow.actions_from(state):
            nexts = [action.target] if action.target else []
            if action.countersign:
                nexts += [action.countersign.pass_state, action.countersign.fail_state]
            for nxt in nexts:
                if nxt and nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
    return seen
