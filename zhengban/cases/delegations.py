"""委托 (delegation): person A acts for person B between two dates; acts record both.

Writes only: who may act for whom is read by `policies.principal_ids`."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.models import User
from zhengban.audit.services import audit_record

from .access import principals_of
from .errors import GuardFailed, PermissionRefused
from .models import Delegation

# A delegation covers an absence (出差, 休假, 学习), not a standing arrangement.
MAX_DAYS = 366


@transaction.atomic
def delegation_create(
    *,
    delegator: User,
    delegate: User,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    actor: User,
) -> Delegation:
    """The delegator (or nobody else) entrusts their work to `delegate` for start..end."""
    if actor.pk != delegator.pk:
        raise PermissionRefused(_("只能委托本人的工作。"))
    if delegator.is_admin_role or delegate.is_admin_role:
        # 三员 hold no business work and may not take any over.
        raise PermissionRefused(_("系统管理员、安全保密管理员和安全审计员不能委托或受托办理业务。"))
    if principals_of(delegate) and principals_of(delegate)[0].external:
        # A contact of an external handling unit works on its assignments, not for the office.
        raise PermissionRefused(_("不能委托承办单位（市直部门、区县）的联络人办理本机关业务。"))
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
    if clash is not None:
        raise GuardFailed(
            _("%(start)s至%(end)s已委托%(name)s，同一时段只能委托一人。请先撤销该委托。")
            % {"start": clash.start, "end": clash.end, "name": clash.delegate}
        )
    delegation = Delegation.objects.create(
        delegator=delegator, delegate=delegate, start=start, end=end, reason=reason[:200]
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
