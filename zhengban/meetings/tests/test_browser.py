"""The meeting part of issue 9's walk in Chromium, as the office's people do it: 秘书二处
schedules the 第12次常务会议, 农经处 submits a 议题, 秘书二处 returns it once and then
accepts it, the notice goes out, the mayor confirms and the vice mayor names a substitute
(代会), the meeting is held, the minutes record a decision for 市住房城乡建设局 and 转督办
makes it a supervision item the bureau finds in its 待办. Screenshots in /tmp/shots/meetings/."""

import datetime

import pyotp
import pytest
from django.utils import timezone

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.cases.tests.test_browser import CHROMIUM_ARGS, PASSWORD, SHOTS, log_out

MEETING = "第12次常务会议"
ITEM = "关于推进老旧小区改造工作的议题"
OUT = SHOTS / "meetings"


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
def walkers(db, settings, tmp_path):
    from zhengban.meetings.services import meeting_types_setup
    from zhengban.org.choices import UnitKind
    from zhengban.org.models import Unit
    from zhengban.org.tests.factories import load_sample

    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    organization = load_sample()
    meeting_types_setup(organization=organization)

    def unit(name):
        return Unit.objects.get(organization=organization, name=name, active=True)

    bureau = Unit.objects.create(name="市住房城乡建设局", kind=UnitKind.EXTERNAL, order=900)

    def person(username, name, roles, units=(), head_of=(), secret=None):
        user = user_create(
            username=username,
            password=PASSWORD,
            display_name=name,
            roles=roles,
            units=units,
            head_of=head_of,
            validate_password=False,
        )
        if secret:
            type(user).objects.filter(pk=user.pk).update(totp_secret=secret)
        return user

    secrets = {"shizhang": pyotp.random_base32(), "fushizhang": pyotp.random_base32()}
    person("mishu", "孙秘书", (Role.STAFF,), (unit("秘书二处"),))
    person("nongjing", "赵磊", (Role.STAFF,), (unit("农经处"),))
    person("shizhang", "陈市长", (Role.CITY_LEADER,), secret=secrets["shizhang"])
    person("fushizhang", "李副市长", (Role.CITY_LEADER,), secret=secrets["fushizhang"])
    person("zhujian", "住建局联络员", (Role.UNIT_CONTACT,), (bureau,))
    return secrets


def enter(page, base, username, secret=None):
    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")


def shot(page, name):
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def success(page):
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


def open_from_todo(page, title, name):
    row = page.locator("[data-testid=case-table] tbody tr", has_text=title)
    assert row.count() == 1, page.url
    shot(page, f"{name}-todo")
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=case-header]")


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
    success(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_standing_meeting_from_schedule_to_a_supervision_item(live_server, chromium, walkers):
    from zhengban.meetings.services import supervision_available

    OUT.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    start = timezone.localtime() + datetime.timedelta(days=2)

    # 1. 秘书二处 schedules the 常务会议: chair, attendees, 列席 units.
    enter(page, base, "mishu")
    page.goto(f"{base}/meetings/")
    page.click("[data-testid=meeting-new]")
    page.select_option("#id_meeting_type", label="常务会议")
    page.fill("#id_session", "第12次")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT09:00"))
    page.fill("#id_ends_at", start.strftime("%Y-%m-%dT11:30"))
    page.fill("#id_venue", "市政府第一会议室")
    page.select_option("#id_chair", label="陈市长")
    page.locator("label", has_text="李副市长").locator("input").check()
    page.select_option("#id_observers", label="市住房城乡建设局")
    shot(page, "01-schedule")
    page.click("[data-testid=meetings-form] button[type=submit]")
    success(page)
    meeting_url = page.url
    assert page.locator("[data-testid=meeting-state]").inner_text() == "筹备"
    shot(page, "02-meeting-preparing")
    log_out(page)

    # 2. 农经处 submits a 议题 to it.
    enter(page, base, "nongjing")
    page.goto(f"{base}/meetings/")
    page.locator("[data-testid=open-for-agenda] tr", has_text=MEETING).locator("a").click()
    page.fill("#id_title", ITEM)
    page.fill("#id_presenter", "市住房城乡建设局局长")
    page.fill("#id_body", "提请审议全市老旧小区改造三年行动方案。")
    shot(page, "03-agenda-submit")
    page.click("[data-testid=meetings-form] button[type=submit]")
    success(page)
    assert page.locator("[data-testid=case-state]").inner_text() == "审核"
    item_url = page.url
    log_out(page)

    # 3. 秘书二处 finds it in 待办 and returns it once, with a reason.
    enter(page, base, "mishu")
    open_from_todo(page, ITEM, "04-review")
    act(page, "return", {"textarea[name=comment]": "请补充征求相关部门意见的情况"})
    log_out(page)

    # 4. 农经处 corrects and submits again.
    enter(page, base, "nongjing")
    open_from_todo(page, ITEM, "05-returned")
    assert "请补充征求相关部门意见的情况" in page.locator("body").inner_text()
    act(page, "submit")
    log_out(page)

    # 5. 秘书二处 accepts it; it is on the agenda; the notice goes out.
    enter(page, base, "mishu")
    open_from_todo(page, ITEM, "06-review-again")
    act(page, "accept")
    page.goto(meeting_url)
    assert ITEM in page.locator("[data-testid=agenda-order]").inner_text()
    page.click("form[data-action=issue_notice] button")
    success(page)
    assert page.locator("[data-testid=meeting-state]").inner_text() == "已通知"
    page.click("[data-testid=notice-print]")
    page.wait_for_selector("[data-testid=notice-sheet]")
    notice = page.locator("[data-testid=notice-sheet]").inner_text()
    assert "关于召开第12次常务会议的通知" in notice and ITEM in notice
    shot(page, "07-notice")
    log_out(page)

    # 6. The mayor confirms from his 待办; the vice mayor names a substitute (代会).
    enter(page, base, "shizhang", walkers["shizhang"])
    open_from_todo(page, MEETING, "08-mayor")
    form = page.locator("form.respond").first
    form.locator("input[value=attend]").check()
    form.locator("button[type=submit]").click()
    success(page)
    log_out(page)
    enter(page, base, "fushizhang", walkers["fushizhang"])
    open_from_todo(page, MEETING, "09-vice")
    form = page.locator("form.respond").first
    form.locator("input[value=substitute]").check()
    form.locator("input[name=substitute]").fill("市政府副秘书长 王军")
    form.locator("input[name=reason]").fill("出席省政府专题会议")
    shot(page, "10-vice-substitute")
    form.locator("button[type=submit]").click()
    success(page)
    page.goto(f"{base}/cases/")
    assert page.locator("[data-testid=case-table] tbody tr", has_text=MEETING).count() == 0
    log_out(page)

    # 7. 秘书二处 sees the confirmations, holds the meeting, drafts the minutes, records a
    #    decision for 市住房城乡建设局 and turns it into a supervision item.
    enter(page, base, "mishu")
    page.goto(meeting_url)
    table = page.locator("[data-testid=attendance-table]")
    assert "确认参会" in table.locator("tr", has_text="陈市长").inner_text()
    assert "市政府副秘书长 王军" in table.locator("tr", has_text="李副市长").inner_text()
    assert "待确认" in table.locator("tr", has_text="市住房城乡建设局").inner_text()
    shot(page, "11-confirmations")
    page.click("form[data-action=hold] button")
    success(page)
    page.fill(
        "#id_text", "会议听取了市住房城乡建设局关于老旧小区改造工作的汇报，原则同意三年行动方案。"
    )
    page.locator("#minutes button[type=submit]").click()
    success(page)
    due = timezone.localdate() + datetime.timedelta(days=60)
    box = page.locator("[data-testid=decision-add]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("textarea[name=text]").fill("年底前完成30个老旧小区改造，按月报送进展")
    box.locator("select[name=agenda_item]").select_option(label=ITEM)
    box.locator("select[name=lead_unit]").select_option(label="市住房城乡建设局")
    box.locator("select[name=co_units]").select_option(label="农经处")
    box.locator("input[name=due_date]").fill(due.isoformat())
    box.locator("button[type=submit]").click()
    success(page)
    assert "年底前完成30个老旧小区改造" in page.locator("[data-testid=decision-1]").inner_text()
    if not supervision_available():
        shot(page, "12-decision")
        pytest.skip("督办事项 (zhengban.supervision) is not registered: 转督办 not walked")
    page.locator("[data-testid=decision-1] [data-testid=to-supervision]").click()
    success(page)
    link = page.locator("[data-testid=decision-1] [data-testid=supervision-link]")
    assert link.count() == 1
    shot(page, "12-decision-supervised")
    link.click()
    page.wait_for_selector("[data-testid=case-header]")
    shot(page, "13-supervision-item")
    page.goto(meeting_url)
    page.click("form[data-action=issue_minutes] button")
    success(page)
    assert page.locator("[data-testid=meeting-state]").inner_text() == "已印发纪要"
    shot(page, "14-minutes-issued")
    document = page.locator("[data-testid=minutes-document] a")
    if document.count():  # 发文 is registered: the 纪要 is a 发文 draft with the minutes
        document.click()
        page.wait_for_selector("[data-testid=case-header]")
        assert "第12次常务会议纪要" in page.locator("[data-testid=case-header]").inner_text()
        assert "一、年底前完成30个老旧小区改造" in page.locator("body").inner_text()
        shot(page, "14-minutes-document")
    page.goto(f"{base}/meetings/calendar/?view=week&date={start.date().isoformat()}")
    assert MEETING in page.locator("[data-testid=calendar]").inner_text()
    shot(page, "15-calendar-week")
    page.goto(f"{base}/meetings/calendar/?date={start.date().isoformat()}")
    assert MEETING in page.locator("[data-testid=calendar]").inner_text()
    shot(page, "15-calendar-month")
    page.goto(f"{base}/meetings/")
    shot(page, "15-list")
    log_out(page)

    # 8. The bureau's contact finds the item in its 待办 — and never the 议题's review.
    enter(page, base, "zhujian")
    open_from_todo(page, "年底前完成30个老旧小区改造", "16-bureau")
    assert "请补充征求相关部门意见的情况" not in page.locator("body").inner_text()
    page.goto(item_url)
    assert "请补充征求相关部门意见的情况" not in page.locator("body").inner_text()
