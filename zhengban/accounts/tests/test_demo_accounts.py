"""The demo's accounts: no shared or default password (GB/T 22239-2019 8.1.4.2 b)."""

import pyotp
from django.contrib.auth.password_validation import validate_password

from zhengban.accounts.models import User
from zhengban.org.management.commands.demo import Command


def test_each_demo_account_gets_its_own_random_password_printed_once(db):
    users, secrets = Command()._accounts(None)
    rows = {row[0]: row for row in users[1:]}
    assert {"clerk", "staff", "division_head", "unit_contact", "auditadmin"} <= set(rows)
    passwords = [row[3] for row in rows.values()]
    assert len(set(passwords)) == len(passwords) == 10
    for username, *_rest, password in rows.values():
        user = User.objects.get(username=username)
        assert user.check_password(password) and not user.check_password("Zhengban-2026")
        validate_password(password, User(username="someone-else"))
    # Leaders and the 三员 are enrolled, and their keys are printed once.
    printed = {row[0]: row[1] for row in secrets[1:] if row[0]}
    assert set(printed) == {"office_leader", "city_leader", "sysadmin", "secadmin", "auditadmin"}
    for username, secret in printed.items():
        assert User.objects.get(username=username).totp_secret == secret
        pyotp.TOTP(secret).now()
    assert User.objects.get(username="clerk").totp_secret == ""
    # A second run shows no password and no key again, and changes nothing.
    again, no_secrets = Command()._accounts(None)
    assert {row[3] for row in again[1:]} == {"—"} and no_secrets == []
    assert User.objects.get(username="clerk").check_password(rows["clerk"][3])


def test_a_known_password_only_when_asked_for(db):
    users, _secrets = Command()._accounts(None, "Known-Test-2026")
    assert {row[3] for row in users[1:]} == {"Known-Test-2026"}
    assert User.objects.get(username="staff").check_password("Known-Test-2026")
