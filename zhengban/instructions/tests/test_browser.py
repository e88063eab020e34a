"""领导批示 in Chromium: a 收文 registered and 批示 by the 秘书长 (through the kernel) reaches
张市长, who writes his own 批示 in the case page's 领导批示 panel naming 市交通运输局 to lead
with a deadline and 列入督办; the supervision item opens linked to the 批示 and to the 收文;
the 批示件台账 lists it with its status for him and, with every leader's, for 秘书一处."""

import datetime
import os
from pathlib import Path

import pyotp
import pytest
from django.utils import timezone

from zhengban.cases import services
from zhengban.cases.tests.test_browser import CHROMIUM_ARGS
from zhengban.instructions.models import Instruction

from .conftest import propose_params

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/shots/instructions")
PASSWORD = "x"  # the test office's users (conftest)


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
    page.goto(f"{base}/accounts/login/?next=/instructions/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/instructions/")


def _instructed_incoming(office, incoming):
    """Through the kernel: 登记 → 初审 → 拟办 to 李秘书长 → his 批示 → 待交办."""
    case = incoming
    steps = [
        ("submit", office.clerk, {}),
        ("accept", office.clerk, {}),
        ("propose", office.clerk, {"params": propose_params([office.deputy]), "comment": "拟阅"}),
        ("", office.deputy, {"comment": "呈张市长阅示。"}),  # the 批示 step, as declared
    ]
    for code, actor, kwargs in steps:
        case.refresh_from_db()
        if not code:
            actions = services.available_actions(actor, case)
            code = next((a.code for a in actions if a.target), actions[0].code)
        case = services.case_perform(
            case=case, action_code=code, actor=actor, version=case.version, **kwargs
        )
    return case


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leaders_instruction_on_an_incoming_document_becomes_a_supervision_item(
    live_server, page, office, incoming
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case = _instructed_incoming(office, incoming)
    secret = pyotp.random_base32()
    type(office.mayor).objects.filter(pk=office.mayor.pk).update(totp_secret=secret)

    # 张市长 opens the 收文 and writes his 批示 in the 领导批示 panel.
    log_in(page, base, "mayor", secret)
    page.goto(f"{base}/cases/{case.pk}/")
    panel = page.locator("[data-testid=instructions-panel]")
    panel.wait_for()
    box = panel.locator("[data-testid=instruction-form-box]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    form = panel.locator("[data-testid=instruction-form]")
    form.wait_for()  # loaded into the box when it opens
    form.locator("textarea[name=text]").fill(
        "请市交通运输局牵头，农经处配合，抓紧制定冬季道路保通方案，月底前报结果。"
    )
    form.locator("select[name=lead_unit]").select_option(label="市交通运输局")
    form.locator(f"input[name=co_units][value='{office.nongjing.pk}']").check()
    due = timezone.localdate() + datetime.timedelta(days=30)
    form.locator("input[name=due_date]").fill(due.isoformat())
    form.locator("input[name=supervise]").check()
    page.screenshot(path=str(SHOTS / "1-panel-form.png"), full_page=True)
    panel.screenshot(path=str(SHOTS / "1-panel-form-only.png"))
    try:
        import zhengban.supervision.services  # noqa: F401
    except ImportError:
        pytest.skip("督办事项 (zhengban.supervision) has not landed: 列入督办 cannot open an item")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert "列入督办" in page.locator(".message.success").inner_text()

    instruction = Instruction.objects.get(leader=office.mayor)
    item = instruction.item
    assert item is not None and item.parent_id == case.pk and instruction.case_id == case.pk
    assert instruction.lead_unit.name == "市交通运输局" and instruction.leader == office.mayor
    # The 秘书长's 批示 at the 收文's own 批示 step is listed too once the 收文 records it.
    rows = page.locator("[data-testid=instruction]")
    assert rows.count() == Instruction.objects.filter(case=case).count()
    row = page.locator(f"[data-instruction='{instruction.pk}']")
    assert row.count() == 1 and "列入督办" in row.inner_text()
    assert item.number in row.locator("[data-testid=instruction-item]").inner_text()
    page.locator("[data-testid=instructions-panel]").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "2-panel-given.png"), full_page=True)
    page.locator("[data-testid=instructions-panel]").screenshot(
        path=str(SHOTS / "2-panel-given-only.png")
    )

    # The supervision item is linked back to the 收文 and assigned to the bureau.
    row.locator("[data-testid=instruction-item]").click()
    page.wait_for_url(f"**/cases/{item.pk}/")
    page.wait_for_load_state("load")
    page.wait_for_selector("[data-testid=instruction-source]")
    assert page.url.endswith(f"/cases/{item.pk}/")
    body = page.locator("main").inner_text()
    assert case.number in body and "市交通运输局" in body
    page.screenshot(path=str(SHOTS / "3-supervision-item.png"), full_page=True)

    # His 批示件台账.
    page.goto(f"{base}/instructions/")
    table = page.locator("[data-testid=ledger-table]")
    assert table.locator("tbody tr").count() == 1
    text = table.inner_text()
    assert "张市长" in text and case.title in text and item.number in text and "办理中" in text
    page.screenshot(path=str(SHOTS / "4-ledger-leader.png"), full_page=True)
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/accounts/login/")

    # 秘书一处 records 李秘书长's paper 批示 (代录), then sees every leader's 批示.
    log_in(page, base, "secretary")
    page.click("text=录入呈批件批示")
    page.wait_for_url("**/instructions/new/")
    form = page.locator("[data-testid=record-form]")
    form.locator("select[name=leader]").select_option(label="李秘书长")
    form.locator("input[name=source_title]").fill("关于调整办公厅值班安排的呈批件")
    form.locator("input[name=source_number]").fill("秘一呈〔2026〕21号")
    form.locator("textarea[name=text]").fill("同意。请文电处按程序办理。")
    page.screenshot(path=str(SHOTS / "5-record-paper.png"), full_page=True)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=instruction-detail]")
    detail = page.locator("[data-testid=instruction-detail]").inner_text()
    assert "秘书甲代录" in detail and "秘一呈〔2026〕21号" in detail
    page.screenshot(path=str(SHOTS / "6-record-detail.png"), full_page=True)
    page.goto(f"{base}/instructions/")
    table = page.locator("[data-testid=ledger-table]")
    assert table.locator("tbody tr").count() == Instruction.objects.count() >= 2
    assert "秘书甲代录" in table.inner_text() and "李秘书长" in table.inner_text()
    page.screenshot(path=str(SHOTS / "7-ledger-secretary.png"), full_page=True)
    page.select_option("select[name=supervise]", "yes")
    page.click("[data-testid=ledger-filters] button[type=submit]")
    page.wait_for_url("**supervise=yes**")
    assert table.locator("tbody tr").count() == 1
    page.screenshot(path=str(SHOTS / "8-ledger-filtered.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_at_the_incoming_documents_instruct_step_the_leader_puts_it_under_supervision(
    live_server, page, office, incoming
):
    """The 收文's own 批示 step, in turn: 李秘书长 first (through the kernel), then 张市长 in
    the browser from his 待办, marking 列入督办 — the step lands in the 批示件台账 and opens the
    supervision item linked to the 批示 and to the 收文."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case = incoming
    for code, actor, kwargs in [
        ("submit", office.clerk, {}),
        ("accept", office.clerk, {}),
        (
            "propose",
            office.clerk,
            {"params": propose_params([office.deputy, office.mayor]), "comment": "拟请阅示"},
        ),
        ("instruct", office.deputy, {"comment": "呈张市长阅示。"}),
    ]:
        case.refresh_from_db()
        case = services.case_perform(
            case=case, action_code=code, actor=actor, version=case.version, **kwargs
        )
    secret = pyotp.random_base32()
    type(office.mayor).objects.filter(pk=office.mayor.pk).update(totp_secret=secret)

    log_in(page, base, "mayor", secret)
    page.goto(f"{base}/cases/?tab=todo")
    page.locator("[data-testid=case-table] tbody tr", has_text=case.title).locator(
        "a"
    ).first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    page.wait_for_load_state("load")
    page.wait_for_selector("[data-testid=instruct-step]")
    # The panel points to the step rather than offering a second form.
    assert page.locator("[data-testid=instruct-step]").is_visible()
    assert page.locator("[data-testid=instruction-form]").count() == 0
    box = page.locator("details[data-action=instruct]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("textarea[name=comment]").fill("请市交通运输局牵头办理，月底前办结。")
    due = timezone.localdate() + datetime.timedelta(days=30)
    box.locator("input[name=due_date]").fill(due.isoformat())
    # One unit: the step's checkboxes keep the list's order, not the order clicked, so
    # "the first is the lead" is the list's first (see the report: a lead_unit picker).
    box.locator(f"input[name=units][value='{office.bureau.pk}']").check()
    box.locator("input[name=supervise]").check()
    page.screenshot(path=str(SHOTS / "9-incoming-instruct-step.png"), full_page=True)
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")

    given = Instruction.objects.get(leader=office.mayor)
    assert given.case_id == case.pk and given.supervise and given.lead_unit == office.bureau
    item = given.item
    assert item is not None and item.parent_id == case.pk
    row = page.locator(f"[data-instruction='{given.pk}']")
    assert item.number in row.locator("[data-testid=instruction-item]").inner_text()
    page.locator("[data-testid=instructions-panel]").screenshot(
        path=str(SHOTS / "10-incoming-after-step.png")
    )
    page.goto(f"{base}/instructions/?supervise=yes")
    table = page.locator("[data-testid=ledger-table]")
    assert table.locator("tbody tr").count() == 1 and item.number in table.inner_text()
    page.screenshot(path=str(SHOTS / "11-ledger-after-step.png"), full_page=True)
