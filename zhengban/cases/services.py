"""Writes of the case kernel. Every function takes the acting user explicitly, runs in one
transaction, checks the policy, and appends to the case history and the audit chain.

The central one is `case_perform`: permission, state, guard and version are checked before
anything is written; a failure raises a typed `CaseError` and changes nothing.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import LEADER_ROLES, Clearance, role_label
from zhengban.accounts.models import User
from zhengban.audit.services import audit_record
from zhengban.org.choices import UnitKind

from . import deadlines, notifications, search, todo
from .access import CaseAccess
from .casetypes import case_type_or_none, derivable_from
from .choices import (
    DeadlineState,
    Opinion,
    RoundMode,
    RoundState,
    TaskKind,
    TaskState,
    Urgency,
)
from .context import ActionContext
from .errors import (
    CLASSIFIED_RULE,
    ContentNotAllowed,
    GuardFailed,
    PermissionRefused,
    TransitionNotAllowed,
    VersionConflict,
)
from .models import (
    ApprovalRound,
    Case,
    CaseEvent,
    Task,
)
from .numbering import number_next
from .policies import principal_ids
from .workflow import Action, Workflow, get_workflow

# --- helpers -------------------------------------------------------------------------------


def _on_behalf(actor: User, principal: User) -> User | None:
    return principal if principal.pk != actor.pk else None


def next_seq(case: Case) -> int:
    last = CaseEvent.objects.filter(case=case).aggregate(m=Max("seq"))["m"] or 0
    return last + 1


def append_event(
    case: Case,
    *,
    actor: User | None,
    principal: User | None,
    action: str,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        seq=next_seq(case),
        actor=actor,
        on_behalf_of=_on_behalf(actor, principal) if actor and principal else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"{_namespace(case.case_type)}.{action}",
        target=case,
        summary=comment[:500],
        changes={"from": from_state, "to": to_state, **(data or {})},
        on_behalf_of=event.on_behalf_of,
    )
    return event


def _namespace(code: str) -> str:
    case_type = case_type_or_none(code)
    return case_type.namespace if case_type else "cases"


def lock_case(case: Case, version: int | None = None) -> Case:
    locked = Case.objects.select_for_update().select_related("owner_unit").get(pk=case.pk)
    if version is not None and locked.version != version:
        raise VersionConflict()
    return locked


def bump(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=["version", "updated_at", *fields])
    declared = case_type_or_none(case.case_type) if fields else None
    if declared is not None and declared.sync_case is not None:
        declared.sync_case(case)


def check_text_size(text: str, label) -> None:
    """Bodies, comments and reports have a cap: a megabyte of text helps nobody and slows
    every later read and index of the case."""
    if len(text) > settings.CASE_TEXT_MAX_CHARS:
        raise GuardFailed(
            _("%(label)s不能超过%(n)d字。") % {"label": label, "n": settings.CASE_TEXT_MAX_CHARS}
        )


def check_content_allowed(sensitivity: int, *, has_content: bool) -> None:
    """Body text and files of 秘密 and above only on an approved classified system."""
    if sensitivity <= Clearance.INTERNAL or not has_content:
        return
    level = settings.CLASSIFIED_SYSTEM_LEVEL
    if level < Clearance.SECRET:
        raise ContentNotAllowed(str(CLASSIFIED_RULE))
    if sensitivity > level:
        raise ContentNotAllowed(
            _("本系统批准处理的最高密级为%(level)s，不能录入%(sens)s内容。")
            % {"level": Clearance(level).label, "sens": Clearance(sensitivity).label}
        )


# --- permission: every question goes to the one access object -------------------------------


def available_actions(actor: User, case: Case, access: CaseAccess | None = None) -> list[Action]:
    """Actions the user could take now (state and permission; guards are checked on submit)."""
    workflow = get_workflow(case.case_type)
    if workflow.state(case.state).final:
        return []
    access = access or CaseAccess(actor, case)
    key = (case.state, case.version)  # the page asks more than once (its panels too)
    if access.actions_memo is None or access.actions_memo[0] != key:
        found = [a for a in workflow.actions_from(case.state) if access.principal_for(a)]
        access.actions_memo = (key, found)
    return list(access.actions_memo[1])


def refuse(actor: User, case, what: str) -> PermissionRefused:
    refusal = PermissionRefused(_("您无权对该事项执行“%(what)s”。") % {"what": what})
    refusal.audit = (actor, case, what)
    return refusal


def audits_denials(service):
    """Record a refusal in the audit chain after the refused transaction has rolled back
    (inside it, the record would roll back too)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except PermissionRefused as refusal:
            actor, target, what = getattr(refusal, "audit", (kwargs.get("actor"), None, ""))
            if actor is not None and getattr(actor, "is_authenticated", False):
                audit_record(actor=actor, action="cases.denied", target=target, summary=what)
            raise

    return wrapper


# --- creating and editing ------------------------------------------------------------------


def _allocate_number(workflow: Workflow, year: int) -> str:
    case_type = case_type_or_none(workflow.case_type)
    sequence = number_next(series=case_type.series if case_type else workflow.case_type, year=year)
    return f"{workflow.number_prefix}〔{year}〕{sequence}号"


def may_create(user: User, workflow: Workflow, unit) -> bool:
    """Office units own cases; external handling units (市直部门, 区县) only handle them; a
    type may restrict who registers it (收文: the 文书)."""
    if not user.is_authenticated or user.is_admin_role or unit.kind == UnitKind.EXTERNAL:
        return False
    case_type = case_type_or_none(workflow.case_type)
    if case_type and case_type.create_roles and not user.has_role(*case_type.create_roles):
        return False
    return unit.pk in user.unit_ids or user.has_role(*LEADER_ROLES)


def creation_refusal(user: User, workflow: Workflow) -> str:
    """Why the user may register no case of this type at all (its roles), or ""."""
    case_type = case_type_or_none(workflow.case_type)
    if case_type and case_type.create_roles and not user.has_role(*case_type.create_roles):
        roles = "、".join(role_label(r) for r in sorted(case_type.create_roles))
        return _("只有%(roles)s可以登记%(type)s。") % {"roles": roles, "type": workflow.label}
    return ""


@audits_denials
@transaction.atomic
def case_create(
    *,
    case_type: str,
    title: str,
    owner_unit,
    actor: User,
    body: str = "",
    sensitivity: int = Clearance.PUBLIC,
    urgency: str = Urgency.NORMAL,
    assignee: User | None = None,
    parent: Case | None = None,
    detail: dict | None = None,
    check_parent: bool = True,
    check_owner: bool = True,
) -> Case:
    """`detail`: the values of the type's detail model, created in the same transaction.
    `parent`: the source (派生), which the actor must be able to read — unless code links a
    case it creates for others (an issued 发文's 收文 in the receiving division:
    `check_parent=False`); pages show the link only to those who may read both.
    `check_owner=False`: code opens the case for a unit other than the actor's own (a
    meeting's decision becomes 督查室's item); the actor stays its creator."""
    workflow = get_workflow(case_type)
    if check_owner and not may_create(actor, workflow, owner_unit):
        refusal = PermissionRefused(
            creation_refusal(actor, workflow) or _("只能为本人所在处室创建事项。")
        )
        refusal.audit = (actor, owner_unit, "create")
        raise refusal
    if sensitivity > actor.clearance:
        raise PermissionRefused(_("不能创建高于本人知悉范围的事项。"))
    if parent is not None and check_parent:
        _check_source(actor, parent, case_type)
    title = title.strip()
    if not title:
        raise GuardFailed(_("标题不能为空。"))
    if len(title) > Case._meta.get_field("title").max_length:
        raise GuardFailed(_("标题过长。"))
    check_text_size(body, _("正文"))
    check_content_allowed(sensitivity, has_content=bool(body.strip()))
    year = timezone.localdate().year
    case = Case.objects.create(
        case_type=case_type,
        number=_allocate_number(workflow, year),
        year=year,
        title=title,
        body=body,
        state=workflow.initial,
        sensitivity=sensitivity,
        urgency=urgency,
        owner_unit=owner_unit,
        creator=actor,
        assignee=assignee or actor,
        parent=parent,
    )
    _create_detail(case, detail)
    data = {"parent": parent.number} if parent else {}
    if parent is not None:  # the source's timeline tells what was started from it
        append_event(
            lock_case(parent),
            actor=actor,
            principal=actor,
            action="derive",
            data={"child": case.number, "child_id": case.pk, "child_type": case_type},
        )
    tasks = todo.tasks_open(case, todo.state_tasks(case, workflow, requested_by=actor, seq=1))
    if tasks:
        data["task_ids"] = [t.pk for t in tasks]
    append_event(
        case, actor=actor, principal=actor, action="create", to_state=case.state, data=data
    )
    search.index_case(case)
    return case


def _check_source(actor: User, parent: Case, case_type: str) -> None:
    """派生: the user must be able to read the source; a declared type must accept it (the
    kernel's own 分解交办 opens children of its own type)."""
    if not CaseAccess(actor, parent).visible:
        raise PermissionRefused(_("无权查看来源事项。"))
    declared = case_type_or_none(case_type)
    if declared and parent.case_type != case_type and not declared.accepts(parent.case_type):
        raise GuardFailed(_("%(type)s不能由该类事项发起。") % {"type": declared.workflow.label})
    if (
        declared
        and parent.case_type != case_type
        and declared not in derivable_from(parent.case_type, parent.state)
    ):
        raise GuardFailed(_("来源事项当前环节不能发起其他事项。"))


def _create_detail(case: Case, values: dict | None):
    case_type = case_type_or_none(case.case_type)
    if case_type is None or case_type.detail_model is None:
        if values:
            raise GuardFailed(_("该类事项没有附加字段。"))
        return None
    # Only the model's fields: a form may carry others (a confirmation, a choice of source).
    names = {f.name for f in case_type.detail_model._meta.concrete_fields} - {"case", "id"}
    row = case_type.detail_model(
        case=case, **{k: v for k, v in (values or {}).items() if k in names}
    )
    try:
        row.full_clean(exclude=["case"])
    except ValidationError as error:
        raise GuardFailed("；".join(error.messages)) from None
    row.save()
    return row


@audits_denials
@transaction.atomic
def case_update(
    *,
    case: Case,
    actor: User,
    version: int,
    title: str,
    body: str,
    urgency: str,
    detail: dict | None = None,
) -> Case:
    """Edit a case where its state allows (the drafter after 退回修改, the 处长 at 审核; nothing
    after the text is frozen). The event keeps old and new values: the page shows the
    difference (修改留痕)."""
    case = lock_case(case, version)
    access = CaseAccess(actor, case)
    if not access.may_edit:
        raise refuse(actor, case, _("修改"))
    state = get_workflow(case.case_type).state(case.state)
    title = title.strip()
    if not title:
        raise GuardFailed(_("标题不能为空。"))
    check_text_size(body, _("正文"))
    check_content_allowed(case.sensitivity, has_content=bool(body.strip()))
    changes = {
        name: [getattr(case, name), value]
        for name, value in (("title", title), ("body", body), ("urgency", urgency))
        if getattr(case, name) != value
    }
    detail_changes = _update_detail(case, detail or {})
    frozen = [n for n in [*changes, *detail_changes] if n not in state.editable]
    if frozen:
        raise TransitionNotAllowed(
            _("“%(state)s”环节不能再修改：%(fields)s。")
            % {"state": state.label, "fields": "、".join(_field_label(case, n) for n in frozen)}
        )
    if not changes and not detail_changes:
        return case
    for name, (_old, new) in changes.items():
        setattr(case, name, new)
    bump(case, *changes)
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="update",
        data={"fields": [*changes, *detail_changes], "changes": {**changes, **detail_changes}},
    )
    search.index_case(case)
    return case


def _field_label(case: Case, name: str) -> str:
    for model in (Case, getattr(case_type_or_none(case.case_type), "detail_model", None)):
        if model is None:
            continue
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def _update_detail(case: Case, values: dict) -> dict:
    """Apply the type's detail fields; returns {field: [old, new]} of what changed."""
    case_type = case_type_or_none(case.case_type)
    row = case_type.detail_of(case) if case_type else None
    if row is None:
        if values:
            raise GuardFailed(_("该类事项没有附加字段。"))
        return {}
    changes = {}
    for name, value in values.items():
        old = getattr(row, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(row, name, value)
    if changes:
        try:
            row.full_clean(exclude=["case"])
        except ValidationError as error:
            raise GuardFailed("；".join(error.messages)) from None
        row.save()
    return changes


# --- taking a declared action --------------------------------------------------------------


@audits_denials
def case_perform(
    *,
    case: Case,
    action_code: str,
    actor: User,
    version: int,
    params: dict[str, Any] | None = None,
    comment: str = "",
) -> Case:
    with transaction.atomic():
        case = lock_case(case, version)
        workflow = get_workflow(case.case_type)
        try:
            action = workflow.action(action_code)
        except KeyError:
            raise TransitionNotAllowed(_("未知操作：%(code)s") % {"code": action_code}) from None
        if case.state not in action.source:
            raise TransitionNotAllowed(
                _("事项当前状态为“%(state)s”，不能执行“%(action)s”。")
                % {"state": workflow.state(case.state).label, "action": action.label}
            )
        access = CaseAccess(actor, case)
        principal = access.principal_for(action)
        if principal is None:
            raise refuse(actor, case, action.label)
        principal = principal.user
        params = dict(params or {})
        for param in action.params:
            if param.required and params.get(param.name) in (None, "", [], ()):
                raise GuardFailed(_("请填写“%(label)s”。") % {"label": param.label})
            if param.roles:
                _check_roles(param, params.get(param.name))
        comment = comment.strip()
        if action.comment_required and not comment:
            raise GuardFailed(_("执行“%(action)s”须填写理由。") % {"action": action.label})
        moves = action.target is not None or action.countersign is not None
        if moves and open_tasks(case, TaskKind.CONSULT).exists():
            raise GuardFailed(_("加签征求的意见尚未全部返回，暂不能流转。"))
        if moves and case.rounds.filter(state=RoundState.OPEN).exists():
            raise GuardFailed(_("会签尚未结束，暂不能流转。"))
        ctx = ActionContext(
            case=case,
            workflow=workflow,
            action=action,
            actor=actor,
            principal=principal,
            params=params,
            comment=comment,
            today=timezone.localdate(),
        )
        for guard in action.guards:
            if not guard.check(ctx):
                raise GuardFailed(str(guard.message))
        from_state = case.state
        seq = ctx.seq = next_seq(case)
        ctx.event_data["snapshot"] = _snapshot(case)
        turn_tasks = None
        if action.sequence:  # someone later in the slot still to act: the case stays
            turn_tasks = todo.turn_taken(
                case, workflow, action, actor=actor, principal=principal, seq=seq
            )
        if action.target and turn_tasks is None:
            case.state = action.target
        for effect in action.effects:
            effect.apply(ctx)
        if action.countersign:
            _open_round(ctx, seq)
        if workflow.state(case.state).closes and not case.closed:
            _close(case)
        new_tasks = todo.state_changed(case, workflow, from_state, actor=actor, seq=seq)
        if turn_tasks:
            new_tasks = turn_tasks
            ctx.event_data["turn_next"] = turn_tasks[0].assignee_id
        if new_tasks:
            ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in new_tasks)
        append_event(
            case,
            actor=actor,
            principal=principal,
            action=action.code,
            from_state=from_state,
            to_state=case.state,
            comment=comment,
            data=ctx.event_data,
        )
        if "deadline" in ctx.event_data or case.closed:
            deadlines.recompute(case)  # reads the event just written
        bump(case, *CASE_MUTABLE)
        _announce(case, workflow, action, from_state, actor, comment)
        search.index_case(case)
    return case


def _check_roles(param, value) -> None:
    """People chosen for a role-bound parameter (the leaders of a 批示) hold one of its roles."""
    chosen = value if isinstance(value, list | tuple) else [value] if value else []
    ids = [getattr(v, "pk", v) for v in chosen]
    holders = set(
        User.objects.filter(pk__in=ids, role_grants__role__in=param.roles).values_list(
            "pk", flat=True
        )
    )
    if any(pk not in holders for pk in ids):
        roles = "、".join(role_label(r) for r in sorted(param.roles))
        raise GuardFailed(
            _("“%(label)s”只能选择%(roles)s。") % {"label": param.label, "roles": roles}
        )


def _announce(case: Case, workflow: Workflow, action: Action, from_state, actor, comment) -> None:
    """The bell for hand-offs that open no task for those who must know: the drafter on a
    send-back gets the task itself; the owner learns that the case is closed."""
    if case.closed and not workflow.state(from_state).closes:
        people = [case.creator, *_unit_heads(case.owner_unit_id)]
        notifications.notify(
            [u for u in people if u.pk != actor.pk],
            case=case,
            kind="closed",
            message=_("已办结：%(title)s") % {"title": case.title},
        )
    elif action.comment_required and action.target and case.creator_id != actor.pk:
        notifications.notify(
            [case.creator],
            case=case,
            kind="returned",
            message=_("%(action)s：%(title)s（%(reason)s）")
            % {"action": action.label, "title": case.title, "reason": comment[:80]},
        )


def _unit_heads(unit_id: int):
    return User.objects.filter(
        memberships__unit_id=unit_id, memberships__is_head=True, is_active=True
    )


# Fields an action or its effects may change; saved together with the version bump.
CASE_MUTABLE = (
    "state",
    "closed",
    "closed_at",
    "assignee",
    "deadline_rule",
    "deadline_start",
    "deadline_extensions",
    "deadline_amount",
    "deadline_state",
    "due_date",
    "due_provisional",
    "deadline_basis",
)


def _snapshot(case: Case) -> dict[str, Any]:
    """What a withdraw (撤回) restores."""
    return {
        "state": case.state,
        "assignee_id": case.assignee_id,
        "deadline_rule": case.deadline_rule,
        "deadline_start": case.deadline_start.isoformat() if case.deadline_start else None,
        "deadline_extensions": case.deadline_extensions,
        "deadline_amount": case.deadline_amount,
        "deadline_state": case.deadline_state,
    }


def _close(case: Case) -> None:
    case.closed = True
    case.closed_at = timezone.now()
    if case.deadline_state in (DeadlineState.RUNNING, DeadlineState.PAUSED):
        case.deadline_state = DeadlineState.STOPPED
    todo.tasks_close_all(case)


def open_tasks(case: Case, kind: str | None = None):
    tasks = Task.objects.filter(case=case, state=TaskState.OPEN)
    return tasks.filter(kind=kind) if kind else tasks


# --- 会签 (countersign rounds) ---------------------------------------------------------------


def _open_round(ctx: ActionContext, seq: int) -> None:
    spec = ctx.action.countersign
    participants = _param_users(ctx, "users")
    if spec.mode == RoundMode.QUORUM and len(participants) < (spec.quorum or 0):
        raise GuardFailed(_("会签人数少于法定人数%(n)d人。") % {"n": spec.quorum})
    round_ = ApprovalRound.objects.create(
        case=ctx.case,
        action=ctx.action.code,
        mode=spec.mode,
        quorum=spec.quorum,
        veto=spec.veto,
        pass_state=spec.pass_state,
        fail_state=spec.fail_state,
        opened_by=ctx.actor,
    )
    tasks = _create_tasks(ctx.case, participants, TaskKind.COUNTERSIGN, ctx.actor, seq, round_)
    ctx.event_data["round_id"] = round_.pk
    ctx.event_data["task_ids"] = [t.pk for t in tasks]
    ctx.event_data["participants"] = [u.pk for u in participants]


def _param_users(ctx: ActionContext, name: str) -> list[User]:
    return resolve_users(ctx.case, ctx.params.get(name) or [])


def resolve_users(case: Case, value) -> list[User]:
    """Users (or their ids) chosen for tasks: they must exist, be active and cleared."""
    ids = [getattr(v, "pk", v) for v in value]
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)):
        raise GuardFailed(_("所选人员不存在或已停用。"))
    for user in users:
        if user.clearance < case.sensitivity:
            raise GuardFailed(_("%(name)s的知悉范围低于事项密级。") % {"name": user})
    return users


def _create_tasks(case, users, kind, requested_by, seq, round_=None, note="") -> list[Task]:
    rows = [
        todo.person_task(
            case, user, kind, requested_by=requested_by, seq=seq, round=round_, note=note
        )
        for user in users
    ]
    return todo.tasks_open(case, rows)


def _decide_round(round_: ApprovalRound) -> str | None:
    tasks = list(round_.tasks.exclude(state__in=[TaskState.WITHDRAWN, TaskState.CANCELLED]))
    agree = sum(1 for t in tasks if t.state == TaskState.DONE and t.opinion == Opinion.AGREE)
    disagree = sum(1 for t in tasks if t.state == TaskState.DONE and t.opinion == Opinion.DISAGREE)
    pending = sum(1 for t in tasks if t.state == TaskState.OPEN)
    if round_.veto and disagree:
        return RoundState.REJECTED
    if round_.mode == RoundMode.ALL:
        if pending:
            return None
        return RoundState.PASSED if disagree == 0 else RoundState.REJECTED
    if agree >= round_.quorum:
        return RoundState.PASSED
    if agree + pending < round_.quorum:
        return RoundState.REJECTED
    return None


# --- tasks: opinions, 加签, 传阅 -----------------------------------------------------------------


@audits_denials
def task_complete(*, task: Task, actor: User, opinion: str, text: str = "") -> Task:
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("case").get(pk=task.pk)
        if task.state != TaskState.OPEN:
            raise VersionConflict(_("该待办已处理或已撤回，无需重复提交。"))
        if task.assignee_id not in principal_ids(actor):
            raise refuse(actor, task.case, TaskKind(task.kind).label)
        if opinion not in Opinion.values:
            raise GuardFailed(_("请选择意见。"))
        if task.kind == TaskKind.COUNTERSIGN and opinion not in (Opinion.AGREE, Opinion.DISAGREE):
            raise GuardFailed(_("会签须明确同意或不同意。"))
        if opinion == Opinion.DISAGREE and not text.strip():
            raise GuardFailed(_("不同意须写明理由。"))
        case = lock_case(task.case)
        task.state = TaskState.DONE
        task.opinion = opinion
        task.opinion_text = text.strip()
        task.completed_by = actor
        task.completed_at = timezone.now()
        task.read_at = task.read_at or task.completed_at
        task.save()
        principal = task.assignee
        append_event(
            case,
            actor=actor,
            principal=principal,
            action=f"task.{task.kind}",
            comment=task.opinion_text,
            data={"task_id": task.pk, "opinion": opinion},
        )
        if task.round_id:
            _after_countersign(case, task.round, actor)
        elif (
            task.kind == TaskKind.CONSULT
            and not open_tasks(case, TaskKind.CONSULT).filter(event_seq=task.event_seq).exists()
        ):
            # 加签: every opinion is in, so the case comes back to whoever asked.
            notifications.notify(
                [task.requested_by],
                case=case,
                kind="consult_back",
                message=_("加签意见已全部返回：%(title)s") % {"title": case.title},
            )
        bump(case, *CASE_MUTABLE)
    return task


def _after_countersign(case: Case, round_: ApprovalRound, actor: User) -> None:
    outcome = _decide_round(round_)
    if outcome is None:
        return
    round_.state = outcome
    round_.decided_at = timezone.now()
    round_.save(update_fields=["state", "decided_at"])
    round_.tasks.filter(state=TaskState.OPEN).update(state=TaskState.CANCELLED)
    from_state = case.state
    workflow = get_workflow(case.case_type)
    case.state = round_.pass_state if outcome == RoundState.PASSED else round_.fail_state
    if workflow.state(case.state).closes:
        _close(case)
    seq = next_seq(case)
    new_tasks = todo.state_changed(case, workflow, from_state, actor=actor, seq=seq)
    append_event(
        case,
        actor=None,
        principal=None,
        action=f"countersign.{outcome}",
        from_state=from_state,
        to_state=case.state,
        data={"round_id": round_.pk, "task_ids": [t.pk for t in new_tasks]},
    )
    notifications.notify(
        [round_.opened_by],
        case=case,
        kind="countersign_result",
        message=_("会签%(outcome)s：%(title)s")
        % {"outcome": RoundState(outcome).label, "title": case.title},
    )


def holder_principal(actor: User, case: Case, what: str) -> User:
    """Whom the actor may 加签, 传阅 or 转办 as (see `CaseAccess.holder`)."""
    principal = CaseAccess(actor, case).holder()
    if principal is None:
        raise refuse(actor, case, what)
    return principal.user


@audits_denials
def case_consult(
    *, case: Case, actor: User, version: int, users: list[User], note: str
) -> list[Task]:
    """加签: ask one or several people for an opinion; the case comes back when all answer."""
    return _fan_out(case, actor, version, users, note, TaskKind.CONSULT, _("加签"), "consult")


@audits_denials
def case_circulate(
    *, case: Case, actor: User, version: int, users: list[User], note: str = ""
) -> list[Task]:
    """传阅: send the case to people to read; each opening is a read receipt."""
    return _fan_out(case, actor, version, users, note, TaskKind.CIRCULATE, _("传阅"), "circulate")


def _fan_out(case, actor, version, users, note, kind, label, code) -> list[Task]:
    with transaction.atomic():
        case = lock_case(case, version)
        if case.closed and kind != TaskKind.CIRCULATE:
            raise TransitionNotAllowed(_("事项已办结。"))
        _side_action_offered(case, code, label)
        principal = holder_principal(actor, case, label)
        if not users:
            raise GuardFailed(_("请选择人员。"))
        people = resolve_users(case, users)
        seq = next_seq(case)
        tasks = _create_tasks(case, people, kind, actor, seq, note=note)
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=principal,
            action=code,
            comment=note,
            data={"task_ids": [t.pk for t in tasks], "users": [u.pk for u in people]},
        )
    return tasks


def task_mark_read(*, case: Case, actor: User) -> int:
    """Read receipt: opening a case marks the reader's 传阅 tasks read (not others')."""
    return Task.objects.filter(
        case=case, assignee=actor, state=TaskState.OPEN, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- transfer and withdraw -----------------------------------------------------------------


@audits_denials
def case_transfer(*, case: Case, actor: User, version: int, to_user: User, reason: str) -> Case:
    """转办: hand the case to another person, with a reason."""
    with transaction.atomic():
        case = lock_case(case, version)
        if case.closed:
            raise TransitionNotAllowed(_("事项已办结。"))
        _side_action_offered(case, "transfer", _("转办"))
        if not reason.strip():
            raise GuardFailed(_("转办须填写理由。"))
        principal = holder_principal(actor, case, _("转办"))
        workflow = get_workflow(case.case_type)
        spec = workflow.state(case.state).task
        if (
            spec
            and spec.to.startswith(("slot:", "turn:"))
            and spec.to.partition(":")[2] not in workflow.transferable_slots
        ):
            raise TransitionNotAllowed(_("该环节须由指定人员本人办理，不能转办。"))
        receiver = CaseAccess(to_user, case)
        if receiver.external or not (
            receiver.visible
            or (to_user.clearance >= case.sensitivity and case.owner_unit_id in to_user.unit_ids)
        ):
            raise GuardFailed(_("%(name)s无权查看该事项，不能转办给其本人。") % {"name": to_user})
        seq = next_seq(case)
        snapshot = _snapshot(case)
        open_tasks(case, TaskKind.HANDLE).update(state=TaskState.CANCELLED)
        task = _create_tasks(case, [to_user], TaskKind.HANDLE, actor, seq, note=reason)[0]
        case.assignee = to_user
        bump(case, "assignee")
        append_event(
            case,
            actor=actor,
            principal=principal,
            action="transfer",
            comment=reason.strip(),
            data={"to": to_user.pk, "task_ids": [task.pk], "snapshot": snapshot},
        )
    return case


WITHDRAWABLE_KERNEL_EVENTS = {"transfer", "consult", "circulate"}


def _side_action_offered(case: Case, code: str, label) -> None:
    state = get_workflow(case.case_type).state(case.state)
    if code not in state.side_actions and not (code == "circulate" and case.closed):
        raise TransitionNotAllowed(
            _("“%(state)s”环节不能%(what)s。") % {"state": state.label, "what": label}
        )


@audits_denials
def case_withdraw(*, case: Case, actor: User, version: int) -> Case:
    """撤回: the sender takes back their last step while nobody after them has acted on it."""
    with transaction.atomic():
        case = lock_case(case, version)
        last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
        workflow = get_workflow(case.case_type)
        withdrawable = last is not None and (
            last.action in WITHDRAWABLE_KERNEL_EVENTS
            or any(a.code == last.action and a.withdrawable for a in workflow.actions)
        )
        if not withdrawable or last.actor_id != actor.pk:
            raise TransitionNotAllowed(_("只能撤回本人最后一步且可撤回的操作。"))
        task_ids = last.data.get("task_ids", [])
        touched = Task.objects.filter(pk__in=task_ids).exclude(
            state=TaskState.OPEN, read_at__isnull=True
        )
        if touched.exists():
            raise TransitionNotAllowed(_("下一环节已阅或已处理，不能撤回。"))
        Task.objects.filter(pk__in=task_ids).update(state=TaskState.WITHDRAWN)
        if last.data.get("round_id"):
            ApprovalRound.objects.filter(pk=last.data["round_id"]).update(
                state=RoundState.WITHDRAWN
            )
        declared = next((a for a in workflow.actions if a.code == last.action), None)
        for effect in reversed(declared.effects if declared else ()):
            if effect.undo is not None:
                effect.undo(case, last.data, actor)
        if last.action == "transfer":
            open_tasks(case, TaskKind.HANDLE).update(state=TaskState.CANCELLED)
        snapshot = last.data.get("snapshot")
        from_state = case.state
        if snapshot:
            case.state = snapshot["state"]
            case.assignee_id = snapshot["assignee_id"]
            case.deadline_rule = snapshot["deadline_rule"]
            case.deadline_start = (
                datetime.date.fromisoformat(snapshot["deadline_start"])
                if snapshot["deadline_start"]
                else None
            )
            case.deadline_extensions = snapshot["deadline_extensions"]
            case.deadline_amount = snapshot.get("deadline_amount")
            case.deadline_state = snapshot["deadline_state"]
            case.closed = False
            case.closed_at = None
        seq = next_seq(case)
        reopened = []
        if from_state != case.state:
            rows = todo.state_tasks(case, workflow, requested_by=actor, seq=seq)
            reopened = todo.tasks_open(case, rows)
        append_event(
            case,
            actor=actor,
            principal=actor,
            action="withdraw",
            from_state=from_state,
            to_state=case.state,
            data={"withdrawn_seq": last.seq, "task_ids": [t.pk for t in reopened]},
        )
        deadlines.recompute(case)
        bump(case, *CASE_MUTABLE)
    return case


@audits_denials
def task_hand(*, task: Task, actor: User, to_user: User) -> Task:
    """处内分办: a head hands the unit's task to one of the unit's people."""
    with transaction.atomic():
        task = Task.objects.select_for_update(of=("self",)).select_related("unit").get(pk=task.pk)
        case = lock_case(task.case)
        if task.state != TaskState.OPEN or task.unit_id is None:
            raise VersionConflict(_("该待办已处理或已分办。"))
        access = CaseAccess(actor, case)
        if not any(task.unit_id in p.led_unit_ids for p in access.principals):
            raise refuse(actor, case, _("分办"))
        if task.unit_id not in to_user.unit_ids or not to_user.is_active:
            raise GuardFailed(_("只能分办给本单位人员。"))
        task.assignee = to_user
        task.save(update_fields=["assignee"])
        todo.notify_task(task, case)
        bump(case)
        append_event(
            case,
            actor=actor,
            principal=actor,
            action="task.hand",
            data={"task_id": task.pk, "to": to_user.pk, "unit": task.unit.name},
        )
    return task
