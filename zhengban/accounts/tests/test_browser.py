"""In Chromium: a leader's first login goes to enrolment, the QR code renders, the code from
the authenticator opens the office; the Content-Security-Policy blocks nothing on the way."""

import os

import pyotp
import pytest

from zhengban.accounts.choices import Role

from .conftest import PASSWORD, make

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.csp_violations = []
        page.on(
            "console",
            lambda message: (
                page.csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        yield page
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_first_login_of_a_leader_enrols_an_authenticator(live_server, browser_page):
    from zhengban.org.tests.factories import load_sample

    load_sample()
    make("mishuzhang", Role.OFFICE_LEADER, display_name="张秘书长")
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "mishuzhang")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/me/totp/")
    # Other pages lead back here until the enrolment is done.
    page.goto(f"{base}/org/")
    page.wait_for_url(f"{base}/accounts/me/totp/")
    assert page.locator("[data-testid=totp-qr] svg").is_visible()
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.click("text=我已保存，继续")
    page.wait_for_url(f"{base}/")
    # The staffing page draws its charts from a static script (no inline code).
    page.goto(f"{base}/org/staffing/")
    page.wait_for_selector("#staffing-chart canvas")
    assert page.csp_violations == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_joined_parameters_replace_hx_vals_js(live_server, browser_page):
    """zhengban.js sends data-join-from fields as one parameter, which hx-vals="js:…" did
    before the CSP forbade eval."""
    from urllib.parse import parse_qs, urlparse

    from django.test import Client

    client = Client()
    client.force_login(make("keyuan", Role.STAFF))
    page, base = browser_page, live_server.url
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    page.goto(f"{base}/")
    seen = []
    page.route(
        "**/probe/**",
        lambda route: (seen.append(route.request.url), route.fulfill(body="<p id=done>ok</p>")),
    )
    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend",
            '<input id="a" value="标题"><textarea id="b">正文</textarea>' +
            '<div id="probe" hx-get="/probe/" hx-trigger="click" data-join-param="text"' +
            ' data-join-from="#a, #b" hx-swap="innerHTML"></div>');
          htmx.process(document.getElementById("probe"));
          document.getElementById("probe").click();
        }"""
    )
    page.wait_for_selector("#done")
    assert parse_qs(urlparse(seen[0]).query)["text"] == ["标题\n正文"]
    assert page.csp_violations == []
