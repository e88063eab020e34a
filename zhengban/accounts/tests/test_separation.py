"""三员分立 (GB/T 22239-2019 8.1.5, 8.1.7): what each administrator may do, and every denial."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhengban.accounts import services
from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.models import RoleGrant, SecurityPolicy, User
from zhengban.audit.models import AuditRecord

from .conftest import enrol, make

SYSADMIN_PAGES = ["accounts:users", "accounts:user_create", "accounts:configuration"]
SECADMIN_PAGES = ["accounts:security", "accounts:security_policy"]


def denied_and_audited(client, method, url, data=None):
    before = AuditRecord.objects.filter(action="audit.denied").count()
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 403, (url, response.status_code)
    assert AuditRecord.objects.filter(action="audit.denied").count() == before + 1
    return response


# --- who sees which page -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "secadmin", "auditadmin", "leader"])
def test_system_administration_pages_are_the_system_administrators(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for name in SYSADMIN_PAGES:
        denied_and_audited(client, "get", reverse(name))


@pytest.mark.parametrize("who", ["clerk", "sysadmin", "auditadmin", "leader"])
def test_security_pages_are_the_security_administrators(client, request, who, clerk):
    client.force_login(request.getfixturevalue(who))
    for name in SECADMIN_PAGES:
        denied_and_audited(client, "get", reverse(name))
    denied_and_audited(client, "get", reverse("accounts:security_user", args=[clerk.pk]))
    denied_and_audited(
        client,
        "post",
        reverse("accounts:security_user_act", args=[clerk.pk, "grant"]),
        {"role": Role.STAFF, "reason": "x"},
    )
    assert not clerk.role_grants.filter(role=Role.STAFF).exists()


@pytest.mark.parametrize("who", ["sysadmin", "secadmin"])
def test_the_audit_log_is_the_audit_administrators_alone(client, request, who):
    client.force_login(request.getfixturevalue(who))
    denied_and_audited(client, "get", reverse("audit:log"))
    denied_and_audited(client, "get", reverse("audit:export"))


def test_each_administrator_sees_their_own_pages(client, sysadmin, secadmin, auditadmin):
    for user, pages in [
        (sysadmin, SYSADMIN_PAGES),
        (secadmin, SECADMIN_PAGES),
        (auditadmin, ["audit:log"]),
    ]:
        client.force_login(user)
        for name in pages:
            assert client.get(reverse(name)).status_code == 200, name
        client.logout()


def test_navigation_shows_each_administrator_their_own_sections(client, sysadmin, secadmin):
    client.force_login(sysadmin)
    page = client.get("/").content.decode()
    assert "用户管理" in page and "系统配置" in page and "安全管理" not in page
    client.force_login(secadmin)
    page = client.get("/").content.decode()
    assert "安全管理" in page and "用户管理" not in page and "审计日志" not in page


# --- system administrator ----------------------------------------------------------------


def test_system_administrator_creates_an_account_without_roles(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(
        reverse("accounts:user_create"), {"username": "new.user", "display_name": "新同事"}
    )
    assert response.status_code == 200
    user = User.objects.get(username="new.user")
    assert user.check_password(response.context["password"])
    assert user.must_change_password and user.role_set == frozenset()
    assert AuditRecord.objects.filter(action="accounts.user_create", actor=sysadmin).exists()


def test_system_administrator_cannot_grant_roles_or_clearance(db, sysadmin, clerk):
    for role in [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.STAFF, Role.SYSTEM_ADMIN]:
        with pytest.raises(PermissionDenied):
            services.role_grant(user=clerk, role=role, actor=sysadmin, reason="需要")
    with pytest.raises(PermissionDenied):
        services.clearance_set(user=clerk, clearance=Clearance.PUBLIC, actor=sysadmin, reason="x")
    with pytest.raises(ValidationError):
        services.user_create(username="x1", password=None, roles=(Role.STAFF,), actor=sysadmin)
    assert set(clerk.role_grants.values_list("role", flat=True)) == {Role.CLERK}


def test_system_administrator_edits_units_and_disables(client, sysadmin, clerk):
    from zhengban.org.models import Unit

    unit = Unit.objects.create(name="文电处", kind="internal")
    client.force_login(sysadmin)
    response = client.post(
        reverse("accounts:user_edit", args=[clerk.pk]),
        {"display_name": "王文书", "units": [unit.pk], "head_of": [unit.pk]},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active and clerk.memberships.get().is_head
    record = AuditRecord.objects.get(action="accounts.user_update")
    assert record.changes["is_active"] == [True, False]


def test_system_administrator_cannot_disable_themselves(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(reverse("accounts:user_edit", args=[sysadmin.pk]), {"display_name": "x"})
    assert response.status_code == 200
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


# --- security administrator --------------------------------------------------------------


def grant(client, user, role, reason="岗位调整"):
    return client.post(
        reverse("accounts:security_user_act", args=[user.pk, "grant"]),
        {"role": role, "reason": reason},
    )


def test_security_administrator_grants_with_a_reason(client, secadmin, clerk):
    client.force_login(secadmin)
    assert grant(client, clerk, Role.STAFF).status_code == 302
    assert clerk.role_grants.filter(role=Role.STAFF).exists()
    record = AuditRecord.objects.get(action="accounts.role_grant", actor=secadmin)
    assert record.changes == {"reason": "岗位调整"} and record.object_id == str(clerk.pk)


def test_a_grant_without_a_reason_is_refused(client, secadmin, clerk):
    client.force_login(secadmin)
    assert grant(client, clerk, Role.STAFF, reason="").status_code == 400
    assert not clerk.role_grants.filter(role=Role.STAFF).exists()
    with pytest.raises(ValidationError):
        services.role_grant(user=clerk, role=Role.STAFF, actor=secadmin, reason="  ")


def test_nobody_grants_themselves(client, secadmin):
    client.force_login(secadmin)
    assert grant(client, secadmin, Role.AUDIT_ADMIN).status_code == 400
    assert grant(client, secadmin, Role.STAFF).status_code == 400
    assert set(secadmin.role_grants.values_list("role", flat=True)) == {Role.SECURITY_ADMIN}
    with pytest.raises(ValidationError):
        services.role_revoke(user=secadmin, role=Role.SECURITY_ADMIN, actor=secadmin, reason="x")


def test_no_account_holds_two_of_the_three(client, secadmin, sysadmin):
    client.force_login(secadmin)
    for role in [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.STAFF]:
        assert grant(client, sysadmin, role).status_code == 400
    assert set(RoleGrant.objects.filter(user=sysadmin).values_list("role", flat=True)) == {
        Role.SYSTEM_ADMIN
    }


def test_security_administrator_revokes_and_sets_clearance(client, secadmin, clerk):
    client.force_login(secadmin)
    url = reverse("accounts:security_user_act", args=[clerk.pk, "revoke"])
    assert client.post(url, {"role": Role.CLERK, "reason": "调岗"}).status_code == 302
    assert clerk.role_set == frozenset() or not clerk.role_grants.exists()
    url = reverse("accounts:security_user_act", args=[clerk.pk, "clearance"])
    assert client.post(url, {"clearance": Clearance.PUBLIC, "reason": "外聘"}).status_code == 302
    clerk.refresh_from_db()
    assert clerk.clearance == Clearance.PUBLIC
    record = AuditRecord.objects.get(action="accounts.clearance_set")
    assert record.changes == {"clearance": [1, 0], "reason": "外聘"}


def test_clearance_above_what_the_system_is_approved_for_is_refused(client, secadmin, clerk):
    client.force_login(secadmin)
    url = reverse("accounts:security_user_act", args=[clerk.pk, "clearance"])
    assert client.post(url, {"clearance": Clearance.SECRET, "reason": "x"}).status_code == 400
    clerk.refresh_from_db()
    assert clerk.clearance == Clearance.INTERNAL


def test_unknown_action_or_bad_input_is_a_clean_4xx(client, secadmin, clerk):
    client.force_login(secadmin)
    assert client.post(
        reverse("accounts:security_user_act", args=[clerk.pk, "promote"]), {"reason": "x"}
    ).status_code in (403, 404)
    url = reverse("accounts:security_user_act", args=[clerk.pk, "clearance"])
    assert client.post(url, {"clearance": "99999999999999999999", "reason": "x"}).status_code == 400
    assert client.get("/accounts/security/users/99999999999999999999/").status_code == 404


def test_security_administrator_unlocks(client, secadmin, clerk, settings):
    settings.LOGIN_MAX_FAILURES = 3
    from .conftest import login

    for _ in range(3):
        login(client, "clerk", "wrong")
    client.force_login(secadmin)
    assert "clerk" in client.get(reverse("accounts:security")).content.decode()
    url = reverse("accounts:security_user_act", args=[clerk.pk, "unlock"])
    assert client.post(url, {"reason": "本人来电确认"}).status_code == 302
    clerk.refresh_from_db()
    assert clerk.locked_until is None and clerk.failed_logins == 0
    assert AuditRecord.objects.filter(action="accounts.unlock", actor=secadmin).exists()


def test_totp_reset_is_the_security_administrators_audited_act(client, secadmin, sysadmin, leader):
    enrol(leader)
    services._recovery_codes_replace(leader)
    url = reverse("accounts:security_user_act", args=[leader.pk, "totp_reset"])
    client.force_login(sysadmin)
    denied_and_audited(client, "post", url, {"reason": "手机丢失"})
    leader.refresh_from_db()
    assert leader.totp_secret
    client.force_login(secadmin)
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "手机丢失"}).status_code == 302
    leader.refresh_from_db()
    assert leader.totp_secret == "" and not leader.recovery_codes.exists()
    record = AuditRecord.objects.get(action="accounts.totp_reset")
    assert record.actor == secadmin and record.changes == {"reason": "手机丢失"}
    with pytest.raises(ValidationError):
        services.totp_reset(user=secadmin, actor=secadmin, reason="自己")


# --- the security settings page ----------------------------------------------------------


POLICY_FORM = {
    "password_min_length": 12,
    "password_min_classes": 4,
    "password_history": 6,
    "password_max_age_days": 60,
    "login_max_failures": 4,
    "address_max_failures": 30,
    "lockout_minutes": 20,
    "idle_timeout_minutes": 15,
    "session_max_hours": 8,
    "single_session": "on",
    "totp_roles": ["system_admin", "security_admin", "audit_admin", "office_leader"],
    "audit_max_rows": 0,
    "audit_max_mib": 10240,
    "audit_warn_percent": 80,
    "dormant_days": 90,
    "reason": "等保测评整改",
}


def test_security_settings_start_from_the_settings_defaults(client, secadmin, settings):
    settings.PASSWORD_MIN_LENGTH = 11
    client.force_login(secadmin)
    page = client.get(reverse("accounts:security_policy"))
    assert page.context["form"].initial["password_min_length"] == 11
    assert not SecurityPolicy.objects.exists()


def test_security_administrator_changes_the_policy_and_it_is_audited(client, secadmin):
    client.force_login(secadmin)
    assert client.post(reverse("accounts:security_policy"), POLICY_FORM).status_code == 302
    policy = SecurityPolicy.objects.get()
    assert policy.password_min_length == 12 and policy.totp_roles == sorted(
        POLICY_FORM["totp_roles"]
    )
    record = AuditRecord.objects.get(action="accounts.security_policy")
    assert record.changes["password_min_length"] == [10, 12]
    assert record.changes["reason"] == "等保测评整改"
    assert "city_leader" in str(record.changes["totp_roles"][0])
    # Saving the same values again changes and records nothing.
    client.post(reverse("accounts:security_policy"), POLICY_FORM)
    assert AuditRecord.objects.filter(action="accounts.security_policy").count() == 1


def test_the_audit_storage_limits_set_on_the_page_drive_the_audit_check(client, secadmin):
    from zhengban.audit.models import AuditAlert
    from zhengban.audit.storage import row_count

    client.force_login(secadmin)
    limits = {"audit_max_rows": row_count() + 2, "audit_warn_percent": 50}
    response = client.post(reverse("accounts:security_policy"), {**POLICY_FORM, **limits})
    assert response.status_code == 302
    record = AuditRecord.objects.get(action="accounts.security_policy")
    assert record.changes["audit_warn_percent"] == [80, 50]
    # The policy's own audit record filled the store past half of its new row limit.
    with pytest.raises(CommandError):
        call_command("audit", "check", "--no-verify")
    assert "审计记录已有" in AuditAlert.objects.get().message


@pytest.mark.parametrize(
    "field,value",
    [
        ("password_min_length", 4),
        ("password_min_length", "99999999999999999999"),
        ("login_max_failures", 0),
        ("idle_timeout_minutes", -1),
        ("totp_roles", ["office_leader"]),  # the 三员 always need the dynamic code
        ("audit_warn_percent", 99),  # an alert at 99 % comes too late to add storage
        ("dormant_days", 10),  # a fortnight's leave must not disable the account
        ("dormant_days", 366),
        ("dormant_days", -1),
        ("dormant_days", ""),
        ("reason", ""),
    ],
)
def test_out_of_range_policy_values_are_refused(client, secadmin, field, value):
    client.force_login(secadmin)
    response = client.post(reverse("accounts:security_policy"), {**POLICY_FORM, field: value})
    assert response.status_code == 400
    assert not SecurityPolicy.objects.exists()


@pytest.mark.parametrize("who", ["sysadmin", "auditadmin", "clerk"])
def test_only_the_security_administrator_changes_the_policy(client, request, who):
    client.force_login(request.getfixturevalue(who))
    denied_and_audited(client, "post", reverse("accounts:security_policy"), POLICY_FORM)
    assert not SecurityPolicy.objects.exists()
    with pytest.raises(PermissionDenied):
        services.security_policy_change(actor=request.getfixturevalue(who), password_history=1)


def test_roles_that_need_the_dynamic_code_follow_the_policy(client, secadmin, db):
    from .conftest import login

    make("cityboss", Role.CITY_LEADER)
    services.security_policy_change(
        actor=secadmin,
        totp_roles=["system_admin", "security_admin", "audit_admin", "office_leader"],
    )
    assert login(client, "cityboss")["Location"] == reverse("home")


# --- the audit administrator reads everyone's acts and changes nothing ---------------------


def test_audit_administrator_sees_the_other_administrators_acts(
    client, sysadmin, secadmin, auditadmin, clerk
):
    services.role_grant(user=clerk, role=Role.STAFF, actor=secadmin, reason="新岗位")
    services.password_reset(user=clerk, actor=sysadmin)
    client.force_login(auditadmin)
    page = client.get(reverse("audit:log")).content.decode()
    assert "授予 王文书 处室工作人员角色（理由：新岗位）" in page
    assert "重置 王文书 的密码" in page
    export = client.get(reverse("audit:export"))
    assert export.status_code == 200


def test_audit_administrator_changes_nothing(client, auditadmin, clerk):
    client.force_login(auditadmin)
    denied_and_audited(client, "post", reverse("accounts:user_reset_password", args=[clerk.pk]))
    denied_and_audited(
        client,
        "post",
        reverse("accounts:security_user_act", args=[clerk.pk, "clearance"]),
        {"clearance": 0, "reason": "x"},
    )
    clerk.refresh_from_db()
    assert clerk.clearance == Clearance.INTERNAL and clerk.check_password("Zhengban-2026")
