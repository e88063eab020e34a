"""The classified register in Chromium: 文电处's 文书 registers a 机密 document whose title is
itself secret (metadata only), hands it to a leader and takes it back, asks to destroy it;
the 处长 approves; the 文书 records the destruction with its witness."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.cases.tests.test_browser import CHROMIUM_ARGS, PASSWORD
from zhengban.classified.models import ClassifiedDocument, Status

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SHOTS = Path("/tmp/shots/classified")


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
def office(db):
    from zhengban.org.choices import UnitKind
    from zhengban.org.models import Unit
    from zhengban.org.tests.factories import load_sample

    load_sample()
    Unit.objects.create(name="省委办公厅", kind=UnitKind.EXTERNAL, order=900)
    wendian = Unit.objects.get(name="文电处", active=True)

    def person(username, name, roles, head=False):
        return user_create(
            username=username,
            password=PASSWORD,
            display_name=name,
            roles=roles,
            units=(wendian,),
            head_of=(wendian,) if head else (),
            validate_password=False,
        )

    return {
        "clerk": person("liuming", "刘明", (Role.CLERK,)),
        "head": person("sunli", "孙立", (Role.DIVISION_HEAD,), head=True),
    }


def enter(page, base, username):
    page.goto(f"{base}/accounts/login/?next=/classified/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/classified/")


def ok(page):
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_classified_document_from_registration_to_destruction(live_server, page, office):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    enter(page, base, "liuming")
    page.click("[data-testid=new]")
    form = page.locator("[data-testid=record-form]")
    form.locator("select[name=sender]").select_option(label="省委办公厅")
    form.locator("input[name=sender_number]").fill("辽委办发〔2026〕3号")
    form.locator("input[name=title_classified]").check()
    form.locator("input[name=register_title]").fill("省委办公厅来文（机密件）")
    form.locator("select[name=level]").select_option(label="机密")
    form.locator("input[name=secrecy_period]").fill("10年")
    form.locator("input[name=copy_number]").fill("000012")
    form.locator("input[name=location]").fill("机要室保密柜2号")
    assert page.locator("input[type=file]").count() == 0  # nowhere to put a scan
    page.screenshot(path=str(SHOTS / "1-register.png"), full_page=True)
    form.locator("button[type=submit]").click()
    ok(page)
    record = ClassifiedDocument.objects.get()
    assert record.title == "" and page.locator("[data-testid=level]").inner_text() == "机密★10年"
    page.screenshot(path=str(SHOTS / "2-record.png"), full_page=True)

    # Handed to a leader, and back.
    circulate = page.locator("[data-testid=circulate-form]")
    circulate.locator("input[name=recipient_name]").fill("周秘书长")
    circulate.locator("button[type=submit]").click()
    ok(page)
    assert page.locator("[data-testid=status]").inner_text() == "传阅中"
    page.click("[data-testid=circulation-return]")
    ok(page)

    # Asked to destroy, approved by the 处长, recorded with the witness.
    destruction = page.locator("[data-testid=destruction-form]")
    destruction.locator("input[name=reason]").fill("保密期限届满，经清理无保存价值")
    destruction.locator("button[type=submit]").click()
    ok(page)
    page.goto(f"{base}/accounts/login/")
    page.context.clear_cookies()
    enter(page, base, "sunli")
    assert "待审批" in page.locator("[data-testid=pending-destruction]").inner_text()
    page.screenshot(path=str(SHOTS / "3-list-pending.png"), full_page=True)
    page.click(f"[data-record='{record.pk}'] a")
    decision = page.locator("[data-testid=decision-form]")
    decision.locator("input[name=approve][value='1']").check()
    decision.locator("input[name=reason]").fill("同意销毁，由文电处两人监销")
    page.screenshot(path=str(SHOTS / "4-decide.png"), full_page=True)
    decision.locator("button[type=submit]").click()
    ok(page)
    page.context.clear_cookies()
    enter(page, base, "liuming")
    page.click(f"[data-record='{record.pk}'] a")
    destroyed = page.locator("[data-testid=destroyed-form]")
    destroyed.locator("input[name=destroyed_on]").fill(timezone.localdate().isoformat())
    destroyed.locator("input[name=witness]").fill("刘明、孙立")
    destroyed.locator("button[type=submit]").click()
    ok(page)
    record.refresh_from_db()
    assert record.status == Status.DESTROYED
    assert "刘明、孙立" in page.locator("[data-testid=destroyed]").inner_text()
    page.screenshot(path=str(SHOTS / "5-destroyed.png"), full_page=True)
