"""The 发文 walk of issue 8 in Chromium: 综合一处 drafts a 通知 (with a planted mistake), the
处长 核稿-s it with a visible revision and asks 农经处 to countersign, 文电处 checks it (the
公文体检 lists the mistake), the mayor signs it off, 文电处 numbers, seals and issues it — 农经处
finds it as a 收文, 市教育局 signs for it in its account, 市卫生健康委 returns it with a
reason; the sealed PDF verifies, a copy with one byte changed does not."""

import pyotp
import pytest

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.cases.tests.test_browser import CHROMIUM_ARGS, PASSWORD, log_out
from zhengban.cases.tests.test_walk_browser import act, enter

SHOTS = __import__("pathlib").Path("/tmp/shots/documents")
TITLE = "沈阳市人民政府办公厅关于做好冬季供暖保障工作的通知"
# The planted mistake: a half-width comma in the body.
BODY = (
    "为做好今冬供暖保障工作,现就有关事项通知如下。\n"
    "一、提高认识\n"
    "各地区、各部门要充分认识供暖保障工作的重要性。\n"
    "二、落实责任\n"
    "各供热单位要落实主体责任。"
)


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
def people(db, settings, tmp_path):
    from zhengban.documents.demo import create_demo_series
    from zhengban.org.choices import OrganizationKind, UnitKind
    from zhengban.org.models import Organization, Regulation, Unit

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    bell = "zhengban.cases.context_processors.notifications"
    templates = [dict(t) for t in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    if bell not in processors:
        templates[0]["OPTIONS"] = {
            **templates[0]["OPTIONS"],
            "context_processors": [*processors, bell],
        }
        settings.TEMPLATES = templates
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="沈阳市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )

    def unit(name, order, kind=UnitKind.INTERNAL, organization=org):
        return Unit.objects.create(organization=organization, name=name, kind=kind, order=order)

    wendian, zonghe, nongjing = unit("文电处", 1), unit("综合一处", 2), unit("农经处", 3)
    education = unit("市教育局", 900, UnitKind.EXTERNAL, None)
    health = unit("市卫生健康委", 901, UnitKind.EXTERNAL, None)

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

    secret = pyotp.random_base32()
    mayor = person("shizhang", "陈市长", (Role.CITY_LEADER,))
    type(mayor).objects.filter(pk=mayor.pk).update(totp_secret=secret)
    people = {
        "drafter": person("zhangmin", "张敏", (Role.STAFF,), (zonghe,)),
        "head": person("liuyang", "刘洋", (Role.DIVISION_HEAD,), (zonghe,), (zonghe,)),
        "cosigner": person("sunhao", "孙浩", (Role.DIVISION_HEAD,), (nongjing,), (nongjing,)),
        "clerk": person("wenshu", "王文书", (Role.CLERK,), (wendian,)),
        "farmer": person("nongjing", "赵文书", (Role.CLERK,), (nongjing,)),
        "teacher": person("jiaoyu", "教育局联络员", (Role.UNIT_CONTACT,), (education,)),
        "doctor": person("weijian", "卫健委联络员", (Role.UNIT_CONTACT,), (health,)),
        "mayor": mayor,
        "secret": secret,
    }
    create_demo_series(org, actor=people["clerk"])
    return people


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_case(page, base, case_url):
    page.goto(case_url)
    page.wait_for_selector("[data-testid=case-header]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_walk_of_an_outgoing_document(live_server, chromium, people):
    from zhengban.cases.models import Case
    from zhengban.documents.models import OutgoingFile

    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()

    # 1. 拟稿: the drafter writes the 通知 for 农经处, 市教育局 and 市卫生健康委.
    enter(page, base, "zhangmin")
    page.goto(f"{base}/cases/new/?type=outgoing")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.select_option("#id_d-recipients", label=["农经处", "市教育局", "市卫生健康委"])
    page.fill("#id_d-printer", "沈阳市人民政府办公厅")
    shot(page, "01-draft-form")
    page.click("[data-testid=create-form] button[type=submit]")
    page.wait_for_url("**/cases/*/")
    case_url = page.url
    act(page, "submit")
    assert page.locator("[data-testid=case-state]").inner_text() == "核稿"
    log_out(page)

    # 2. 核稿: the 处长 edits the text (a revision with its difference), then asks 农经处.
    enter(page, base, "liuyang")
    open_case(page, base, case_url)
    page.click("[data-testid=edit]")
    page.fill("#id_body", BODY.replace("落实主体责任", "切实落实主体责任"))
    page.click("[data-testid=edit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=revisions]")
    assert "切实" in page.locator("[data-testid=revisions] ins").first.inner_text()
    shot(page, "02-review-revision")
    box = page.locator("details[data-action=countersign]")
    box.locator("summary").click()
    box.locator("label", has_text="农经处").locator("input").check()
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    log_out(page)

    # 3. 会签: 农经处's head agrees.
    enter(page, base, "sunhao")
    open_case(page, base, case_url)
    task = page.locator("[data-testid=my-task]")
    task.locator("input[type=radio][value=agree]").check()
    task.locator("textarea").fill("同意。")
    task.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    log_out(page)

    enter(page, base, "liuyang")
    open_case(page, base, case_url)
    act(page, "review_pass")
    log_out(page)

    # 4. 审核: 文电处 sees the 公文体检 with the planted mistake, and sends it for sign-off.
    enter(page, base, "wenshu")
    open_case(page, base, case_url)
    problems = page.locator("[data-testid=outgoing-problems]")
    assert problems.locator("tr[data-rule^=punct]").count() >= 1, problems.inner_text()
    shot(page, "03-check")
    box = page.locator("details[data-action=check_pass]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("select[name=signer]").select_option(label="陈市长")
    box.locator("textarea[name=comment]").fill("文字已核，标点一处请印制前改正。")
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    log_out(page)

    # 5. 签发: the mayor signs it off.
    enter(page, base, "shizhang", people["secret"])
    open_case(page, base, case_url)
    act(page, "sign", {"textarea[name=comment]": "同意印发。"})
    assert "陈市长" in page.locator("[data-testid=outgoing-signer]").inner_text()
    log_out(page)

    # 6. 编号, 用印, 印发 by 文电处.
    enter(page, base, "wenshu")
    open_case(page, base, case_url)
    box = page.locator("details[data-action=number]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("select[name=series]").select_option(label="沈政办发")
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    number = page.locator("[data-testid=outgoing-number]").inner_text()
    assert number.startswith("沈政办发〔") and number.endswith("〕1号")
    box = page.locator("details[data-action=seal]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("select[name=seal]").select_option(label="沈阳市人民政府办公厅")
    box.locator("button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert page.locator("[data-testid=outgoing-files] tr[data-kind]").count() == 4
    pdf_url = page.locator("[data-testid=outgoing-files] tr[data-kind=pdf] a").first.get_attribute(
        "href"
    )
    response = page.request.get(base + pdf_url)
    assert response.status == 200
    assert response.headers["x-zhengban-integrity"].startswith("verified S")
    assert response.body()[:5] == b"%PDF-"
    act(page, "issue")
    shot(page, "04-issued")
    log_out(page)

    # 7. 农经处 finds it as a 收文 to register.
    enter(page, base, "nongjing")
    row = page.locator("[data-testid=case-table] tbody tr", has_text=TITLE)
    assert row.count() == 1
    row.locator("a").first.click()
    page.wait_for_selector("[data-testid=case-header]")
    assert number in page.locator("[data-testid=incoming-number]").inner_text()
    shot(page, "05-internal-incoming")
    log_out(page)

    # 8. 市教育局 signs for it in its account; 市卫生健康委 returns it with a reason.
    enter(page, base, "jiaoyu")
    page.goto(f"{base}/documents/exchange/")
    page.locator("[data-testid=exchange-table] a", has_text=TITLE).click()
    page.locator("[data-testid=sign] textarea[name=feedback]").fill("已收悉，将抓好落实。")
    page.locator("[data-testid=sign] button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert page.locator("[data-testid=receipt-status]").inner_text().startswith("已签收")
    shot(page, "06-bureau-signed")
    log_out(page)

    enter(page, base, "weijian")
    page.goto(f"{base}/documents/exchange/")
    page.locator("[data-testid=exchange-table] a", has_text=TITLE).click()
    page.locator("[data-testid=return] summary").click()
    page.locator("[data-testid=return] textarea[name=reason]").fill("供暖保障不属于本单位职责。")
    page.locator("[data-testid=return] button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert page.locator("[data-testid=receipt-status]").inner_text().startswith("已退回")
    log_out(page)

    # 9. The sender sees each recipient's status; a stored copy with one byte changed is refused.
    enter(page, base, "wenshu")
    open_case(page, base, case_url)
    receipts = page.locator("[data-testid=outgoing-receipts]")
    assert receipts.locator("tr[data-status=signed]").count() == 1
    assert receipts.locator("tr[data-status=returned]").count() == 1
    assert receipts.locator("tr[data-status=filed]").count() == 1
    assert "不属于本单位职责" in receipts.inner_text()
    shot(page, "07-receipts")
    case = Case.objects.get(case_type="outgoing")
    stored = OutgoingFile.objects.get(document__case=case, kind="pdf")
    data = bytearray(bytes(stored.data))
    data[len(data) // 2] ^= 0x01
    OutgoingFile.objects.filter(pk=stored.pk).update(data=bytes(data))
    refused = page.request.get(base + pdf_url)
    assert refused.status == 409 and refused.headers["x-zhengban-integrity"] == "failed"
    page.goto(base + pdf_url.replace("/files/pdf/", "/files/pdf/verify/"))
    assert page.locator("[data-testid=verification]").get_attribute("data-ok") == "0"
    shot(page, "08-tampered")
