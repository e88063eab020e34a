"""The page that loads a regulation or an amending notice: upload, review the diff, apply."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhengban.accounts.choices import Role
from zhengban.audit.models import AuditRecord
from zhengban.org.models import Organization, Regulation, StaffingQuota

from .factories import MAIN_NAME, appoint, make_user, sample_text, unit_named
from .test_regulation_amend import NOTICE

pytestmark = pytest.mark.django_db
URL = "/org/regulation/load/"


def upload(client, text: str | bytes, name="notice.txt", **fields):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile(name, data), **fields})


def hidden(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def apply(client, review, **extra):
    fields = hidden(review)
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(URL, {**fields, **extra})


def test_the_url_is_named():
    assert reverse("org:regulation_load") == URL


def test_only_the_system_administrator_may_load(client, main_org, reader):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    client.force_login(reader)
    assert client.get(URL).status_code == 403
    assert upload(client, NOTICE).status_code == 403
    assert unit_named("新闻处")
    leader = make_user(Role.OFFICE_LEADER)
    client.force_login(leader)
    assert client.get(URL).status_code == 403


def test_the_chart_links_to_the_page_for_the_administrator_only(client, main_org, reader, sysadmin):
    client.force_login(reader)
    assert 'data-testid="regulation-load-link"' not in client.get("/org/").content.decode()
    client.force_login(sysadmin)
    assert 'data-testid="regulation-load-link"' in client.get("/org/").content.decode()


def test_a_notice_is_reviewed_then_applied(client, main_org, sysadmin):
    client.force_login(sysadmin)
    assert client.get(URL).status_code == 200

    review = upload(client, NOTICE, title="沈编〔2012〕8号")

    assert review.status_code == 200
    html = review.content.decode()
    assert f"调整通知：{MAIN_NAME}" in html
    assert "<li>  更名：新闻处 → 新闻宣传处</li>" in html
    assert unit_named("新闻处")  # nothing written by the review
    assert Regulation.objects.count() == 1

    done = apply(client, review)

    assert done.status_code == 302
    notice = Regulation.objects.get(title="沈编〔2012〕8号")
    assert done["Location"] == reverse("org:regulation", args=[notice.pk])
    assert notice.amends == main_org.regulation
    assert unit_named("新闻宣传处")
    record = AuditRecord.objects.get(action="org.regulation_amend")
    assert record.actor_id == sysadmin.pk

    # The same form cannot be submitted twice.
    again = apply(client, review)
    assert again.status_code == 400
    assert "该表单已提交过" in again.content.decode()


def test_a_new_regulation_is_reviewed_before_it_is_created(client, sysadmin):
    client.force_login(sysadmin)
    review = upload(client, sample_text(), name="shenyang.txt")

    assert review.status_code == 200
    assert f"新增机构：{MAIN_NAME}（26个机构" not in review.content.decode()  # 30 with extras
    assert f"新增机构：{MAIN_NAME}" in review.content.decode()
    assert not Organization.objects.exists()

    done = apply(client, review)
    assert done.status_code == 302
    assert Organization.objects.get(name=MAIN_NAME).regulation.title == "shenyang"


def test_a_change_since_the_review_is_a_conflict(client, main_org, sysadmin):
    client.force_login(sysadmin)
    review = upload(client, NOTICE)
    quota = StaffingQuota.objects.get(organization=main_org, category="administrative")
    # Someone applies another notice in between.
    other = (
        NOTICE[: NOTICE.index("一、职责调整")] + "市政府办公厅机关行政编制由148名调整为149名。\n"
    )
    assert upload(client, other).status_code == 200
    assert apply(client, upload(client, other)).status_code == 302

    conflict = apply(client, review)

    assert conflict.status_code == 409
    assert "请重新核对" in conflict.content.decode()
    quota.refresh_from_db()
    assert quota.approved == 149 and unit_named("新闻处")


def test_over_quota_needs_the_confirmation_box(client, main_org, sysadmin):
    for _ in range(3):
        appoint(main_org, unit_named("文电处"), category="logistics")
    client.force_login(sysadmin)
    review = upload(client, NOTICE.replace("工勤人员编制111名不变", "工勤人员编制由111名核减为2名"))
    html = review.content.decode()
    assert 'data-testid="shortfalls"' in html and "超编1名" in html
    assert 'name="accept_over_quota"' in html

    refused = apply(client, review)
    assert refused.status_code == 400
    assert "核实后勾选确认再应用" in refused.content.decode()
    logistics = StaffingQuota.objects.get(organization=main_org, category="logistics")
    assert logistics.approved == 111

    accepted = apply(client, refused, accept_over_quota="on")
    assert accepted.status_code == 302
    logistics.refresh_from_db()
    assert logistics.approved == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "提交的是空文件。"),
        (b"\x00\x01\x02binary", "文件是二进制数据"),
        ("这不是三定规定。".encode(), "不是三定规定：未找到内设机构、人员编制或主要职责"),
        (b"\xff" * 10, "无法识别文件编码（应为UTF-8或GB18030）"),
    ],
)
def test_bad_files_are_refused_with_a_message(client, main_org, sysadmin, content, message):
    client.force_login(sysadmin)
    response = upload(client, content, name="bad.txt")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert message in html
    assert Regulation.objects.count() == 1


def test_an_ambiguous_notice_asks_for_the_organization(client, main_org, sysadmin):
    text = sample_text().replace("沈阳", "铁岭")
    from zhengban.org.services import regulation_load

    regulation_load(text=text[: text.index("五、其他事项")], title="铁岭", actor=None)
    client.force_login(sysadmin)
    anonymous = NOTICE.replace("沈阳", "")

    response = upload(client, anonymous)
    assert response.status_code == 400
    assert "对应多个已载入的机构" in response.content.decode()

    review = upload(client, anonymous, organization="铁岭市人民政府办公厅")
    assert review.status_code == 200
    assert "调整通知：铁岭市人民政府办公厅" in review.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"digest": "0" * 64, "text": "%%%", "title": "x"},
        {"digest": "short", "text": "", "title": "x"},
        {"digest": "0" * 64, "text": "5LiN5piv", "title": "x"},  # valid base64, no token
    ],
)
def test_tampered_apply_forms_are_refused(client, main_org, sysadmin, fields):
    client.force_login(sysadmin)
    response = client.post(URL, fields)
    assert response.status_code == 400
    assert Regulation.objects.count() == 1


def test_the_review_in_english(client, main_org, sysadmin):
    from django.utils import translation

    client.force_login(sysadmin)
    client.post(reverse("i18n:set_language"), {"language": "en", "next": "/"})
    try:
        page = client.get(URL)
        assert "Review the differences" in page.content.decode()
        review = upload(client, NOTICE)
        html = review.content.decode()
        assert f"Amending notice: {MAIN_NAME}" in html
        assert "Renamed: 新闻处 → 新闻宣传处" in html  # names stay as the regulation writes them
        assert "The amending notice makes these changes; check them, then apply." in html
    finally:
        translation.deactivate()
