"""The 请示事项类别 page: the system administrator lists, adds, edits and retires the office's
categories — each save through `services.category_save` (audited with old and new values),
bad input refused with 400 and nothing saved, a double submission creating one row, a stale
edit refused with 409; everyone else refused with 403 and the refusal recorded."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.approvals import policies, services
from zhengban.approvals.models import ApprovalCategory
from zhengban.audit.models import AuditRecord

from .conftest import draft

LIST = reverse("approvals:categories")
DEFAULTS = {"funding", "personnel", "work_plan", "meeting", "other"}


def edit_url(category) -> str:
    return reverse("approvals:category_edit", args=[category.pk])


def _admin(username, role):
    return user_create(
        username=username,
        password="x",
        display_name=username,
        roles=(role,),
        validate_password=False,
    )


@pytest.fixture
def sysadmin(db):
    return _admin("sysadmin", Role.SYSTEM_ADMIN)


@pytest.fixture
def admin_client(client, sysadmin):
    client.force_login(sysadmin)
    return client


def hidden(page: str, name: str, form: str) -> str:
    """The value of hidden field `name` inside the form marked data-testid=`form`."""
    block = re.search(rf'<form[^>]*data-testid="{form}".*?</form>', page, re.S).group(0)
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', block).group(1))


def add_token(client) -> str:
    return hidden(client.get(LIST).content.decode(), "form_token", "category-add")


def edit_form(client, category) -> dict:
    """What the edit form carries when rendered now: its token and `original`."""
    page = client.get(edit_url(category)).content.decode()
    return {
        "form_token": hidden(page, "form_token", "category-edit"),
        "original": hidden(page, "original", "category-edit"),
    }


def saves() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="approvals.category_save").order_by("seq"))


def offered(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("cases:create") + "?type=approval").content.decode()


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_every_category_with_how_many_requests_use_it(admin_client, office):
    draft(office, category="funding")
    draft(office, title="关于召开防汛工作会议的签报", category="funding")
    retired = ApprovalCategory.objects.get(code="meeting")
    retired.active = False
    retired.save()
    response = admin_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    for code in DEFAULTS:
        assert f'data-testid="category-{code}"' in page
    funding = re.search(r'data-testid="category-funding">(.*?)</tr>', page, re.S).group(1)
    assert "经费" in funding and '<td class="num">2</td>' in funding
    personnel = re.search(r'data-testid="category-personnel">(.*?)</tr>', page, re.S).group(1)
    assert '<td class="num">0</td>' in personnel
    meeting = re.search(r'data-testid="category-meeting">(.*?)</tr>', page, re.S).group(1)
    assert "已停用" in meeting
    assert "<script>" not in page  # CSP: no inline scripts


def test_the_list_costs_the_same_queries_however_long(admin_client, office, sysadmin):
    admin_client.get(LIST)  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        services.category_save(
            category=ApprovalCategory(code=f"extra-{n}", name=f"附加类别{n}", order=50 + n),
            actor=sysadmin,
        )
        draft(office, title=f"关于附加事项{n}的签报", category=f"extra-{n}")
    assert ApprovalCategory.objects.count() == len(DEFAULTS) + 8
    assert queries() == few


def test_the_system_administrator_finds_it_in_the_sidebar(client, sysadmin, office):
    client.force_login(sysadmin)
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{LIST}"' in home and "请示事项类别" in home
    for other in (office.drafter, office.head, office.leader1, _admin("sec", Role.SECURITY_ADMIN)):
        client.force_login(other)
        assert f'href="{LIST}"' not in client.get(reverse("home")).content.decode()


def test_the_page_in_english(admin_client):
    admin_client.post(reverse("i18n:set_language"), {"language": "en", "next": "/"})
    page = admin_client.get(LIST).content.decode()
    assert "Request categories" in page and "Add a category" in page
    assert "新增类别" not in page and "签报数" not in page


# --- add, edit, retire ------------------------------------------------------------------------


def test_adding_a_category_is_audited_and_offered_on_the_form(admin_client, office):
    response = admin_client.post(
        LIST,
        {"form_token": add_token(admin_client), "name": " 外事 ", "code": "Foreign", "order": "7"},
    )
    assert response.status_code == 302 and response["Location"] == LIST
    foreign = ApprovalCategory.objects.get(code="foreign")
    assert (foreign.name, foreign.order, foreign.active) == ("外事", 7, True)
    (record,) = saves()
    assert record.object_id == str(foreign.pk)
    assert record.changes == {
        "code": [None, "foreign"],
        "name": [None, "外事"],
        "order": [None, 7],
        "active": [None, True],
    }
    assert "已添加请示事项类别“外事”" in admin_client.get(LIST).content.decode()
    assert "外事" in offered(admin_client, office.drafter)


def test_editing_name_and_order_keeps_the_code(admin_client):
    funding = ApprovalCategory.objects.get(code="funding")
    response = admin_client.post(
        edit_url(funding),
        {
            **edit_form(admin_client, funding),
            "name": "经费预算",
            "order": "3",
            "active": "on",
            "code": "money",  # not a field of the edit form: ignored
        },
    )
    assert response.status_code == 302
    funding.refresh_from_db()
    assert (funding.code, funding.name, funding.order, funding.active) == (
        "funding",
        "经费预算",
        3,
        True,
    )
    (record,) = saves()
    assert record.changes == {"name": ["经费", "经费预算"], "order": [1, 3]}


def test_the_code_is_fixed_once_created(sysadmin):
    funding = ApprovalCategory.objects.get(code="funding")
    funding.code = "money"
    with pytest.raises(ValidationError):
        services.category_save(category=funding, actor=sysadmin)
    assert ApprovalCategory.objects.filter(code="funding").exists()
    assert saves() == []


def test_a_retired_category_is_no_longer_offered_but_stays_on_old_requests(
    admin_client, office, sysadmin
):
    case = draft(office, category="work_plan")
    deployment = ApprovalCategory.objects.get(code="work_plan")
    assert "工作部署" in offered(admin_client, office.drafter)
    admin_client.force_login(sysadmin)
    form = edit_form(admin_client, deployment)
    assert (
        'data-testid="category-in-use">1<'
        in admin_client.get(edit_url(deployment)).content.decode()
    )
    # The checkbox left unticked: 在用 off.
    response = admin_client.post(
        edit_url(deployment), {**form, "name": "工作部署", "order": str(deployment.order)}
    )
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.active is False and ApprovalCategory.objects.filter(pk=deployment.pk).exists()
    assert saves()[-1].changes == {"active": [True, False]}
    assert "已保存请示事项类别“工作部署”" in admin_client.get(LIST).content.decode()
    assert "工作部署" not in offered(admin_client, office.drafter)
    # The 签报 that names it keeps it: on its page and its edit form.
    detail = admin_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<dd data-testid="approval-category">工作部署</dd>' in detail
    assert "工作部署" in admin_client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    # And the list still shows it, retired, with its use.
    admin_client.force_login(sysadmin)
    row = re.search(
        r'data-testid="category-work_plan">(.*?)</tr>',
        admin_client.get(LIST).content.decode(),
        re.S,
    ).group(1)
    assert "已停用" in row and '<td class="num">1</td>' in row


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "经费", "code": "money", "order": "1"}, "已有同名的请示事项类别。"),
        ({"name": "外事", "code": "funding", "order": "1"}, "该代码已被其他类别使用。"),
        ({"name": "外事", "code": "FUNDING", "order": "1"}, "该代码已被其他类别使用。"),
        ({"name": "外事", "code": "外事", "order": "1"}, "代码只能由英文字母、数字"),
        ({"name": "外事", "code": "foreign affairs", "order": "1"}, "代码只能由英文字母、数字"),
        ({"name": "外事", "code": "foreign", "order": "-1"}, "排序不能小于0。"),
        ({"name": "外事", "code": "foreign", "order": "10000"}, "排序不能大于9999。"),
        ({"name": "外事", "code": "foreign", "order": "1.5"}, "排序须为整数。"),
        ({"name": "外" * 41, "code": "foreign", "order": "1"}, "名称最多40个字。"),
        ({"name": "  ", "code": "foreign", "order": "1"}, "该字段是必填项。"),
        ({"name": "外事", "code": "f" * 33, "order": "1"}, "代码最多32个字符。"),
    ],
)
def test_bad_input_to_the_add_form_is_refused(admin_client, data, message):
    before = ApprovalCategory.objects.count()
    response = admin_client.post(LIST, {"form_token": add_token(admin_client), **data})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert ApprovalCategory.objects.count() == before and saves() == []
    # The token was not spent: the corrected form goes through on a fresh token anyway.
    assert 'data-testid="category-add"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "人事", "order": "1", "active": "on"}, "已有同名的请示事项类别。"),
        ({"name": "经费", "order": "99999", "active": "on"}, "排序不能大于9999。"),
        ({"name": "经" * 41, "order": "1", "active": "on"}, "名称最多40个字。"),
    ],
)
def test_bad_input_to_the_edit_form_is_refused(admin_client, data, message):
    funding = ApprovalCategory.objects.get(code="funding")
    response = admin_client.post(edit_url(funding), {**edit_form(admin_client, funding), **data})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    funding.refresh_from_db()
    assert (funding.name, funding.order, funding.active) == ("经费", 1, True)
    assert saves() == []


def test_the_service_refuses_an_order_out_of_range(sysadmin):
    with pytest.raises(ValidationError):
        services.category_save(
            category=ApprovalCategory(code="foreign", name="外事", order=10000), actor=sysadmin
        )
    assert not ApprovalCategory.objects.filter(code="foreign").exists()


# --- once only, and not over someone else's change -------------------------------------------


def test_a_double_submission_creates_one_row(admin_client):
    data = {"form_token": add_token(admin_client), "name": "外事", "code": "foreign", "order": "7"}
    first = admin_client.post(LIST, data)
    second = admin_client.post(LIST, data)
    assert first.status_code == 302
    assert second.status_code == 400
    assert "该表单已提交过，请勿重复提交。" in second.content.decode()
    assert ApprovalCategory.objects.filter(code="foreign").count() == 1
    assert len(saves()) == 1


def test_a_double_submitted_edit_saves_once(admin_client):
    funding = ApprovalCategory.objects.get(code="funding")
    data = {**edit_form(admin_client, funding), "name": "经费预算", "order": "1", "active": "on"}
    assert admin_client.post(edit_url(funding), data).status_code == 302
    second = admin_client.post(edit_url(funding), data)
    assert second.status_code == 400 and "已提交过" in second.content.decode()
    assert len(saves()) == 1


def test_a_stale_edit_is_refused_with_409(admin_client, sysadmin):
    funding = ApprovalCategory.objects.get(code="funding")
    mine = edit_form(admin_client, funding)
    # Meanwhile someone else (another tab, another administrator) renames it.
    theirs = edit_form(admin_client, funding)
    response = admin_client.post(
        edit_url(funding), {**theirs, "name": "专项经费", "order": "1", "active": "on"}
    )
    assert response.status_code == 302
    stale = admin_client.post(
        edit_url(funding), {**mine, "name": "经费", "order": "2", "active": "on"}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "已被他人修改" in page and 'value="专项经费"' in page
    funding.refresh_from_db()
    assert (funding.name, funding.order) == ("专项经费", 1)
    assert len(saves()) == 1
    # The form shown with the 409 carries the current values: saving it now goes through.
    fresh = {
        "form_token": hidden(page, "form_token", "category-edit"),
        "original": hidden(page, "original", "category-edit"),
    }
    retry = admin_client.post(
        edit_url(funding), {**fresh, "name": "专项经费", "order": "2", "active": "on"}
    )
    assert retry.status_code == 302
    funding.refresh_from_db()
    assert funding.order == 2


def test_the_service_refuses_a_stale_fingerprint(sysadmin):
    funding = ApprovalCategory.objects.get(code="funding")
    seen = services.category_fingerprint(services.category_values(funding))
    ApprovalCategory.objects.filter(pk=funding.pk).update(order=5)
    funding.name = "经费预算"
    with pytest.raises(services.CategoryChanged):
        services.category_save(category=funding, actor=sysadmin, expected=seen)
    assert ApprovalCategory.objects.get(pk=funding.pk).name == "经费"


# --- who ---------------------------------------------------------------------------------------


def test_only_the_system_administrator_may(sysadmin, office):
    assert policies.can_edit_categories(sysadmin)
    sysadmin.is_active = False
    assert not policies.can_edit_categories(sysadmin)
    assert not policies.can_edit_categories(office.head)
    assert not hasattr(services, "can_edit_categories")  # one place: the policy


def others(office) -> dict:
    return {
        "drafter": office.drafter,
        "division_head": office.head,
        "office_leader": office.leader1,
        "city_leader": office.leader2,
        "security_admin": _admin("secadmin", Role.SECURITY_ADMIN),
        "audit_admin": _admin("auditadmin", Role.AUDIT_ADMIN),
    }


def test_everyone_else_is_refused_and_the_refusal_recorded(client, office):
    funding = ApprovalCategory.objects.get(code="funding")
    for label, user in others(office).items():
        client.force_login(user)
        for url in (LIST, edit_url(funding)):
            denied = AuditRecord.objects.filter(action="audit.denied").count()
            assert client.get(url).status_code == 403, (label, url)
            post = client.post(url, {"name": "越权", "code": "intrude", "order": "1"})
            assert post.status_code == 403, (label, url)
            records = AuditRecord.objects.filter(action="audit.denied").order_by("seq")
            assert records.count() == denied + 2, (label, url)
            attempted = [r.changes["attempted"] for r in records[denied:]]
            assert attempted[0] == "approvals.categories", label
            assert attempted[1] in {"approvals.category_add", "approvals.category_edit"}, label
    assert not ApprovalCategory.objects.filter(code="intrude").exists()
    assert not ApprovalCategory.objects.filter(name="越权").exists()
    assert saves() == []


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    funding = ApprovalCategory.objects.get(code="funding")
    for url in (LIST, edit_url(funding)):
        for response in (client.get(url), client.post(url, {"name": "x", "code": "x"})):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))
    assert not ApprovalCategory.objects.filter(code="x").exists()


def test_a_missing_category_is_404_for_the_administrator(admin_client):
    assert admin_client.get(reverse("approvals:category_edit", args=[99999])).status_code == 404


def test_the_django_admin_no_longer_knows_the_categories():
    from django.contrib import admin

    assert not admin.site.is_registered(ApprovalCategory)
