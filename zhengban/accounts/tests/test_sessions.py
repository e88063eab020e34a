"""Idle timeout, absolute lifetime, one session per account, sessions cleared on logout, and a
session cookie that ends with the browser."""

from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from zhengban.accounts import services
from zhengban.audit.models import AuditRecord

from .conftest import login


def test_the_session_cookie_is_not_kept_for_14_days(client, clerk):
    response = login(client, "clerk")
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    # A browser-session cookie: no Max-Age, no Expires; HttpOnly, SameSite.
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert django_settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert client.session.get_expiry_age() <= 24 * 3600


def test_absolute_lifetime(client, clerk):
    login(client, "clerk")
    session = client.session
    session["login_at"] -= session["max_age"] + 1
    session["last_seen"] = session["login_at"] + session["max_age"]  # active all along
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "timeout=1" in response["Location"]
    assert client.get(reverse("home")).status_code == 302


def test_session_limits_come_from_the_policy(client, clerk, secadmin):
    services.security_policy_change(actor=secadmin, idle_timeout_minutes=5, session_max_hours=2)
    login(client, "clerk")
    assert client.session["idle_timeout"] == 300 and client.session["max_age"] == 7200
    session = client.session
    session["last_seen"] -= 301
    session.save()
    assert client.get(reverse("home")).status_code == 302


def test_a_new_login_ends_the_older_session(clerk):
    first, second = Client(), Client()
    login(first, "clerk")
    assert first.get(reverse("home")).status_code == 200
    login(second, "clerk")
    assert second.get(reverse("home")).status_code == 200
    assert first.get(reverse("home")).status_code == 302
    assert Session.objects.count() == 1
    assert AuditRecord.objects.filter(action="accounts.session_replaced").count() == 1


def test_several_sessions_when_the_policy_allows_them(clerk, secadmin):
    services.security_policy_change(actor=secadmin, single_session=False)
    first, second = Client(), Client()
    login(first, "clerk")
    login(second, "clerk")
    assert first.get(reverse("home")).status_code == 200
    assert second.get(reverse("home")).status_code == 200


def test_logout_deletes_the_session(client, clerk):
    login(client, "clerk")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    clerk.refresh_from_db()
    assert clerk.current_session_key == ""


def test_pending_secret_does_not_survive_logout(client, leader):
    login(client, "leader")
    client.get(reverse("accounts:totp_enrol"))
    assert client.session.get("totp_pending_secret")
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_changing_the_password_ends_other_sessions(clerk):
    here, elsewhere = Client(), Client()
    elsewhere.force_login(clerk)
    login(here, "clerk")
    here.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Zhengban-2026",
            "new_password": "Another-Pass-77",
            "new_password_again": "Another-Pass-77",
        },
    )
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302
