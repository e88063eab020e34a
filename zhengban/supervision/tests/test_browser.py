"""The supervision part of issue 9's walk in Chromium: a meeting decision becomes an item for
an external bureau (through `open_item`, as the minutes would); the bureau's contact reports
progress; 督查室 returns the report once with a reason, then accepts the next; the bureau
reports completion with evidence; 督查室 accepts the 办结报告 and the item closes; an
overdue item shows red on the leaders' board and drills down to the list."""

import datetime

import pyotp
import pytest
from django.utils import timezone

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.cases.tests.test_browser import (
    CHROMIUM_ARGS,
    PASSWORD,
    SHOTS,
    people,  # noqa: F401 - the fixture
)
from zhengban.supervision.choices import Cadence, SourceKind
from zhengban.supervision.models import SupervisionItem
from zhengban.supervision.services import open_item

TITLE = "加快推进主城区道路桥梁维修改造"
OVERDUE_TITLE = "完成老旧小区燃气管网排查"
OUT = SHOTS / "supervision"


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def walk(people):  # noqa: F811 - the fixture imported above
    from zhengban.org.choices import UnitKind
    from zhengban.org.models import Unit

    bureau = Unit.objects.create(name="市交通运输局", kind=UnitKind.EXTERNAL, order=900)
    gas = Unit.objects.create(name="市城乡建设局", kind=UnitKind.EXTERNAL, order=901)
    contact = user_create(
        username="jiaotong",
        password=PASSWORD,
        display_name="交通运输局联络员",
        roles=(Role.UNIT_CONTACT,),
        units=(bureau,),
        validate_password=False,
    )
    secret = pyotp.random_base32()
    leader = user_create(
        username="fushizhang",
        password=PASSWORD,
        display_name="刘副秘书长",
        roles=(Role.OFFICE_LEADER,),
        units=(),
        validate_password=False,
    )
    type(leader).objects.filter(pk=leader.pk).update(totp_secret=secret)
    today = timezone.localdate()
    item = open_item(
        actor=people["clerk"],
        title=TITLE,
        body="会议议定：由市交通运输局牵头，年底前完成主城区12座桥梁维修。",
        lead_unit=bureau,
        due_date=today + datetime.timedelta(days=45),
        source_kind=SourceKind.MEETING,
        source_label="市政府第15次常务会议",
        cadence=Cadence.MONTHLY,
        leader=leader,
    )
    overdue = open_item(
        actor=people["clerk"],
        title=OVERDUE_TITLE,
        lead_unit=gas,
        due_date=today + datetime.timedelta(days=10),
        source_kind=SourceKind.INSTRUCTION,
        source_label="张市长批示",
    )
    # Time has passed for this one: its deadline was three days ago.
    type(overdue).objects.filter(pk=overdue.pk).update(due_date=today - datetime.timedelta(days=3))
    SupervisionItem.objects.filter(case=overdue).update(due_date=today - datetime.timedelta(days=3))
    return {**people, "contact": contact, "leader": leader, "secret": secret, "item": item}


def enter(page, base, username, secret=None):
    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")


def leave(page):
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/accounts/login/")


def shot(page, name):
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def report(page, text):
    row = page.locator("[data-testid=assignments] tr[data-unit=市交通运输局]")
    box = row.locator("details", has_text="反馈办理情况")
    box.locator("summary").click()
    box.locator("input[type=radio][value=progress]").check()
    box.locator("textarea[name$=report]").fill(text)
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


def act(page, code, fill=None):
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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supervision_walk(live_server, chromium, walk, tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    case_url = f"{base}/cases/{walk['item'].pk}/"
    page = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()

    # 1. The bureau's contact finds the item in its 台账 — only its own — and reports.
    enter(page, base, "jiaotong")
    page.goto(f"{base}/supervision/")
    rows = page.locator("[data-testid=items] tbody tr")
    assert rows.count() == 1 and TITLE in rows.first.inner_text()
    assert OVERDUE_TITLE not in page.locator("body").inner_text()
    shot(page, "1-bureau-list")
    rows.first.locator("a").first.click()
    page.wait_for_selector("[data-testid=supervision-panel]")
    assert "市政府第15次常务会议" in page.locator("[data-testid=supervision-panel]").inner_text()
    report(page, "已完成12座桥梁的检测。")
    shot(page, "2-bureau-reported")
    leave(page)

    # 2. 督查室 returns the report with a reason.
    enter(page, base, "wangfang")
    page.goto(case_url)
    review = page.locator("[data-testid=review-form]")
    review.locator("input[name=reason]").fill("请补充维修进度和资金到位情况")
    review.locator("button[value=return]").click()
    page.wait_for_selector(".message.success")
    assert "请补充维修进度" in page.locator("[data-testid=report-return-reason]").inner_text()
    shot(page, "3-duchashi-returned")
    leave(page)

    # 3. The bureau reports again; 督查室 accepts.
    enter(page, base, "jiaotong")
    page.goto(case_url)
    report(page, "已完成5座桥梁维修，资金已到位3200万元。")
    leave(page)
    enter(page, base, "wangfang")
    page.goto(case_url)
    page.locator("[data-testid=review-form] button[value=accept]").click()
    page.wait_for_selector(".message.success")
    assert page.locator("[data-testid=report-review]", has_text="已采纳").count() == 1
    leave(page)

    # 4. The bureau attaches its evidence and asks to close (提请办结) with the 办结报告.
    enter(page, base, "jiaotong")
    page.goto(case_url)
    evidence = tmp_path / "验收报告.txt"
    evidence.write_text("12座桥梁维修工程竣工验收报告", encoding="utf-8")
    form = page.locator("form[action$='/attachments/']")
    form.locator("input[type=file]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    act(page, "complete", {"textarea[name=report]": "12座桥梁维修全部完成并通过验收。"})
    assert page.locator("[data-testid=case-state]").inner_text() == "审核办结"
    shot(page, "4-bureau-completed")
    leave(page)

    # 5. 督查室 accepts the 办结报告: the item is closed.
    enter(page, base, "wangfang")
    page.goto(case_url)
    act(page, "accept")
    assert page.locator("[data-testid=case-state]").inner_text() == "已办结"
    assert "按期" in page.locator("[data-testid=supervision-panel]").inner_text()
    shot(page, "5-closed")
    leave(page)

    # 6. The leader's board: the overdue item is red; the red card drills down to it.
    enter(page, base, "fushizhang", walk["secret"])
    page.goto(f"{base}/supervision/board/")
    page.wait_for_selector("#chart-lights canvas")
    assert page.locator("[data-light=red] strong").inner_text() == "1"
    assert page.locator("[data-light=green] strong").inner_text() == "0"
    shot(page, "6-leader-board")
    page.click("[data-light=red]")
    page.wait_for_selector("[data-testid=items]")
    red = page.locator("[data-testid=items] tbody tr[data-light=red]")
    assert red.count() == 1 and OVERDUE_TITLE in red.inner_text()
    shot(page, "7-board-drilldown")
