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
    form = panel.locator("[data-testid=instruction-form]")
    if not form.is_visible():
        panel.locator("summary").click()
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
    page.wait_for_selector("[data-testid=case-header]")
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

    # 秘书一处 sees every leader's, filters those 列入督办.
    from zhengban.instructions.services import instruction_create

    instruction_create(
        actor=office.secretary,
        leader=office.deputy,
        text="同意。请文电处按程序办理。",
        source_title="关于调整办公厅值班安排的呈批件",
        source_number="秘一呈〔2026〕21号",
    )
    log_in(page, base, "secretary")
    table = page.locator("[data-testid=ledger-table]")
    assert table.locator("tbody tr").count() == Instruction.objects.count() >= 2
    assert "秘书甲代录" in table.inner_text() and "李秘书长" in table.inner_text()
    page.screenshot(path=str(SHOTS / "5-ledger-secretary.png"), full_page=True)
    page.select_option("select[name=supervise]", "yes")
    page.click("[data-testid=ledger-filters] button[type=submit]")
    page.wait_for_url("**supervise=yes**")
    assert table.locator("tbody tr").count() == 1
    page.screenshot(path=str(SHOTS / "6-ledger-filtered.png"), full_page=True)
