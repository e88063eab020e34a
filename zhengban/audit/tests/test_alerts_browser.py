"""The audit alarm in a real browser: a system administrator's write fails because its audit
record cannot be written; the security administrator sees the banner on every page, opens
the alerts page and acknowledges; the banner is gone and the acknowledgement is audited."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from zhengban.accounts.choices import Role
from zhengban.accounts.models import User
from zhengban.audit.models import AuditAlert, AuditRecord

from .factories import make_user

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/shots/audit")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def page_as(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


@pytest.fixture
def audit_fails():
    """A function making every INSERT into the audit table fail (a full disk); healed at the
    end of the test whatever happens."""
    table = AuditRecord._meta.db_table

    def fail():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "CREATE FUNCTION zb_audit_fail() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'No space left on device'; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    f"CREATE TRIGGER zb_audit_fail BEFORE INSERT ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION zb_audit_fail()"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER zb_audit_fail BEFORE INSERT ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                )

    def heal():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS zb_audit_fail ON {table}")
                cursor.execute("DROP FUNCTION IF EXISTS zb_audit_fail()")
            else:
                cursor.execute("DROP TRIGGER IF EXISTS zb_audit_fail")

    fail.heal = heal
    yield fail
    heal()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_audit_failure_is_alarmed_until_acknowledged(live_server, browser, audit_fails):
    SHOTS.mkdir(parents=True, exist_ok=True)
    system_admin = make_user(Role.SYSTEM_ADMIN, username="xitong", display_name="系统管理员甲")
    security_admin = make_user(Role.SECURITY_ADMIN, username="baomi", display_name="保密员乙")
    make_user(Role.AUDIT_ADMIN, username="shenji", display_name="审计员丙")

    # The system administrator creates an account while audit records cannot be written.
    sysadmin = page_as(browser, live_server, system_admin)
    audit_fails()
    sysadmin.goto(f"{live_server.url}/accounts/users/new/")
    sysadmin.fill("input[name=username]", "wangwu")
    sysadmin.fill("input[name=display_name]", "王五")
    sysadmin.locator("main button[type=submit]").click()
    sysadmin.wait_for_load_state()
    assert "审计记录暂时无法写入，本次操作未执行" in sysadmin.inner_text("main")
    sysadmin.screenshot(path=str(SHOTS / "1-write-refused.png"), full_page=True)
    assert not User.objects.filter(username="wangwu").exists()
    audit_fails.heal()

    # The security administrator sees the banner on any page, and the bell.
    security = page_as(browser, live_server, security_admin)
    security.goto(f"{live_server.url}/accounts/security/")
    banner = security.locator(".audit-alert")
    assert "审计记录写入失败" in banner.inner_text()
    security.screenshot(path=str(SHOTS / "2-banner.png"), full_page=True)

    banner.locator("a").click()
    security.wait_for_url("**/audit/alerts/")
    security.fill("input[name=note]", "磁盘已扩容，已恢复写入")
    security.screenshot(path=str(SHOTS / "3-alerts-page.png"), full_page=True)
    security.locator("button:text-is('确认告警')").click()
    security.wait_for_url("**/audit/alerts/")
    assert "没有未确认的告警" in security.inner_text("main")
    security.screenshot(path=str(SHOTS / "4-acknowledged.png"), full_page=True)

    security.goto(f"{live_server.url}/accounts/security/")
    assert security.locator(".audit-alert").count() == 0
    alert = AuditAlert.objects.get()
    assert alert.acknowledged_by == security_admin
    assert AuditRecord.objects.filter(action="audit.alert_ack", actor_id=security_admin.pk).exists()
