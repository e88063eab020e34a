"""Second factor for leaders and the 三员, recovery codes, lockout per account and per address
with one message for every refusal (GB/T 22239-2019 8.1.4.1 b, d)."""

import re
from datetime import timedelta

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts import services
from zhengban.accounts.choices import Role
from zhengban.accounts.models import LoginThrottle, RecoveryCode, User
from zhengban.audit.models import AuditRecord

from .conftest import PASSWORD, enrol, login, make

REFUSAL = "用户名、密码或动态口令不正确。"


def refusal_text(response) -> str:
    """The error the login page shows (the form's non-field errors)."""
    match = re.search(r'<ul class="errorlist nonfield">(.*?)</ul>', response.content.decode())
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


# --- the dynamic code --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        Role.OFFICE_LEADER,
        Role.CITY_LEADER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    ],
)
def test_unenrolled_leader_or_administrator_gets_only_the_enrolment_page(client, db, role):
    make("boss", role)
    response = login(client, "boss", otp="123456")  # a made-up code changes nothing
    assert response.status_code == 302 and response["Location"] == reverse("accounts:totp_enrol")
    # Nothing else is reachable before enrolment: pages, the API, the schema.
    for url in ["/", "/cases/", "/org/", "/audit/", "/accounts/users/", "/accounts/me/"]:
        page = client.get(url)
        assert page.status_code == 302 and page["Location"] == reverse("accounts:totp_enrol")
    assert client.get("/api/cases/cases/").status_code == 403
    assert client.get("/api/schema/").status_code in (302, 403)
    enrolment = client.get(reverse("accounts:totp_enrol"))
    assert enrolment.status_code == 200
    assert "<svg" in enrolment.content.decode()  # the QR code, drawn by the server
    # Signing out still works.
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_business_staff_need_no_enrolment(client, clerk):
    assert login(client, "clerk")["Location"] == reverse("home")


def test_enrolment_with_a_made_up_or_empty_code_is_refused(client, leader):
    login(client, "leader")
    for code in ["", "000000", "12345", "abcdef", "²²²²²²"]:
        response = client.post(reverse("accounts:totp_enrol"), {"code": code})
        assert response.status_code == 200
        assert client.get("/").status_code == 302
    leader.refresh_from_db()
    assert leader.totp_secret == ""


def test_enrolment_shows_recovery_codes_once_and_opens_the_office(client, leader):
    login(client, "leader")
    client.get(reverse("accounts:totp_enrol"))
    secret = client.session["totp_pending_secret"]
    response = client.post(reverse("accounts:totp_enrol"), {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    assert len(codes) == 10
    leader.refresh_from_db()
    assert leader.totp_secret == secret and leader.totp_enrolled_at is not None
    # Stored as digests only.
    stored = set(RecoveryCode.objects.filter(user=leader).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in d for c in codes for d in stored)
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="accounts.totp_enrol", actor=leader).exists()
    # Enrolling again is not possible; only the security administrator resets.
    assert client.get(reverse("accounts:totp_enrol"))["Location"] == reverse("accounts:profile")


def test_enrolled_leader_needs_a_current_code(client, leader):
    totp = enrol(leader)
    for code in ["", "000000", "123456"]:
        assert refusal_text(login(client, "leader", otp=code)) == REFUSAL
    assert login(client, "leader", otp=totp.now())["Location"] == reverse("home")


def test_a_code_works_once(client, leader):
    totp = enrol(leader)
    code = totp.now()
    assert login(client, "leader", otp=code).status_code == 302
    client.post(reverse("accounts:logout"))
    assert refusal_text(login(client, "leader", otp=code)) == REFUSAL


def test_recovery_codes_work_once_each(client, leader):
    enrol(leader)
    codes = services._recovery_codes_replace(leader)
    assert login(client, "leader", otp=codes[0].upper())["Location"] == reverse("home")
    client.post(reverse("accounts:logout"))
    assert refusal_text(login(client, "leader", otp=codes[0])) == REFUSAL
    assert login(client, "leader", otp=codes[1]).status_code == 302
    assert RecoveryCode.objects.filter(user=leader, used_at=None).count() == 8
    record = AuditRecord.objects.filter(action="accounts.recovery_code_used").last()
    assert record.summary == "剩余8个"


def test_another_users_recovery_code_does_not_work(client, leader):
    enrol(leader)
    other = make("other", Role.CITY_LEADER)
    enrol(other)
    codes = services._recovery_codes_replace(other)
    assert refusal_text(login(client, "leader", otp=codes[0])) == REFUSAL


# --- lockout -----------------------------------------------------------------------------


def test_one_message_whether_the_account_exists_or_is_locked(client, clerk, settings):
    settings.LOGIN_MAX_FAILURES = 3
    unknown = refusal_text(login(client, "nobody", "wrong"))
    wrong = refusal_text(login(client, "clerk", "wrong"))
    for _ in range(3):
        login(client, "clerk", "wrong", address="10.0.0.2")
    locked_right_password = login(client, "clerk", PASSWORD, address="10.0.0.3")
    for _ in range(3):
        login(client, "nobody", "wrong", address="10.0.0.4")
    unknown_after_tries = refusal_text(login(client, "nobody", PASSWORD, address="10.0.0.5"))
    assert unknown == wrong == refusal_text(locked_right_password) == unknown_after_tries
    assert unknown == REFUSAL
    # The pages are identical apart from the CSRF token.
    token = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')
    pages = [
        token.sub("", login(client, name, pw, address="10.0.0.9").content.decode())
        for name, pw in [("nobody", PASSWORD), ("clerk", PASSWORD)]
    ]
    assert pages[0].replace("nobody", "X") == pages[1].replace("clerk", "X")


def test_lock_expires(client, clerk, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        login(client, "clerk", "wrong")
    User.objects.filter(pk=clerk.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert login(client, "clerk")["Location"] == reverse("home")


def test_lockout_per_address_whatever_the_usernames(client, clerk, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 5
    for n in range(5):
        login(client, f"guess{n}", "wrong", address="10.1.1.1")
    assert LoginThrottle.objects.get(address="10.1.1.1").locked_until > timezone.now()
    # Even the right password of a real, unlocked account is refused from there...
    assert refusal_text(login(client, "clerk", address="10.1.1.1")) == REFUSAL
    clerk.refresh_from_db()
    assert clerk.locked_until is None and clerk.failed_logins == 0
    # ...and accepted from another address.
    assert login(client, "clerk", address="10.1.1.2")["Location"] == reverse("home")


def test_address_behind_the_trusted_proxy(client, clerk, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 3
    settings.TRUSTED_PROXIES = 1
    for _ in range(3):
        client.post(
            reverse("accounts:login"),
            {"username": "x", "password": "y"},
            REMOTE_ADDR="192.168.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 10.9.9.9",
        )
    # The address the proxy saw, not the proxy's nor the one the client wrote in front.
    assert LoginThrottle.objects.get().address == "10.9.9.9"


def test_failures_are_audited_without_the_password(client, clerk):
    login(client, "clerk", "Secret-Typo-1")
    record = AuditRecord.objects.get(action="accounts.login_failed")
    assert record.actor_name == "clerk" and "Secret-Typo-1" not in str(record.changes)
    assert record.client_address == "127.0.0.1"


def test_a_very_long_or_odd_username_is_a_clean_refusal(client, db):
    for name in ["x" * 151, "İ" * 100, "' OR 1=1 --", "²"]:
        response = login(client, name, "x")
        assert response.status_code == 200
