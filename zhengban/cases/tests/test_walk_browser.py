"""The whole walk of a 交办事项 in Chromium, as the office's people do it: the 督查室 staff
drafts it, the 处长 sends it back, the drafter corrects it, a city leader countersigns on a
phone, the 处长 assigns it to 市教育局 with 市公安局 (no accounts) as co-unit and a deadline,
the bureau reports twice and asks for more time, the leader approves on the phone, the
owner records 市公安局's report (代录), the bureau closes with its 办结报告, the 处长
confirms — and at every hand-off the next person finds it in 待办 with a bell."""

import datetime

import pyotp
import pytest

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.workcalendar.calendar import add_workdays

from .test_browser import (
    CHROMIUM_ARGS,
    PASSWORD,
    SHOTS,
    log_out,
    people,  # noqa: F401 - the fixture
)

TITLE = "关于做好冬季城市供暖保障工作的通知"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def walkers(people):  # noqa: F811 - the fixture imported above
    from zhengban.org.choices import UnitKind
    from zhengban.org.models import Unit

    education = Unit.objects.create(name="市教育局", kind=UnitKind.EXTERNAL, order=900)
    Unit.objects.create(name="市公安局", kind=UnitKind.EXTERNAL, order=901)
    secret = pyotp.random_base32()
    leader = user_create(
        username="mishuzhang",
        password=PASSWORD,
        display_name="周秘书长",
        roles=(Role.OFFICE_LEADER,),
        units=(),
        validate_password=False,
    )
    type(leader).objects.filter(pk=leader.pk).update(totp_secret=secret)
    contact = user_create(
        username="jiaoyu",
        password=PASSWORD,
        display_name="教育局联络员",
        roles=(Role.STAFF,),
        units=(education,),
        validate_password=False,
    )
    return {**people, "leader": leader, "secret": secret, "contact": contact}


def enter(page, base, username, secret=None):
    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")


def todo_row(page):
    return page.locator("[data-testid=case-table] tbody tr", has_text=TITLE)


def bell_count(page) -> int:
    badge = page.locator("[data-testid=bell] .n")
    return int(badge.inner_text()) if badge.count() else 0


def open_case_from_todo(page, shot: str):
    """The case is in the person's 待办 with a bell; open it from there."""
    assert todo_row(page).count() == 1, page.url
    assert bell_count(page) >= 1
    page.screenshot(path=str(SHOTS / f"walk-{shot}-todo.png"), full_page=True)
    todo_row(page).locator("a").first.click()
    page.wait_for_selector("[data-testid=case-header]")


def act(page, code: str, fill=None):
    """Open a declared action's form, fill it and submit."""
    box = page.locator(f"details[data-action={code}]")
    if box.count():
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        for selector, value in (fill or {}).items():
            box.locator(selector).fill(value)
        box.locator("button[type=submit]").click()
    else:
        page.click(f"form[data-action={code}] button")
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


def assignment_form(page, unit: str, label: str, fill: dict, kind: str = ""):
    row = page.locator(f"[data-testid=assignments] tr[data-unit={unit}]")
    box = row.locator("details", has_text=label)
    box.locator("summary").click()
    if kind:
        box.locator(f"input[type=radio][value={kind}]").check()
    for selector, value in fill.items():
        box.locator(selector).fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_whole_walk_of_an_assigned_task(live_server, chromium, walkers):
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    page = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True).new_page()

    # 1. The drafter creates and submits it.
    enter(page, base, "wangfang")
    page.goto(f"{base}/cases/new/?type=assigned_task")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "请各有关单位做好供热保障。")
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case_url = page.url
    act(page, "submit")
    assert page.locator("[data-testid=case-state]").inner_text() == "待审核"
    page.goto(f"{base}/cases/")
    assert todo_row(page).count() == 0  # waiting at the 处长, not at her
    log_out(page)

    # 2. The 处长 finds it in 待办 and sends it back with a reason.
    enter(page, base, "liqiang")
    open_case_from_todo(page, "head-review")
    act(page, "send_back", {"textarea[name=comment]": "请写明供热温度标准"})
    log_out(page)

    # 3. The drafter is told, finds it in 待办 and corrects the text; the page keeps the change.
    enter(page, base, "wangfang")
    open_case_from_todo(page, "drafter-returned")
    page.click("[data-testid=edit]")
    page.fill("#id_body", "请各有关单位做好供热保障，室温不低于18℃。")
    page.click("[data-testid=edit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=revisions]")
    assert "室温不低于18℃" in page.locator("[data-testid=revisions] ins").first.inner_text()
    act(page, "submit")
    log_out(page)

    # 4. The 处长 asks the secretary-general to countersign.
    enter(page, base, "liqiang")
    open_case_from_todo(page, "head-again")
    box = page.locator("details[data-action=countersign]")
    box.locator("summary").click()
    box.locator("label", has_text="周秘书长").locator("input").check()
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    log_out(page)

    # 5. The leader countersigns on a phone.
    enter(phone, base, "mishuzhang", walkers["secret"])
    open_case_from_todo(phone, "leader-phone")
    task = phone.locator("[data-testid=my-task]")
    task.locator("input[type=radio][value=agree]").check()
    task.locator("textarea").fill("同意，请督查室抓紧交办。")
    phone.screenshot(path=str(SHOTS / "walk-leader-phone-countersign.png"), full_page=True)
    task.locator("button[type=submit]").click()
    phone.wait_for_selector(".message.success")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

    # 6. The 处长 assigns: 市教育局 leads, 市公安局 co-handles, due in 8 working days.
    enter(page, base, "liqiang")
    open_case_from_todo(page, "head-assign")
    due = add_workdays(datetime.date.today(), 8).date
    box = page.locator("details[data-action=assign]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("select[name=lead_unit]").select_option(label="市教育局")
    box.locator("label", has_text="市公安局").locator("input").check()
    box.locator("input[name=due_date]").fill(due.isoformat())
    box.locator("select[name=leader]").select_option(label="周秘书长")
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert due.isoformat() in page.locator("[data-testid=due-date]").inner_text()
    log_out(page)

    # 7. The bureau finds it, sees only its part, reports twice and asks for more time.
    enter(page, base, "jiaoyu")
    open_case_from_todo(page, "bureau")
    body = page.locator("body").inner_text()
    for internal in ("请写明供热温度标准", "同意，请督查室抓紧交办。"):
        assert internal not in body
    for text in ("已召开供热保障专题会议", "已完成全市学校供热排查"):
        assignment_form(
            page, "市教育局", "反馈办理情况", {"textarea[name$=report]": text}, kind="progress"
        )
    later = add_workdays(due, 5).date
    assignment_form(
        page,
        "市教育局",
        "申请延期",
        {"input[name$=new_due]": later.isoformat(), "textarea[name$=reason]": "需等待检测结果"},
    )
    page.screenshot(path=str(SHOTS / "walk-bureau-reports.png"), full_page=True)
    log_out(page)

    # 8. The leader approves the extension on the phone (same session, new bell).
    phone.goto(f"{base}/cases/")
    open_case_from_todo(phone, "leader-extension")
    task = phone.locator("[data-testid=my-task]", has_text="审批延期")
    task.locator("input[type=radio][value=approve]").check()
    task.locator("textarea").fill("同意延期")
    task.locator("button[type=submit]").click()
    phone.wait_for_selector(".message.success")
    assert later.isoformat() in phone.locator("[data-testid=due-date]").inner_text()

    # 9. The drafter records 市公安局's final report on its behalf (代录).
    enter(page, base, "wangfang")
    page.goto(case_url)
    assignment_form(
        page, "市公安局", "代录反馈", {"textarea[name$=report]": "电话反馈：已完成"}, kind="final"
    )
    assert page.locator("[data-testid=report] >> text=电话反馈：已完成").count() == 1
    assert page.locator("[data-testid=assignments] .badge", has_text="代录").count() == 1
    log_out(page)

    # 10. The bureau closes its part with the 办结报告.
    enter(page, base, "jiaoyu")
    open_case_from_todo(page, "bureau-complete")
    act(page, "complete", {"textarea[name=report]": "供热保障工作已全部落实。"})
    log_out(page)

    # 11. The 处长 confirms; the case is closed and nobody's 待办 shows it.
    enter(page, base, "liqiang")
    open_case_from_todo(page, "head-confirm")
    act(page, "confirm")
    assert page.locator("[data-testid=case-state]").inner_text() == "已办结"
    page.screenshot(path=str(SHOTS / "walk-closed.png"), full_page=True)
    page.goto(f"{base}/cases/")
    assert todo_row(page).count() == 0
    log_out(page)
    for username in ("wangfang", "jiaoyu"):
        enter(page, base, username)
        assert todo_row(page).count() == 0, username
        log_out(page)
    phone.goto(f"{base}/cases/")
    assert todo_row(phone).count() == 0


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
