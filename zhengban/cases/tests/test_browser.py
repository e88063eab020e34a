"""The case pages in a real browser: a clerk registers a 交办事项 and submits it, the division
head assigns it to a lead unit with a co-unit, and it shows in the lead unit's inbox."""

import os
from pathlib import Path

import pytest

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create

# Playwright's sync API runs an event loop in this thread; the ORM calls around it are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/shots")
PASSWORD = "Zhengban-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TITLE = "关于做好今冬明春农村饮水安全工作的通知"


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


@pytest.fixture
def people(db, settings, tmp_path):
    from zhengban.org.models import Unit
    from zhengban.org.tests.factories import load_sample

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    bell = "zhengban.cases.context_processors.notifications"
    templates = [dict(t) for t in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    if bell not in processors:  # until settings lists it
        options = {**templates[0]["OPTIONS"], "context_processors": [*processors, bell]}
        templates[0]["OPTIONS"] = options
        settings.TEMPLATES = templates
    load_sample()

    def unit(name):
        return Unit.objects.get(name=name, active=True)

    def person(username, display_name, roles, units, head_of=()):
        return user_create(
            username=username,
            password=PASSWORD,
            display_name=display_name,
            roles=roles,
            units=units,
            head_of=head_of,
            validate_password=False,
        )

    duchashi = unit("市政府督查室")
    return {
        "clerk": person("wangfang", "王芳", (Role.STAFF,), (duchashi,)),
        "head": person("liqiang", "李强", (Role.DIVISION_HEAD,), (duchashi,), (duchashi,)),
        "farmer": person("zhaolei", "赵磊", (Role.STAFF,), (unit("农经处"),)),
    }


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")


def log_out(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/accounts/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_register_submit_assign_and_see_it_in_the_lead_units_inbox(live_server, page, people):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    # The clerk registers the case; the 拟办 panel suggests units from their duties.
    log_in(page, base, "wangfang")
    page.click("text=新建交办事项")
    page.wait_for_url("**/cases/new/?type=assigned_task")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "请农经处牵头，文教处配合，做好农村饮水安全工作，按期反馈。")
    page.select_option("#id_urgency", "urgent")
    page.select_option("#id_sensitivity", "1")
    page.wait_for_selector("#routing-suggestions ol.routing-matches li")
    suggestions = page.locator("#routing-suggestions").inner_text()
    assert "农经处" in suggestions
    page.screenshot(path=str(SHOTS / "cases-create.png"), full_page=True)
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    assert page.locator("[data-testid=case-state]").inner_text() == "起草"
    page.click("form[data-action=submit] button")
    page.wait_for_selector(".message.success")
    assert page.locator("[data-testid=case-state]").inner_text() == "待审核"
    case_url = page.url
    log_out(page)

    # The head assigns it: 农经处 leads, 文教处 co-handles.
    log_in(page, base, "liqiang")
    page.goto(case_url)
    assign = page.locator("details[data-action=assign]")
    if assign.get_attribute("open") is None:
        assign.locator("summary").click()
    assign.locator("select[name=lead_unit]").select_option(label="农经处")
    assign.locator("label", has_text="文教处").locator("input").check()
    assign.locator("textarea[name=instructions]").fill("请于十个工作日内反馈办理情况。")
    assign.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert page.locator("[data-testid=case-state]").inner_text() == "办理中"
    rows = page.locator("[data-testid=assignments] tbody tr")
    assert rows.count() == 2
    assert "农经处" in rows.nth(0).inner_text() and "主办" in rows.nth(0).inner_text()
    assert "文教处" in rows.nth(1).inner_text() and "协办" in rows.nth(1).inner_text()
    assert "党政机关公文处理工作条例" in page.locator("[data-testid=deadline-basis]").inner_text()
    page.screenshot(path=str(SHOTS / "cases-detail.png"), full_page=True)
    log_out(page)

    # The lead unit finds it in its inbox.
    log_in(page, base, "zhaolei")
    page.click("[data-tab=unit]")
    page.wait_for_url("**/cases/?tab=unit*")
    row = page.locator("[data-testid=case-table] tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert "农经处" in row.inner_text() and "加急" in row.inner_text()
    assert page.locator("[data-testid=bell] .n").inner_text() == "1"
    page.screenshot(path=str(SHOTS / "cases-inbox.png"), full_page=True)
    row.locator("a").first.click()
    page.wait_for_url(case_url)
    report = page.locator("[data-testid=assignments] details", has_text="反馈办理情况").first
    assert report.count() == 1
    page.screenshot(path=str(SHOTS / "cases-detail-lead.png"), full_page=True)

    page.goto(f"{base}/cases/types/assigned_task/")
    assert page.locator("[data-testid=diagram] svg g[data-state]").count() == 7
    page.screenshot(path=str(SHOTS / "cases-workflow.png"), full_page=True)
