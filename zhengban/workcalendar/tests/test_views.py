"""The calendar page and the API."""

from datetime import date

import pytest
from django.urls import reverse

from zhengban.workcalendar import calendar, services
from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR

pytestmark = pytest.mark.django_db
URL = reverse("workcalendar:index")


def test_page_requires_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_month_grid_marks_holidays_and_makeup_days(client, clerk):
    client.force_login(clerk)
    response = client.get(URL, {"month": "2026-10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="day holiday" data-date="2026-10-01">' in html
    assert '<td class="day makeup" data-date="2026-10-10">' in html
    assert '<td class="day weekend" data-date="2026-10-11">' in html
    assert '<td class="day workday" data-date="2026-10-12">' in html
    assert response.context["grid"].workdays == 18  # 22 weekdays − 5 holiday weekdays + 10/10
    # Rules with their legal basis; UNCONFIRMED ones flagged.
    assert "《信访工作条例》（2022年）第三十四条" in html
    assert "待核实" in html
    # A clerk is not offered the maintenance pages.
    assert reverse("workcalendar:manage") not in html and "维护工作日历" not in html


def test_unknown_year_month_is_flagged_provisional(client, clerk):
    client.force_login(clerk)
    html = client.get(URL, {"month": f"{PACKAGE_LAST_YEAR + 1}-02"}).content.decode()
    assert "尚未录入" in html


def test_bad_month_falls_back_to_this_month(client, clerk):
    client.force_login(clerk)
    assert client.get(URL, {"month": "2026-13"}).status_code == 200


def test_system_admin_page_has_no_admin_site_links(client, system_admin):
    # The calendar is maintained with `zhengban calendar publish-year` (audited); Django's
    # admin site is not mounted.
    client.force_login(system_admin)
    response = client.get(URL)
    assert response.status_code == 200 and "django-admin" not in response.content.decode()


@pytest.mark.parametrize("overrides", [5, 50])
def test_page_query_count_does_not_grow_with_overrides(
    client, clerk, system_admin, django_assert_num_queries, overrides
):
    for i in range(overrides):
        services.calendar_override_set(
            date=date(PACKAGE_LAST_YEAR + 1, 1 + i // 28, 1 + i % 28),
            is_workday=False,
            actor=system_admin,
        )
        services.calendar_year_set(year=2100 + i, complete=True, source=str(i), actor=system_admin)
    client.force_login(clerk)
    calendar.invalidate()  # include the (once per process) calendar load in the count
    # session, user, overrides, complete years, role grants (navigation and policy), year
    # list for the source line, unit memberships (the sidebar's register entries), the bell
    # count, and the idle-timeout session save (savepoint, update, release).
    with django_assert_num_queries(11):
        assert client.get(URL, {"month": "2026-10"}).status_code == 200


def test_api_add_workdays(client, clerk):
    url = reverse("api-workcalendar:add-workdays")
    assert client.get(url, {"start": "2026-09-25", "n": 20}).status_code == 403
    client.force_login(clerk)
    data = client.get(url, {"start": "2026-09-25", "n": 20}).json()
    assert data == {"date": "2026-10-29", "provisional": False, "warnings": []}
    bad = client.get(url, {"start": "2026-02-30", "n": 20})
    assert bad.status_code == 400
    # Dates at the ends of the calendar: a clear 400, not an overflow.
    for start, n in (("9999-12-31", 20), ("0001-01-01", -20)):
        response = client.get(url, {"start": start, "n": n})
        assert response.status_code == 400 and "start" in response.json()


def test_api_rules(client, clerk):
    url = reverse("api-workcalendar:rules")
    assert client.get(url).status_code == 403
    client.force_login(clerk)
    rules = {r["code"]: r for r in client.get(url).json()}
    reply = rules["disclosure.reply"]
    assert reply["amount"] == 20 and reply["unit"] == "working_days"
    assert reply["extension"]["amount"] == 20 and reply["restart_reasons"] == ["correction"]
    assert rules["proposal.cppcc_reply"]["unconfirmed"] is True
