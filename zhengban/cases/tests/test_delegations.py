"""委托: creating and revoking delegations, their validation and audit, and their effect."""

import datetime

import pytest
from django.utils import timezone

from zhengban.audit.models import AuditRecord
from zhengban.cases import delegations, errors
from zhengban.cases.models import Case, Delegation
from zhengban.cases.policies import principal_ids

from .test_kernel import new_case, perform


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def delegate(office, delegator=None, to=None, start=0, end=3, reason="出差", actor=None):
    delegator = delegator or office.head
    return delegations.delegation_create(
        delegator=delegator,
        delegate=to or office.farmer,
        start=days(start),
        end=days(end),
        reason=reason,
        actor=actor or delegator,
    )


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # principal_ids is cached per user object


def test_create_is_audited_and_takes_effect(office):
    made = delegate(office)
    assert (made.delegator, made.delegate, made.revoked) == (office.head, office.farmer, False)
    record = AuditRecord.objects.get(action="cases.delegation_create")
    assert record.actor == office.head and record.object_id == str(made.pk)
    assert office.head.pk in principal_ids(fresh(office.farmer))


def test_a_future_delegation_is_not_in_force_yet(office):
    delegate(office, start=2, end=4)
    assert principal_ids(fresh(office.farmer)) == [office.farmer.pk]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"to": "head"}, "不能委托给本人"),
        ({"start": 3, "end": 1}, "结束日期不能早于开始日期"),
        ({"start": -5, "end": -1}, "结束日期已过"),
        ({"start": 0, "end": 400}, "不能超过一年"),
        ({"reason": "  "}, "请填写委托事由"),
    ],
)
def test_validation(office, kwargs, message):
    if kwargs.get("to") == "head":
        kwargs["to"] = office.head
    with pytest.raises(errors.GuardFailed, match=message):
        delegate(office, **kwargs)
    assert not Delegation.objects.exists()


def test_only_for_oneself_and_never_for_the_three_administrators(office):
    with pytest.raises(errors.PermissionRefused):
        delegate(office, actor=office.clerk)
    with pytest.raises(errors.PermissionRefused):
        delegate(office, delegator=office.sysadmin)
    with pytest.raises(errors.PermissionRefused):
        delegate(office, to=office.sysadmin)
    assert not Delegation.objects.exists()


def test_inactive_delegate_is_refused(office):
    type(office.farmer).objects.filter(pk=office.farmer.pk).update(is_active=False)
    with pytest.raises(errors.GuardFailed, match="停用"):
        delegate(office, to=fresh(office.farmer))


def test_overlap_with_another_person_is_refused_but_not_after_revoking(office):
    first = delegate(office, start=0, end=5)
    with pytest.raises(errors.GuardFailed, match="同一时段只能委托一人"):
        delegate(office, to=office.teacher, start=5, end=8)
    delegate(office, to=office.teacher, start=6, end=8)  # after the first one ends
    delegations.delegation_revoke(delegation=first, actor=office.head)
    delegate(office, to=office.outsider, start=0, end=2)
    assert Delegation.objects.filter(revoked=False).count() == 2


def test_revoke_by_delegator_or_delegate_only(office):
    made = delegate(office)
    with pytest.raises(errors.PermissionRefused):
        delegations.delegation_revoke(delegation=made, actor=office.teacher)
    made.refresh_from_db()
    assert not made.revoked
    delegations.delegation_revoke(delegation=made, actor=office.farmer)
    made.refresh_from_db()
    assert made.revoked
    assert AuditRecord.objects.filter(action="cases.delegation_revoke").count() == 1
    with pytest.raises(errors.GuardFailed, match="已撤销"):
        delegations.delegation_revoke(delegation=made, actor=office.head)
    assert principal_ids(fresh(office.farmer)) == [office.farmer.pk]


def test_delegate_acts_for_the_delegator_and_both_are_recorded(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    delegate(office)
    case = perform(case, "send_back", fresh(office.farmer), comment="代为退回")
    event = case.events.get(action="send_back")
    assert (event.actor, event.on_behalf_of) == (office.farmer, office.head)


def test_a_delegators_forged_grant_does_not_pass_to_the_delegate(office):
    """The head's 处室负责人 grant altered in the database (its tag no longer verifies) is not
    honoured for the head, nor for whoever acts for the head."""
    from zhengban.accounts.models import RoleGrant
    from zhengban.cases.access import principals_of

    delegate(office)
    head_roles = set(office.head.role_grants.values_list("role", flat=True))
    assert head_roles
    for_head = next(p for p in principals_of(fresh(office.farmer)) if p.user.pk == office.head.pk)
    assert set(for_head.roles) == head_roles
    RoleGrant.objects.filter(user=office.head).update(tag="0" * 64)
    for_head = next(p for p in principals_of(fresh(office.farmer)) if p.user.pk == office.head.pk)
    assert not for_head.roles


def test_delegation_rules_rank_circle_scope_and_bell(office):
    from zhengban.cases import selectors
    from zhengban.cases.access import CaseAccess
    from zhengban.cases.models import Notification

    today = datetime.date.today()

    def give(delegator, delegate, **kwargs):
        return delegations.delegation_create(
            delegator=delegator,
            delegate=delegate,
            start=today,
            end=today,
            reason="出差",
            actor=delegator,
            **kwargs,
        )

    with pytest.raises(errors.PermissionRefused, match="职级高于"):
        give(office.clerk, office.leader)  # staff may not hand work up to a leader
    give(office.head, office.clerk, case_types=["assigned_task"])
    assert Notification.objects.filter(recipient=office.clerk, kind="delegation").exists()
    give(office.leader, office.deputy)
    with pytest.raises(errors.GuardFailed, match="相互委托"):
        give(office.deputy, office.leader)
    with pytest.raises(errors.GuardFailed, match="未知的事项类型"):
        give(office.deputy2, office.deputy, case_types=["nothing"])
    # A delegation by type: the delegate acts for the head in 交办事项 only.
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case.refresh_from_db()
    assert [p.pk for p in CaseAccess(office.clerk, case).principals] == [
        office.clerk.pk,
        office.head.pk,
    ]
    assert case.number in set(
        selectors.inbox_queryset(office.clerk, "todo").values_list("number", flat=True)
    )
    other = Case.objects.get(pk=case.pk)
    other.case_type = "other_type"  # as if it were another type: the head's delegation stops
    assert [p.pk for p in CaseAccess(office.clerk, other).principals] == [office.clerk.pk]
