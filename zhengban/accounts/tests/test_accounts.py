"""Login, lockout, TOTP, idle timeout, password policy and 三员分立."""

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengban.accounts import services
from zhengban.accounts.choices import Role
from zhengban.accounts.models import RoleGrant, User
from zhengban.audit.models import AuditRecord

PASSWORD = "Zhengban-2026"


@pytest.fixture
def clerk(db):
    return services.user_create(
        username="clerk", password=PASSWORD, display_name="王文书", roles=(Role.CLERK,)
    )


def login(client, username, password, otp=""):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, "otp": otp}
    )


def test_login_succeeds_and_is_audited(client, clerk):
    response = login(client, "clerk", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert AuditRecord.objects.filter(action="accounts.login", actor=clerk).count() == 1


def test_failed_login_is_audited_and_says_nothing_specific(client, clerk):
    response = login(client, "clerk", "wrong")
    assert response.status_code == 200
    assert "用户名、密码或动态口令不正确" in response.content.decode()
    record = AuditRecord.objects.get(action="accounts.login_failed")
    assert record.actor is None and record.actor_name == "clerk"
    unknown = login(client, "nobody", "wrong")
    assert "用户名、密码或动态口令不正确" in unknown.content.decode()


def test_lockout_after_repeated_failures(client, clerk, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        login(client, "clerk", "wrong")
    clerk.refresh_from_db()
    assert clerk.locked_until is not None
    response = login(client, "clerk", PASSWORD)
    # Refused with the message of a wrong password: a locked account looks like any other.
    assert "用户名、密码或动态口令不正确" in response.content.decode()
    assert "锁定" not in response.content.decode().split("<form")[1].split('class="help"')[0]
    assert client.get(reverse("home")).status_code == 302
    assert AuditRecord.objects.filter(action="accounts.login_locked", object_id=clerk.pk).exists()


def test_totp_required_when_enrolled(client, clerk):
    clerk.totp_secret = pyotp.random_base32()
    clerk.save()
    assert "不正确" in login(client, "clerk", PASSWORD).content.decode()
    code = pyotp.TOTP(clerk.totp_secret).now()
    assert login(client, "clerk", PASSWORD, code).status_code == 302


def test_idle_session_times_out(client, clerk, settings):
    settings.IDLE_TIMEOUT_SECONDS = 60
    login(client, "clerk", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["last_seen"] -= 120
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "timeout=1" in response["Location"]
    assert client.get(reverse("home")).status_code == 302


def test_logout_requires_post(client, clerk):
    login(client, "clerk", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_open_redirect_is_ignored(client, clerk):
    response = client.post(
        reverse("accounts:login") + "?next=//evil.example/",
        {"username": "clerk", "password": PASSWORD},
    )
    assert response["Location"] == reverse("home")


def test_password_policy(db):
    with pytest.raises(ValidationError):
        services.user_create(username="weak", password="abcdefghij")
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize(
    "first,second",
    [
        (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN),
        (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN),
        (Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN),
    ],
)
def test_one_account_holds_at_most_one_administrator_role(db, first, second):
    user = services.user_create(username="admin", password=PASSWORD, roles=(first,))
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_grant(user=user, role=second, actor=None)
    assert set(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == {first}


def test_administrators_hold_no_business_role(db):
    # 三员 accounts are for administration only: business work needs another account.
    user = services.user_create(username="admin", password=PASSWORD, roles=(Role.SYSTEM_ADMIN,))
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_grant(user=user, role=Role.STAFF, actor=None)
    staff = services.user_create(username="staff", password=PASSWORD, roles=(Role.STAFF,))
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_grant(user=staff, role=Role.AUDIT_ADMIN, actor=None)
    assert user.role_set == {Role.SYSTEM_ADMIN} and staff.role_set == {Role.STAFF}


def test_unknown_role_is_refused(db):
    user = services.user_create(username="u", password=PASSWORD)
    with pytest.raises(ValidationError):
        services.role_grant(user=user, role="superuser", actor=None)


def test_pages_need_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_ui_is_chinese_by_default_and_english_switchable(client, clerk):
    login(client, "clerk", PASSWORD)
    assert "工作台" in client.get(reverse("home")).content.decode()
    client.post(reverse("i18n:set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_audit_section_hidden_from_system_admin(client, db):
    # (Administrators must enrol an authenticator first; force_login skips the login form.)
    system = services.user_create(username="sys", password=PASSWORD, roles=(Role.SYSTEM_ADMIN,))
    auditor = services.user_create(username="aud", password=PASSWORD, roles=(Role.AUDIT_ADMIN,))
    client.force_login(system)
    assert "审计日志" not in client.get(reverse("home")).content.decode()
    client.post(reverse("accounts:logout"))
    client.force_login(auditor)
    assert "审计日志" in client.get(reverse("home")).content.decode()


def test_only_the_most_specific_navigation_entry_is_active(rf, clerk):
    from zhengban.accounts.context_processors import navigation

    request = rf.get("/org/staffing/")
    request.user = clerk
    active = [item["label"] for item in navigation(request)["navigation"] if item["active"]]
    assert active == ["编制管理"]


def test_browser_language_does_not_switch_the_ui(client, clerk):
    client.force_login(clerk)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
