"""收文 in Chromium, as 文电处 and the leaders do it (issue 8's walk): a notice from 省政府办公厅
is registered and, registered again, flagged as a duplicate with a link; 初审; 拟办 with the
router's suggestions, two leaders in order and the units; 周秘书长 then 张副市长 give their
批示 in turn; 交办 to 农经处 leading with 市应急管理局; 传阅 with a read receipt; the
bureau's report recorded (代录), 农经处 closes it, 文电处 archives it and prints the
收文处理笺."""

import datetime
import io
from pathlib import Path

import pyotp
import pytest
from django.utils import timezone
from pypdf import PdfReader

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.cases.models import Case
from zhengban.cases.tests.test_browser import CHROMIUM_ARGS, PASSWORD

SHOTS = Path("/tmp/shots/incoming")
TITLE = "辽宁省人民政府办公厅关于做好冬季安全生产工作的通知"
NUMBER = "辽政办发〔2026〕12号"


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        yield context.new_page()
        browser.close()


@pytest.fixture
def office(db, settings, tmp_path):
    from zhengban.org.choices import UnitKind
    from zhengban.org.models import Unit
    from zhengban.org.tests.factories import load_sample

    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    load_sample()
    Unit.objects.create(name="省政府办公厅", kind=UnitKind.EXTERNAL, order=900)
    Unit.objects.create(name="市应急管理局", kind=UnitKind.EXTERNAL, order=901)

    def unit(name):
        return Unit.objects.get(name=name, active=True)

    def person(username, name, roles, units=(), head_of=()):
        return user_create(
            username=username,
            password=PASSWORD,
            display_name=name,
            roles=roles,
            units=units,
            head_of=head_of,
            validate_password=False,
        )

    secrets = {}
    people = {
        "clerk": person("liuming", "刘明", (Role.CLERK,), (unit("文电处"),)),
        "secretary": person("mishuzhang", "周秘书长", (Role.OFFICE_LEADER,)),
        "mayor": person("fushizhang", "张副市长", (Role.CITY_LEADER,)),
        "farmer": person("zhaolei", "赵磊", (Role.STAFF,), (unit("农经处"),)),
        "reader": person("lifumishuzhang", "李副秘书长", (Role.OFFICE_LEADER,)),
    }
    for key in ("secretary", "mayor", "reader"):
        secrets[key] = pyotp.random_base32()
        user = people[key]
        type(user).objects.filter(pk=user.pk).update(totp_secret=secrets[key])
    people["secrets"] = secrets
    return people


def scan_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def enter(page, base, username, secret=None):
    page.goto(f"{base}/accounts/login/?next=/cases/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if secret:
        page.fill("input[name=otp]", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases/")


def leave(page, base):
    page.goto(f"{base}/cases/")
    page.click("form[action$='/logout/'] button")
    page.wait_for_url("**/login/**")


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ok(page):
    page.wait_for_selector(".message")
    assert page.locator(".message.success").count() == 1, page.locator(".message").inner_text()


def act(page, code, fill=None, select=None, check=()):
    box = page.locator(f"details[data-action={code}]")
    if box.count():
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        for selector, value in (select or {}).items():
            box.locator(selector).select_option(label=value)
        for label in check:
            box.locator("label", has_text=label).locator("input").check()
        for selector, value in (fill or {}).items():
            box.locator(selector).fill(value)
        box.locator("button[type=submit]").click()
    else:
        page.click(f"form[data-action={code}] button")
    ok(page)


def fill_registration(page, base):
    page.goto(f"{base}/cases/new/?type=incoming")
    page.fill("#id_title", TITLE)
    page.select_option("#id_urgency", label="加急")
    page.select_option("#id_d-sender", label="省政府办公厅")
    page.fill("#id_d-sender_number", NUMBER)
    page.select_option("#id_d-doc_type", label="通知")
    page.fill("#id_d-copies", "2")
    page.fill("#id_d-pages", "3")


def open_from_todo(page, base, number):
    page.goto(f"{base}/cases/?tab=todo")
    row = page.locator("[data-testid=case-table] tbody tr", has_text=number)
    assert row.count() == 1, page.url
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=case-header]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_walk_of_an_incoming_document(live_server, page, office):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # 1. 文电处 registers the notice; the classified register is pointed to.
    enter(page, base, "liuming")
    fill_registration(page, base)
    assert page.locator("[data-testid=classified-link]").count() == 1
    shot(page, "01-register")
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(case_type="incoming")
    assert page.locator("[data-testid=incoming-number]").inner_text() == NUMBER
    shot(page, "02-registered")
    # The scan of the original, from the 收文 panel: listed first, as the original.
    scan = SHOTS / "scan.pdf"
    scan.write_bytes(scan_pdf())
    page.set_input_files("[data-testid=incoming-original-form] input[type=file]", str(scan))
    page.click("[data-testid=incoming-original-form] button[type=submit]")
    ok(page)
    assert "原件扫描件" in page.locator("[data-testid=incoming-original]").inner_text()
    shot(page, "02b-original-uploaded")

    # 2. The same notice again: flagged with a link to the first, nothing created.
    fill_registration(page, base)
    page.click("[data-testid=create-form] button[type=submit]")
    error = page.locator(".errorlist", has_text="该文件可能已登记")
    error.wait_for()
    assert error.locator(f"a[href='/cases/{case.pk}/']").inner_text() == case.number
    shot(page, "03-duplicate-flagged")
    assert Case.objects.filter(case_type="incoming").count() == 1

    # 3. 初审, then 拟办 with the router's suggestions and two leaders in order.
    page.goto(f"{base}/cases/{case.pk}/")
    act(page, "submit")
    act(page, "accept")
    routing = page.locator("[data-testid=incoming-routing]")
    routing.locator(".routing-matches").first.wait_for()
    internal = routing.locator(".routing-matches[data-scope=internal]").inner_text()
    external = routing.locator(".routing-matches[data-scope=external]").inner_text()
    assert "市应急管理局" in external and internal.strip()
    shot(page, "04-propose-with-suggestions")
    act(
        page,
        "propose",
        select={"select[name=leader_1]": "周秘书长", "select[name=leader_2]": "张副市长"},
        check=("农经处", "市应急管理局"),
        fill={
            "textarea[name=comment]": "拟请周秘书长、张副市长阅示，农经处牵头、市应急管理局配合。"
        },
    )
    turns = page.locator("[data-testid=incoming-turn]")
    assert turns.count() == 2 and "周秘书长" in turns.nth(0).inner_text()
    shot(page, "05-proposed")
    leave(page, base)

    # 4. 周秘书长 first: his 批示 with a deadline; the case waits for 张副市长.
    enter(page, base, "mishuzhang", office["secrets"]["secretary"])
    open_from_todo(page, base, case.number)
    due = timezone.localdate() + datetime.timedelta(days=20)
    act(
        page,
        "instruct",
        fill={
            "input[name=due_date]": due.isoformat(),
            "textarea[name=comment]": "请农经处牵头，会同市应急管理局抓紧部署，两周内报结果。",
        },
    )
    assert page.locator("[data-testid=case-state]").inner_text() == "批示"
    assert "已批示" in page.locator("[data-testid=incoming-turn]").nth(0).inner_text()
    shot(page, "06-first-instruction")
    leave(page, base)

    # 5. 张副市长 second, and marks it for supervision; it moves on to 交办.
    enter(page, base, "fushizhang", office["secrets"]["mayor"])
    open_from_todo(page, base, case.number)
    act(
        page,
        "instruct",
        select={"select[name=lead_unit]": "农经处"},
        check=("列入督办",),
        fill={"textarea[name=comment]": "同意周秘书长意见，列入督办。"},
    )
    assert page.locator("[data-testid=case-state]").inner_text() == "待交办"
    assert page.locator("[data-testid=incoming-supervise]").count() == 1
    shot(page, "07-second-instruction")
    leave(page, base)

    # 6. 文电处 assigns 农经处 (lead) and 市应急管理局, and circulates it to 陈静.
    enter(page, base, "liuming")
    open_from_todo(page, base, case.number)
    act(
        page,
        "assign",
        select={"select[name=lead_unit]": "农经处"},
        check=("市应急管理局",),
        fill={"textarea[name=instructions]": "请按领导批示办理，按期报送结果。"},
    )
    box = page.locator("details[data-action=circulate]")
    box.locator("summary").click()
    box.locator("label", has_text="李副秘书长").locator("input").check()
    box.locator("button[type=submit]").click()
    ok(page)
    assert "未阅" in page.locator("[data-testid=incoming-readers]").inner_text()
    shot(page, "08-assigned-and-circulated")
    leave(page, base)

    # 7. 李副秘书长 finds it among his 待阅 and reads it (the read receipt).
    enter(page, base, "lifumishuzhang", office["secrets"]["reader"])
    page.goto(f"{base}/cases/?tab=toread")
    row = page.locator("[data-testid=case-table] tbody tr", has_text=case.number)
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=case-header]")
    shot(page, "09-read-by-reader")
    leave(page, base)

    # 8. 文电处 records the bureau's report (代录) and sees the read receipt.
    enter(page, base, "liuming")
    page.goto(f"{base}/cases/{case.pk}/")
    assert "已阅" in page.locator("[data-testid=incoming-readers]").inner_text()
    row = page.locator("[data-testid=assignments] tr[data-unit=市应急管理局]")
    box = row.locator("details", has_text="代录反馈")
    box.locator("summary").click()
    box.locator("input[type=radio][value=final]").check()
    box.locator("textarea[name$=report]").fill("已配合开展全市安全生产大检查。")
    box.locator("button[type=submit]").click()
    ok(page)
    shot(page, "10-bureau-report-recorded")
    leave(page, base)

    # 9. 农经处 closes it with the result.
    enter(page, base, "zhaolei")
    open_from_todo(page, base, case.number)
    act(
        page,
        "complete",
        fill={"textarea[name=report]": "已部署全市冬季安全生产检查，整改隐患32处。"},
    )
    assert page.locator("[data-testid=case-state]").inner_text() == "办结"
    leave(page, base)

    # 10. 文电处 archives it and prints the 收文处理笺.
    enter(page, base, "liuming")
    page.goto(f"{base}/cases/{case.pk}/")
    act(page, "archive")
    assert page.locator("[data-testid=case-state]").inner_text() == "归档"
    # One 件 (DA/T 22): the panel shows its 档号, linked to the archived PDF for 文电处.
    code = page.locator("[data-testid=archival-code]").inner_text()
    assert code == Case.objects.get(pk=case.pk).incoming.archive_item.archival_code
    assert "-WS·" in code
    shot(page, "11-archived")
    page.click("nav.sidebar >> text=归档文件目录")
    assert page.locator(f"[data-testid=archive-item][data-code='{code}']").count() == 1
    shot(page, "11b-archive-register")
    page.goto(f"{base}/cases/{case.pk}/")
    with page.expect_download() as info:
        page.click("[data-testid=incoming-slip]")
    path = SHOTS / "slip.pdf"
    info.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    for expected in (
        "沈阳市人民政府办公厅收文处理笺",
        NUMBER,
        case.number,
        "周秘书长",
        "张副市长",
        "列入督办",
        "主办：农经处；协办：市应急管理局",
        "整改隐患32处",
        "李副秘书长（已阅",
    ):
        assert expected in text, expected
    assert text.index("两周内报结果") < text.index("同意周秘书长意见")
