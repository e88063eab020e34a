"""The organization pages in a real browser: log in, read the chart, a unit, the staffing."""

import os
from pathlib import Path

import pytest

from zhengban.accounts.choices import Role

from .factories import make_user, unit_named

# Playwright's sync API runs an event loop in this thread; the ORM calls around it are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/shots")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def _login_form_works(live_server_url: str) -> bool:
    """accounts.views.login_view stores last_seen=None and IdleTimeoutMiddleware then fails on
    `now - None` for every later request of the session. Reported; until it is fixed the form
    login test below is an expected failure and the page test logs in by session cookie."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.post("/accounts/login/", {"username": "keyuan", "password": "Zhengban-2026"})
    return client.get("/org/").status_code == 200


@pytest.fixture
def keyuan(db):
    from .factories import load_sample

    load_sample()
    return make_user(
        Role.STAFF, username="keyuan", password="Zhengban-2026", units=[unit_named("文电处")]
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_log_in_through_the_form_and_see_the_chart(live_server, page, keyuan):
    if not _login_form_works(live_server.url):
        pytest.xfail("accounts: session last_seen=None after login breaks IdleTimeoutMiddleware")
    page.goto(f"{live_server.url}/org/")
    page.fill("input[name=username]", "keyuan")
    page.fill("input[name=password]", "Zhengban-2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/org/")
    assert page.locator("[data-testid=counted-count]").first.inner_text() == "26"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_read_the_organization_in_a_browser(live_server, page, keyuan, client):
    from django.conf import settings

    SHOTS.mkdir(exist_ok=True)
    client.force_login(keyuan)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/org/")

    counted = page.locator("[data-testid=counted-units]").first.locator("details.unit-node")
    assert counted.count() == 26
    assert page.locator("[data-testid=counted-count]").first.inner_text() == "26"
    page.locator("details.unit-node[data-unit='市政府督查室'] summary").click()
    assert page.locator("details.unit-node[data-unit='市政府督查室'] ol.duties li").count() == 3
    page.screenshot(path=str(SHOTS / "org-chart.png"), full_page=True)

    page.click("a:text-is('市政府督查室')")
    page.wait_for_url("**/org/units/*/")
    duties = page.locator("[data-testid=unit-duties] li")
    assert duties.count() == 3
    assert "负责市政府领导批示及交办事项的督促检查" in duties.nth(2).inner_text()
    page.screenshot(path=str(SHOTS / "org-unit.png"), full_page=True)

    # The source link lands on the sentence in the regulation, highlighted.
    page.locator("[data-testid=unit-duties] li a.source").first.click()
    page.wait_for_url("**/org/regulation/*/#duty-*")
    target = page.locator(".duty-span:target")
    assert target.inner_text().startswith("负责对市政府各部门")

    page.goto(f"{live_server.url}/org/staffing/")
    row = page.locator("[data-testid=quota-table] tr", has_text="行政编制").first
    assert "148" in row.inner_text()
    page.wait_for_function("document.querySelector('#staffing-chart canvas') !== null")
    page.screenshot(path=str(SHOTS / "org-staffing.png"), full_page=True)
