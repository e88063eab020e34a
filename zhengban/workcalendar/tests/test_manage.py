"""The system administrator's calendar pages: 工作日调整 (调休上班, 法定节假日, local holidays)
added, changed and deleted from the web, a year's notice marked entered in full; everyone
else refused and recorded."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.audit.models import AuditRecord
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit
from zhengban.security.formtokens import FIELD, form_token_issue
from zhengban.workcalendar import calendar, services
from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR
from zhengban.workcalendar.deadlines import compute_due, get_rule
from zhengban.workcalendar.models import CalendarOverride, CalendarYear

from .factories import make_user

pytestmark = pytest.mark.django_db

MANAGE = reverse("workcalendar:manage")
SET = reverse("workcalendar:override_set")
YEAR = reverse("workcalendar:year_set")
NEXT = PACKAGE_LAST_YEAR + 1


def token_of(html: str, action: str) -> str:
    """The one-time token of the form posting to `action` on a rendered page."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form posting to {action}"
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', form.group(0))
    assert found, f"the form posting to {action} has no form token"
    return found.group(1)


def fresh_token(client, action: str, **query) -> str:
    return token_of(client.get(MANAGE, query).content.decode(), action)


def post_override(client, day: str, kind: str, note: str, token: str | None = None):
    token = token or fresh_token(client, SET)
    return client.post(SET, {"date": day, "kind": kind, "note": note, FIELD: token})


@pytest.fixture
def admin_client(client, system_admin):
    client.force_login(system_admin)
    return client


# --- adding, changing, deleting ------------------------------------------------------------


def test_a_holiday_added_on_the_page_moves_a_deadline(admin_client, system_admin):
    # 政府信息公开 reply: 20 working days from receipt. Received Monday 2026-03-02, due
    # Monday 2026-03-30; a local holiday on Wednesday 2026-03-18 moves it to Tuesday.
    rule = get_rule("disclosure.reply")
    start = date(2026, 3, 2)
    assert compute_due(rule, start).date == date(2026, 3, 30)
    assert calendar.add_workdays(start, 20).date == date(2026, 3, 30)

    response = post_override(admin_client, "2026-03-18", "rest", "地方性节日")
    assert response.status_code == 302
    assert response["Location"] == f"{MANAGE}?year=2026"

    assert compute_due(rule, start).date == date(2026, 3, 31)
    assert calendar.add_workdays(start, 20).date == date(2026, 3, 31)
    override = CalendarOverride.objects.get()
    assert (override.date, override.is_workday, override.note) == (
        date(2026, 3, 18),
        False,
        "地方性节日",
    )
    assert override.updated_by == system_admin
    record = AuditRecord.objects.get(action="workcalendar.override_set")
    assert record.actor_id == system_admin.pk
    assert record.changes["is_workday"] == [None, False]


def test_the_year_page_lists_each_adjustment_with_who_and_when(admin_client, system_admin):
    post_override(admin_client, f"{NEXT}-02-06", "rest", f"{NEXT}年春节")
    post_override(admin_client, f"{NEXT}-02-14", "workday", f"{NEXT}年春节调休上班")
    services.calendar_override_set(
        date=date(NEXT + 1, 1, 1), is_workday=False, note="下一年", actor=None
    )
    html = admin_client.get(MANAGE, {"year": NEXT}).content.decode()
    rows = re.findall(r'<tr data-date="([\d-]+)">(.*?)</tr>', html, re.S)
    assert [d for d, _row in rows] == [f"{NEXT}-02-06", f"{NEXT}-02-14"]  # this year only
    rest, work = rows[0][1], rows[1][1]
    assert "休息日" in rest and f"{NEXT}年春节" in rest and system_admin.display_name in rest
    assert "工作日" in work and "调休上班" in work
    set_at = CalendarOverride.objects.get(date=date(NEXT, 2, 6)).updated_at
    assert timezone.localtime(set_at).strftime("%Y-%m-%d %H:%M") in rest
    first = CalendarOverride.objects.get(date=date(NEXT, 2, 6))
    assert reverse("workcalendar:override_delete", args=[first.pk]) in rest


def test_changing_an_adjustment_keeps_one_row_and_records_the_change(admin_client):
    post_override(admin_client, "2026-03-18", "rest", "地方性节日")
    # The 修改 link fills the form with the day's adjustment.
    html = admin_client.get(MANAGE, {"year": 2026, "date": "2026-03-18"}).content.decode()
    assert 'value="2026-03-18"' in html and 'value="地方性节日"' in html
    assert re.search(r'value="rest"[^>]*checked', html)

    response = post_override(admin_client, "2026-03-18", "workday", "改为正常上班")
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert override.is_workday and override.note == "改为正常上班"
    assert calendar.is_workday(date(2026, 3, 18))
    last = AuditRecord.objects.filter(action="workcalendar.override_set").order_by("-seq")[0]
    assert last.changes == {"is_workday": [False, True], "note": ["地方性节日", "改为正常上班"]}


def test_delete_asks_for_confirmation_then_deletes(admin_client, system_admin):
    post_override(admin_client, "2026-03-18", "rest", "地方性节日")
    override = CalendarOverride.objects.get()
    url = reverse("workcalendar:override_delete", args=[override.pk])

    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "2026-03-18" in html and "确认删除" in html
    assert CalendarOverride.objects.exists()  # a GET deletes nothing
    assert not calendar.is_workday(date(2026, 3, 18))

    token = re.search(rf'name="{FIELD}" value="([^"]+)"', html).group(1)
    response = admin_client.post(url, {FIELD: token})
    assert response.status_code == 302 and response["Location"] == f"{MANAGE}?year=2026"
    assert not CalendarOverride.objects.exists()
    assert calendar.is_workday(date(2026, 3, 18))
    assert calendar.add_workdays(date(2026, 3, 2), 20).date == date(2026, 3, 30)
    record = AuditRecord.objects.get(action="workcalendar.override_delete")
    assert record.actor_id == system_admin.pk and "2026-03-18" in record.summary


def test_delete_without_its_token_deletes_nothing(admin_client):
    post_override(admin_client, "2026-03-18", "rest", "地方性节日")
    override = CalendarOverride.objects.get()
    url = reverse("workcalendar:override_delete", args=[override.pk])
    # Another form's token does not confirm this deletion.
    response = admin_client.post(url, {FIELD: fresh_token(admin_client, SET)})
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert CalendarOverride.objects.exists()
    missing = reverse("workcalendar:override_delete", args=[999999])
    assert admin_client.post(missing).status_code == 404


# --- one-time tokens ----------------------------------------------------------------------


def test_a_double_submit_creates_one_row_and_one_record(admin_client):
    token = fresh_token(admin_client, SET)
    first = post_override(admin_client, "2026-03-18", "rest", "地方性节日", token=token)
    second = post_override(admin_client, "2026-03-18", "rest", "地方性节日", token=token)
    assert first.status_code == 302
    assert second.status_code == 400 and "该表单已提交过" in second.content.decode()
    assert CalendarOverride.objects.count() == 1
    assert AuditRecord.objects.filter(action="workcalendar.override_set").count() == 1


def test_a_double_submit_of_the_year_form_records_once(admin_client):
    token = fresh_token(admin_client, YEAR)
    data = {"year": NEXT, "complete": "on", "source": "通知", FIELD: token}
    assert admin_client.post(YEAR, data).status_code == 302
    assert admin_client.post(YEAR, data).status_code == 400
    assert AuditRecord.objects.filter(action="workcalendar.year_set").count() == 1


def test_a_post_without_a_token_is_refused(admin_client):
    response = admin_client.post(SET, {"date": "2026-03-18", "kind": "rest", "note": "节日"})
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert not CalendarOverride.objects.exists()


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind", "note", "message"),
    [
        ("2027-02-30", "rest", "春节", "日期无效"),
        ("明天", "rest", "春节", "日期无效"),
        ("", "rest", "春节", "请选择日期"),
        (f"{services.LAST_YEAR + 1}-01-01", "rest", "春节", "只能调整"),
        (f"{services.FIRST_YEAR - 1}-10-01", "rest", "国庆节", "只能调整"),
        ("9999-12-31", "rest", "春节", "只能调整"),
        ("2027-02-06", "rest", "节" * 101, "不能超过100个字（现为101个字）"),
        ("2027-02-06", "rest", "", "请填写调整原因"),
        ("2027-02-06", "rest", "   ", "请填写调整原因"),
        ("2027-02-06", "holiday", "春节", "请选择调整为工作日还是休息日"),
        ("2027-02-06", "", "春节", "请选择调整为工作日还是休息日"),
    ],
)
def test_bad_adjustments_are_refused_with_a_clear_400(admin_client, day, kind, note, message):
    response = post_override(admin_client, day, kind, note)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html, html[html.find("errorlist") - 200 : html.find("errorlist") + 400]
    assert not CalendarOverride.objects.exists()
    assert not AuditRecord.objects.filter(action="workcalendar.override_set").exists()


def test_the_service_refuses_out_of_range_and_overlong_input_too(system_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.calendar_override_set(
            date=date(services.LAST_YEAR + 1, 1, 1), is_workday=False, note="x", actor=system_admin
        )
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.calendar_override_set(
            date=date(2027, 1, 1), is_workday=False, note="x" * 101, actor=system_admin
        )
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.calendar_year_set(year=1999, complete=True, source="x", actor=system_admin)
    with pytest.raises(ValidationError):
        services.calendar_year_set(year=NEXT, complete=True, source="x" * 201, actor=system_admin)
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()


@pytest.mark.parametrize("year", ["abc", "99999999999999999999999", "1800", "²"])
def test_a_bad_year_on_the_page_is_a_400(admin_client, year):
    assert admin_client.get(MANAGE, {"year": year}).status_code == 400


def test_a_bad_date_on_the_page_is_a_400(admin_client):
    assert admin_client.get(MANAGE, {"date": "2027-02-30"}).status_code == 400


# --- the year's notice --------------------------------------------------------------------


def test_marking_a_year_complete_makes_its_deadlines_final(admin_client, system_admin):
    start = date(NEXT, 3, 2)
    assert calendar.add_workdays(start, 5).provisional
    source = f"国务院办公厅关于{NEXT}年部分节假日安排的通知"
    response = admin_client.post(
        YEAR,
        {"year": NEXT, "complete": "on", "source": source, FIELD: fresh_token(admin_client, YEAR)},
    )
    assert response.status_code == 302 and response["Location"] == f"{MANAGE}?year={NEXT}"
    row = CalendarYear.objects.get()
    assert (row.year, row.complete, row.source, row.updated_by) == (
        NEXT,
        True,
        source,
        system_admin,
    )
    assert calendar.add_workdays(start, 5).provisional is False
    record = AuditRecord.objects.get(action="workcalendar.year_set")
    assert record.actor_id == system_admin.pk and source in record.summary
    # The page says so, and so does the calendar's source line.
    html = admin_client.get(MANAGE, {"year": NEXT}).content.decode()
    assert "已完整录入" in html and source in html
    index = admin_client.get(reverse("workcalendar:index"), {"month": f"{NEXT}-03"})
    assert source in index.content.decode() and "尚未录入" not in index.content.decode()

    # Unmarking makes it provisional again.
    admin_client.post(YEAR, {"year": NEXT, "source": "", FIELD: fresh_token(admin_client, YEAR)})
    assert calendar.add_workdays(start, 5).provisional


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": NEXT, "complete": "on", "source": ""}, "须填写依据"),
        ({"year": services.LAST_YEAR + 1, "complete": "on", "source": "通知"}, "只能调整"),
        ({"year": "二〇二七", "complete": "on", "source": "通知"}, "年度须为整数"),
        ({"year": "", "complete": "on", "source": "通知"}, "请填写年度"),
        ({"year": NEXT, "complete": "on", "source": "通" * 201}, "不能超过200个字（现为201个字）"),
    ],
)
def test_bad_year_input_is_refused_with_a_clear_400(admin_client, data, message):
    response = admin_client.post(YEAR, {**data, FIELD: fresh_token(admin_client, YEAR)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not CalendarYear.objects.exists()


# --- who may ------------------------------------------------------------------------------


def _external_contact():
    unit = Unit.objects.create(organization=None, name="市教育局", kind=UnitKind.EXTERNAL, order=1)
    return user_create(
        username="lianluo",
        password="x",
        display_name="联络员",
        roles=(Role.UNIT_CONTACT,),
        units=(unit,),
        validate_password=False,
    )


OTHERS = [
    Role.CLERK,
    Role.STAFF,
    Role.DIVISION_HEAD,
    Role.OFFICE_LEADER,
    Role.CITY_LEADER,
    Role.DUTY_OFFICER,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
    "no_role",
    "external",
]


@pytest.fixture(params=OTHERS)
def other(request, db):
    if request.param == "external":
        return _external_contact()
    if request.param == "no_role":
        return make_user(username="putong")
    return make_user(request.param, username=f"u_{request.param}")


def test_everyone_else_is_refused_every_page_and_every_write_and_recorded(
    client, other, system_admin
):
    override = services.calendar_override_set(
        date=date(2026, 3, 18), is_workday=False, note="地方性节日", actor=system_admin
    )
    delete = reverse("workcalendar:override_delete", args=[override.pk])
    delete_purpose = f"workcalendar.override_delete:{override.pk}"
    client.force_login(other)
    attempts = [
        ("get", MANAGE, {}, "workcalendar.manage"),
        ("get", delete, {}, "workcalendar.override_delete"),
        (
            "post",
            SET,
            {
                "date": "2026-03-19",
                "kind": "rest",
                "note": "x",
                FIELD: form_token_issue(user=other, purpose="workcalendar.override_set"),
            },
            "workcalendar.override_set",
        ),
        (
            "post",
            delete,
            {FIELD: form_token_issue(user=other, purpose=delete_purpose)},
            "workcalendar.override_delete",
        ),
        (
            "post",
            YEAR,
            {
                "year": NEXT,
                "complete": "on",
                "source": "x",
                FIELD: form_token_issue(user=other, purpose="workcalendar.year_set"),
            },
            "workcalendar.year_set",
        ),
    ]
    for method, url, data, attempted in attempts:
        before = AuditRecord.objects.filter(action="audit.denied").count()
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)
        denied = AuditRecord.objects.filter(action="audit.denied").order_by("-seq")
        assert denied.count() == before + 1, (method, url)  # recorded once, by the view
        assert denied[0].actor_id == other.pk and denied[0].changes["attempted"] == attempted
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [date(2026, 3, 18)]
    assert not CalendarYear.objects.exists()
    assert not calendar.is_workday(date(2026, 3, 18)) and calendar.is_workday(date(2026, 3, 19))
    # Nor is the link to the pages offered.
    html = client.get(reverse("workcalendar:index")).content.decode()
    assert MANAGE not in html


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, system_admin):
    override = services.calendar_override_set(
        date=date(2026, 3, 18), is_workday=False, note="地方性节日", actor=system_admin
    )
    delete = reverse("workcalendar:override_delete", args=[override.pk])
    for method, url in (("get", MANAGE), ("post", SET), ("post", delete), ("post", YEAR)):
        response = getattr(client, method)(url, {"date": "2026-03-19", "kind": "rest", "note": "x"})
        assert response.status_code == 302 and "login" in response["Location"]
    assert CalendarOverride.objects.count() == 1 and not CalendarYear.objects.exists()


def test_the_system_admin_is_offered_the_pages_from_the_calendar(admin_client):
    html = admin_client.get(reverse("workcalendar:index"), {"month": "2027-02"}).content.decode()
    assert f'href="{MANAGE}?year=2027"' in html


# --- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("overrides", [5, 50])
def test_the_year_page_query_count_does_not_grow_with_adjustments(
    admin_client, system_admin, django_assert_num_queries, overrides
):
    for i in range(overrides):
        services.calendar_override_set(
            date=date(NEXT, 1 + i // 28, 1 + i % 28),
            is_workday=bool(i % 2),
            note=f"调整{i}",
            actor=system_admin,
        )
        services.calendar_year_set(year=2100 + i, complete=True, source=str(i), actor=system_admin)
    # session, user, role grants, the year's row, its adjustments with who set each, the
    # bell count, the years with who set each, and the idle-timeout session save (savepoint,
    # update, release).
    with django_assert_num_queries(10):
        response = admin_client.get(MANAGE, {"year": NEXT})
    assert response.status_code == 200
    assert len(re.findall(r'<tr data-date="', response.content.decode())) == overrides
