"""委托 (delegation): person A acts for person B between two dates; acts record both.

Writes only: who may act for whom is read by `policies.principal_ids`."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import Role
from zhengban.accounts.models import User
from zhengban.audit.services import audit_record

from . import notifications
from .access import is_external
from .errors import GuardFailed, PermissionRefused
from .models import Delegation
from .workflow import all_workflows

# A delegation covers an absence (出差, 休假, 学习), not a standing arrangement.
MAX_DAYS = 366

# Who may act for whom: a delegate's rank may not exceed the delegator's (a 处长 may ask a
# staff member or another 处长, a staff member may not hand work up to a leader).
RANKS = {Role.CITY_LEADER: 4, Role.OFFICE_LEADER: 3, Role.DIVISION_HEAD: 2}


def role_rank(user: User) -> int:
    return max((RANKS.get(role, 1) for role in user.role_set), default=1)


@transaction.atomic
def delegation_create(
    *,
    delegator: User,
    delegate: User,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    actor: User,
    case_types: list[str] | tuple[str, ...] = (),
) -> Delegation:
    """The delegator (or nobody else) entrusts their work — all of it, or the listed case
    types — to `delegate` for start..end. Not to someone of a higher rank, never both ways
    at once; the delegate is told."""
    if actor.pk != delegator.pk:
        raise PermissionRefused(_("只能委托本人的工作。"))
    if delegator.is_admin_role or delegate.is_admin_role:
        # 三员 hold no business work and may not take any over.
        raise PermissionRefused(_("系统管理员、安全保密管理员和安全审计员不能委托或受托办理业务。"))
    if is_external(delegate):
        # A contact of an external handling unit works on its assignments, not for the office.
        raise PermissionRefused(_("不能委托承办单位（市直部门、区县）的联络人办理本机关业务。"))
    if role_rank(delegate) > role_rank(delegator):
        raise PermissionRefused(_("不能委托给职级高于本人的人员（如处室人员委托领导）。"))
    unknown = set(case_types) - {w.case_type for w in all_workflows()}
    if unknown:
        raise GuardFailed(_("未知的事项类型：%(types)s") % {"types": "、".join(sorted(unknown))})
    if delegate.pk == delegator.pk:
        raise GuardFailed(_("不能委托给本人。"))
    if not delegate.is_active:
        raise GuardFailed(_("受托人账号已停用。"))
    reason = (reason or "").strip()
    if not reason:
        raise GuardFailed(_("请填写委托事由。"))
    if start is None or end is None:
        raise GuardFailed(_("请填写委托起止日期。"))
    if end < start:
        raise GuardFailed(_("结束日期不能早于开始日期。"))
    if end < timezone.localdate():
        raise GuardFailed(_("结束日期已过，委托不会生效。"))
    if (end - start).days + 1 > MAX_DAYS:
        raise GuardFailed(_("委托期限不能超过一年。"))
    # Serialize a delegator's own delegations so two overlapping ones cannot both pass.
    User.objects.select_for_update().filter(pk=delegator.pk).first()
    clash = (
        Delegation.objects.filter(
            delegator=delegator, revoked=False, start__lte=end, end__gte=start
        )
        .exclude(delegate=delegate)
        .select_related("delegate")
        .first()
    )
    back = Delegation.objects.filter(
        delegator=delegate, delegate=delegator, revoked=False, start__lte=end, end__gte=start
    ).first()
    if back is not None:
        raise GuardFailed(
            _("%(name)s在%(start)s至%(end)s已委托您办理，不能同时相互委托。")
            % {"name": delegate, "start": back.start, "end": back.end}
        )
    if clash is not None:
        raise GuardFailed(
            _("%(start)s至%(end)s已委托%(name)s，同一时段只能委托一人。请先撤销该委托。")
            % {"start": clash.start, "end": clash.end, "name": clash.delegate}
        )
    delegation = Delegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        start=start,
        end=end,
        reason=reason[:200],
        case_types=sorted(set(case_types)),
    )
    notifications.notify(
        [delegate],
        kind="delegation",
        message=_("%(a)s委托您于%(start)s至%(end)s代为办理：%(reason)s")
        % {"a": delegator, "start": start, "end": end, "reason": reason[:80]},
    )
    audit_record(
        actor=actor,
        action="cases.delegation_create",
        target=delegation,
        summary=_("%(a)s委托%(b)s：%(reason)s")
        % {"a": delegator, "b": delegate, "reason": reason[:100]},
        changes={
            "delegator": delegator.pk,
            "delegate": delegate.pk,
            "start": start,
            "end": end,
        },
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: Delegation, actor: User) -> Delegation:
    """The delegator withdraws a delegation, or the delegate declines it."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if actor.pk not in (delegation.delegator_id, delegation.delegate_id):
        raise PermissionRefused(_("只能撤销本人的委托。"))
    if delegation.revoked:
        raise GuardFailed(_("该委托已撤销。"))
    delegation.revoked = True
    delegation.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        action="cases.delegation_revoke",
        target=delegation,
        summary=_("撤销%(a)s对%(b)s的委托") % {"a": delegation.delegator, "b": delegation.delegate},
        changes={"revoked": True},
    )
    return delegation
