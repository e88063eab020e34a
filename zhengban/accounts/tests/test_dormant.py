"""Dormant accounts (等保 2.0 8.1.4.2 c: 及时删除或停用多余的、过期的账户): accounts not signed
in for the policy's `dormant_days` are disabled by the daily sweep, audited one by one, the
三员 included except the last enabled account of each of their roles; the system
administrator sees them marked and enables them again."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts import services
from zhengban.accounts.choices import Role
from zhengban.accounts.models import SecurityPolicy, User
from zhengban.accounts.selectors import policy_defaults
from zhengban.audit.models import AuditRecord

from .conftest import login, make

pytestmark = pytest.mark.django_db


def age(user, *, joined_days, login_days=None):
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(
        date_joined=now - timedelta(days=joined_days),
        last_login=None if login_days is None else now - timedelta(days=login_days),
    )


def active(user) -> bool:
    return User.objects.get(pk=user.pk).is_active


def sweep():
    return services.accounts_disable_dormant()


def test_the_default_is_ninety_days_from_settings(settings):
    assert policy_defaults()["dormant_days"] == 90
    settings.ACCOUNT_DORMANT_DAYS = 0
    assert policy_defaults()["dormant_days"] == 0


def test_an_account_never_signed_in_is_disabled_counted_from_its_creation(clerk):
    newcomer = make("newcomer", Role.STAFF)
    age(clerk, joined_days=91)
    age(newcomer, joined_days=30)
    assert sweep() == {"停用": 1, "保留": 0}
    assert not active(clerk) and active(newcomer)
    record = AuditRecord.objects.get(action="accounts.dormant_disable")
    assert record.object_id == str(clerk.pk) and record.actor is None
    assert record.changes["reason"] == "连续90天未登录，自动停用"
    assert record.changes["last_login"] is None and record.changes["is_active"] == [True, False]
    assert User.objects.get(pk=clerk.pk).dormant_disabled_at is not None


def test_the_last_login_counts_and_a_disabled_account_cannot_sign_in(client, clerk, leader):
    age(clerk, joined_days=400, login_days=91)
    age(leader, joined_days=400, login_days=89)
    sweep()
    assert not active(clerk) and active(leader)
    assert login(client, "clerk").status_code == 200  # the login page again: refused
    assert "_auth_user_id" not in client.session


def test_the_sweep_ends_the_dormant_accounts_session(client, clerk):
    login(client, "clerk")
    assert "_auth_user_id" in client.session
    age(clerk, joined_days=200, login_days=100)
    sweep()
    assert client.get(reverse("accounts:profile")).status_code == 302  # to the login page


def test_the_policy_sets_the_days_and_zero_disables_nothing(secadmin, clerk):
    age(clerk, joined_days=400, login_days=40)
    services.security_policy_change(actor=secadmin, reason="缩短", dormant_days=30)
    assert SecurityPolicy.objects.get().dormant_days == 30
    services.security_policy_change(actor=secadmin, reason="暂停", dormant_days=0)
    assert sweep() == {"停用": 0, "保留": 0} and active(clerk)
    services.security_policy_change(actor=secadmin, reason="恢复", dormant_days=30)
    sweep()
    assert not active(clerk)


def test_administrators_are_disabled_too_but_never_the_last_of_each_role(
    sysadmin, secadmin, auditadmin
):
    second_sysadmin = make("sysadmin2", Role.SYSTEM_ADMIN)
    for user in (sysadmin, secadmin, auditadmin):
        age(user, joined_days=400, login_days=200)
    age(second_sysadmin, joined_days=400, login_days=150)

    assert sweep() == {"停用": 1, "保留": 3}
    # The older of the two system administrators goes; the more recent one stays, and the
    # only security and audit administrators stay, each keeping audited.
    assert not active(sysadmin) and active(second_sysadmin)
    assert active(secadmin) and active(auditadmin)
    kept = AuditRecord.objects.filter(action="accounts.dormant_kept")
    assert {r.object_id for r in kept} == {
        str(second_sysadmin.pk),
        str(secadmin.pk),
        str(auditadmin.pk),
    }


def test_a_dormant_administrator_goes_when_another_holder_is_active(secadmin):
    colleague = make("secadmin2", Role.SECURITY_ADMIN)
    age(secadmin, joined_days=400, login_days=120)
    age(colleague, joined_days=400, login_days=1)
    sweep()
    assert not active(secadmin) and active(colleague)


def test_a_forged_admin_grant_does_not_protect_a_dormant_account(clerk, secadmin):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_rolegrant SET role = %s WHERE user_id = %s",
            [Role.AUDIT_ADMIN, clerk.pk],
        )
    age(clerk, joined_days=400, login_days=120)
    sweep()
    assert not active(clerk)


def test_the_system_administrator_sees_the_mark_and_enables_again(client, sysadmin, clerk):
    age(clerk, joined_days=400, login_days=120)
    sweep()
    client.force_login(sysadmin)
    listing = client.get(reverse("accounts:users")).content.decode()
    assert 'data-testid="dormant"' in listing and "长期未登录" in listing
    response = client.post(
        reverse("accounts:user_edit", args=[clerk.pk]),
        {"display_name": "王文书", "is_active": "on"},
    )
    assert response.status_code == 302
    enabled = User.objects.get(pk=clerk.pk)
    assert enabled.is_active and enabled.dormant_disabled_at is None
    record = AuditRecord.objects.get(action="accounts.user_update")
    assert record.actor == sysadmin and record.changes["is_active"] == [False, True]
    assert "dormant_disabled_at" in record.changes
    assert 'data-testid="dormant"' not in client.get(reverse("accounts:users")).content.decode()
    # Enabled again, the account has its full period before the sweep takes it again.
    assert sweep()["停用"] == 0 and active(clerk)


def test_zhengban_tick_runs_the_sweep(clerk):
    age(clerk, joined_days=400, login_days=120)
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "长期未登录账号停用" in out.getvalue() and "权限数据完整性校验" in out.getvalue()
    assert not active(clerk)


def test_the_policy_page_offers_the_value(client, secadmin):
    client.force_login(secadmin)
    page = client.get(reverse("accounts:security_policy"))
    assert page.context["form"].initial["dormant_days"] == 90
    assert "长期未登录自动停用" in page.content.decode()
