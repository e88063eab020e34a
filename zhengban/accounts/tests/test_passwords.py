"""Password policy: length, character classes, no reuse of the last N, expiry with a forced
change (GB/T 22239-2019 8.1.4.1 a); the numbers come from the security policy."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts import services
from zhengban.accounts.choices import Role
from zhengban.accounts.models import PasswordHistory, User
from zhengban.audit.models import AuditRecord

from .conftest import PASSWORD, login, make


def change(client, old, new, again=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password": new, "new_password_again": again or new},
    )


@pytest.mark.parametrize(
    "password,code",
    [
        ("Ab1-short", "password_too_short"),
        ("alllowercase-but-long", None),  # two classes: lower + symbol
        ("ALLUPPERCASE12345", None),  # two classes
        ("Abcdefghijkl", None),  # two classes
    ],
)
def test_length_and_classes(db, password, code):
    with pytest.raises(ValidationError) as error:
        validate_password(password, User(username="u"))
    codes = {e.code for e in error.value.error_list}
    assert (code or "password_character_classes") in codes


def test_the_policy_sets_the_numbers(db, secadmin):
    validate_password("Abcdef-1234", User(username="u"))  # 11 characters, 4 classes
    services.security_policy_change(actor=secadmin, password_min_length=12, password_min_classes=4)
    with pytest.raises(ValidationError, match="12"):
        validate_password("Abcdef-1234", User(username="u"))
    with pytest.raises(ValidationError, match="4"):
        validate_password("Abcdefg12345", User(username="u"))
    validate_password("Abcdef-12345", User(username="u"))


def test_no_reuse_of_the_last_n(client, clerk, settings):
    settings.PASSWORD_HISTORY = 3
    client.force_login(clerk)
    sequence = ["Second-Pass-2", "Third-Pass-3", "Fourth-Pass-4"]
    old = PASSWORD
    for new in sequence:
        assert change(client, old, new).status_code == 302, new
        old = new
    # The current one and the two before it are refused; the oldest may come back.
    for reused in ["Fourth-Pass-4", "Third-Pass-3", "Second-Pass-2"]:
        response = change(client, old, reused)
        assert response.status_code == 200 and "最近3次" in response.content.decode()
    assert change(client, old, PASSWORD).status_code == 302
    # Only hashes are kept, and no more than the policy needs.
    history = list(PasswordHistory.objects.filter(user=clerk).values_list("password", flat=True))
    assert len(history) == 3 and all(h.startswith("md5$") for h in history)
    assert not any(p in h for h in history for p in sequence)


def test_wrong_old_password_or_mismatch(client, clerk):
    client.force_login(clerk)
    assert "原密码不正确" in change(client, "wrong", "Brand-New-2027").content.decode()
    assert "不一致" in change(client, PASSWORD, "Brand-New-2027", "Other-2027!").content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)


def test_expired_password_must_be_changed_before_anything_else(client, clerk, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=clerk.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = login(client, "clerk")
    assert response["Location"] == reverse("accounts:password_change")
    assert client.get("/").status_code == 302
    assert client.get("/cases/")["Location"] == reverse("accounts:password_change")
    assert change(client, PASSWORD, "Renewed-Pass-9").status_code == 302
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="accounts.password_change", actor=clerk).exists()


def test_a_fresh_password_is_not_expired(client, clerk, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=clerk.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    assert login(client, "clerk")["Location"] == reverse("home")


def test_reset_by_the_system_administrator_forces_a_change(client, clerk, sysadmin):
    client.force_login(sysadmin)
    response = client.post(reverse("accounts:user_reset_password", args=[clerk.pk]))
    assert response.status_code == 200
    password = response.context["password"]
    validate_password(password, User(username="someone"))
    client.logout()
    assert login(client, "clerk", PASSWORD).status_code == 200  # the old one is gone
    assert login(client, "clerk", password)["Location"] == reverse("accounts:password_change")
    assert AuditRecord.objects.filter(action="accounts.password_reset", actor=sysadmin).exists()


def test_the_user_cannot_reset_their_own_password_through_administration(db, sysadmin):
    with pytest.raises(ValidationError):
        services.password_reset(user=sysadmin, actor=sysadmin)


def test_random_passwords_pass_the_strictest_policy(db, secadmin):
    services.security_policy_change(
        actor=secadmin, password_min_length=20, password_min_classes=4, password_history=24
    )
    for _n in range(50):
        validate_password(services.random_password(), User(username="someone"))


def test_password_change_needs_login(client, db):
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_leader_with_an_expired_password_enrols_then_changes(client, settings, db):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    leader = make("leader2", Role.CITY_LEADER)
    User.objects.filter(pk=leader.pk).update(
        password_changed_at=timezone.now() - timedelta(days=31)
    )
    assert login(client, "leader2")["Location"] == reverse("accounts:totp_enrol")
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert client.get("/").status_code == 302
