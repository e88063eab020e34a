"""A 签报 in Chromium, as the office's people handle it: 综合处's 张明 drafts it, 处长 李强
agrees and 呈批s it to 王副秘书长 then 陈副市长; each finds it in 待办 only at their turn; the
副市长 returns it once for the cost basis, 张明 adds it and resubmits, the turns start again,
both approve in order, the panel lists the opinions in order, the 签报单 downloads — and the
approved 签报 starts a 发文 through the kernel's 派生."""

import os
from pathlib import Path

import pyotp
import pytest

from zhengban.cases.casetypes import case_type_or_none
from zhengban.cases.tests.test_browser import CHROMIUM_ARGS

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/shots/approvals")
PASSWORD = "x"  # the test office's users (conftest)
TITLE = "关于申请2027年度防汛物资储备专项经费的签报"


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


def log_in(page, base, username, secret=None):
    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        from zhengban.accounts.models import User

        # Each code works once: a leader signing in twice within 30 seconds would need the
        # next one. Forget the step used, as if the half-minute had passed.
        User.objects.filter(username=username).update(totp_last_step=0)
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")


def log_out(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/accounts/login/")


def in_todo(page, base) -> bool:
    page.goto(f"{base}/cases/?tab=todo")
    return page.locator("[data-testid=case-table] tbody tr", has_text=TITLE).count() == 1


def open_from_todo(page, base, shot):
    assert in_todo(page, base), page.url
    page.screenshot(path=str(SHOTS / f"{shot}-todo.png"), full_page=True)
    page.locator("[data-testid=case-table] tbody tr", has_text=TITLE).locator("a").first.click()
    page.wait_for_selector("[data-testid=case-header]")


def act(page, code, fill=None, select=None):
    box = page.locator(f"details[data-action={code}]")
    if box.count():
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        for selector, label in (select or {}).items():
            box.locator(selector).select_option(label=label)
        for selector, value in (fill or {}).items():
            box.locator(selector).fill(value)
        box.locator("button[type=submit]").click()
    else:
        page.click(f"form[data-action={code}] button")
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


def state(page) -> str:
    return page.locator("[data-testid=case-state]").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_request_goes_to_two_leaders_in_order_and_starts_an_outgoing_document(
    live_server, page, office
):
    from importlib import import_module

    from django.apps import apps

    # A transactional test before this one flushed the categories the migration wrote.
    import_module("zhengban.approvals.migrations.0002_default_categories").add_defaults(apps, None)
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    secrets = {}
    for leader in (office.leader1, office.leader2):
        secrets[leader.username] = pyotp.random_base32()
        type(leader).objects.filter(pk=leader.pk).update(totp_secret=secrets[leader.username])

    # 1. 张明 drafts the 签报 with its 拟办意见 and sends it to his 处长.
    log_in(page, base, "drafter")
    page.goto(f"{base}/cases/new/?type=approval")
    page.fill("#id_title", TITLE)
    page.fill(
        "#id_body",
        "一、基本情况\n今年汛期我市防汛物资消耗较大，现有储备不足。\n"
        "二、请示事项\n（一）安排专项经费120万元。\n（二）由市应急管理局组织采购。",
    )
    page.select_option("#id_urgency", "urgent")
    page.select_option("#id_d-category", label="经费")
    page.fill("#id_d-proposal", "拟同意安排专项经费120万元，由市应急管理局组织采购。")
    page.screenshot(path=str(SHOTS / "1-draft.png"), full_page=True)
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case_url = page.url
    assert state(page) == "拟稿"
    act(page, "submit")
    assert state(page) == "处室审核"
    log_out(page)

    # 2. 处长 李强 agrees and 呈批s it: 王副秘书长 first, then 陈副市长.
    log_in(page, base, "head")
    open_from_todo(page, base, "2-head")
    act(page, "endorse", fill={"textarea[name=comment]": "情况属实，建议同意。"})
    assert state(page) == "待呈批"
    act(
        page,
        "route",
        select={"select[name=leader_1]": "王副秘书长", "select[name=leader_2]": "陈副市长"},
    )
    assert state(page) == "领导审批"
    page.screenshot(path=str(SHOTS / "2-routed.png"), full_page=True)
    log_out(page)

    # 3. Only the first leader has it in 待办; he approves.
    log_in(page, base, "leader2", secrets["leader2"])
    assert not in_todo(page, base)
    log_out(page)
    log_in(page, base, "leader1", secrets["leader1"])
    open_from_todo(page, base, "3-leader1")
    act(page, "approve", fill={"textarea[name=comment]": "同意，请陈副市长审批。"})
    assert state(page) == "领导审批"
    assert not in_todo(page, base)
    log_out(page)

    # 4. Now the 副市长's turn: he returns it for the cost basis.
    log_in(page, base, "leader2", secrets["leader2"])
    open_from_todo(page, base, "4-leader2")
    page.screenshot(path=str(SHOTS / "4-leader2-case.png"), full_page=True)
    act(page, "leader_return", fill={"textarea[name=comment]": "请补充经费测算依据。"})
    assert state(page) == "拟稿"
    log_out(page)

    # 5. 张明 adds the basis and resubmits; the 处长 呈批s it again to both.
    log_in(page, base, "drafter")
    open_from_todo(page, base, "5-drafter")
    page.click("[data-testid=edit]")
    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n三、经费测算\n冲锋舟每艘8万元，救生衣每件100元。")
    page.click("form button[type=submit]")
    page.wait_for_url(case_url)
    act(page, "submit")
    log_out(page)
    log_in(page, base, "head")
    open_from_todo(page, base, "5-head")
    act(page, "endorse", fill={"textarea[name=comment]": "已补充测算依据，建议同意。"})
    act(
        page,
        "route",
        select={"select[name=leader_1]": "王副秘书长", "select[name=leader_2]": "陈副市长"},
    )
    log_out(page)

    # 6. The turns start again from the first leader; both approve in order.
    log_in(page, base, "leader2", secrets["leader2"])
    assert not in_todo(page, base)
    log_out(page)
    log_in(page, base, "leader1", secrets["leader1"])
    open_from_todo(page, base, "6-leader1")
    act(page, "approve", fill={"textarea[name=comment]": "同意。"})
    log_out(page)
    log_in(page, base, "leader2", secrets["leader2"])
    open_from_todo(page, base, "6-leader2")
    act(page, "approve", fill={"textarea[name=comment]": "同意。请市应急管理局抓紧采购。"})
    assert state(page) == "已批准"
    log_out(page)

    # 7. The drafter sees the opinions in order and downloads the 签报单.
    log_in(page, base, "drafter")
    page.goto(case_url)
    panel = page.locator("[data-testid=approval-panel]")
    assert "已批准" in panel.locator("[data-testid=approval-outcome]").inner_text()
    assert "已补充测算依据" in panel.locator("[data-testid=approval-head]").inner_text()
    rounds = page.locator("[data-testid=approval-round]")
    assert rounds.count() == 2
    first = rounds.nth(0).locator("[data-testid=approval-opinion]")
    assert [first.nth(i).inner_text().split("\t")[1] for i in range(first.count())] == [
        "王副秘书长",
        "陈副市长",
    ]
    assert "请补充经费测算依据。" in first.nth(1).inner_text()
    second = rounds.nth(1).locator("[data-testid=approval-opinion]")
    assert second.count() == 2 and "抓紧采购" in second.nth(1).inner_text()
    page.screenshot(path=str(SHOTS / "7-approved.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=approval-slip]")
    slip = download.value
    slip.save_as(str(SHOTS / "slip-browser.pdf"))
    assert slip.suggested_filename.endswith(".pdf")

    # 8. The approved 签报 starts a 发文 (派生), once the 发文 type accepts 签报.
    outgoing = case_type_or_none("outgoing")
    if outgoing is None or not getattr(outgoing, "accepts", lambda _t: False)("approval"):
        pytest.skip("发文 case type (documents 'outgoing') not registered with sources 'approval'")
    page.click("[data-testid=derive-outgoing]")
    page.wait_for_url("**/cases/new/?type=outgoing&from=*")
    page.screenshot(path=str(SHOTS / "8-derive.png"), full_page=True)
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    related = page.locator("[data-testid=related]")
    assert TITLE in related.locator("[data-testid=source]").inner_text()
    page.screenshot(path=str(SHOTS / "8-outgoing.png"), full_page=True)
    page.goto(case_url)
    assert page.locator("[data-testid=related] [data-testid=derived] li").count() == 1
