"""Overrides in the database: services, audit, permissions and the process-wide cache."""

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from zhengban.audit.models import AuditRecord
from zhengban.workcalendar import calendar, services
from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR
from zhengban.workcalendar.models import CalendarOverride, CalendarYear

pytestmark = pytest.mark.django_db

NEXT = PACKAGE_LAST_YEAR + 1


def test_unknown_year_is_provisional_until_published(system_admin):
    start = date(NEXT - 1, 12, 31)
    before = calendar.add_workdays(start, 1)
    assert before.provisional
    assert before.warnings == [calendar.provisional_warning(NEXT)]
    assert f"{NEXT}年" in before.warnings[0]

    jan1 = date(NEXT, 1, 1)
    services.calendar_override_set(date=jan1, is_workday=False, note="元旦", actor=system_admin)
    # Overrides alone do not make the year known …
    still = calendar.add_workdays(start, 1)
    assert still.provisional and still.date != jan1
    # … marking it complete does.
    services.calendar_year_set(year=NEXT, complete=True, source="通知", actor=system_admin)
    after = calendar.add_workdays(start, 1)
    assert after.provisional is False and after.warnings == []
    assert not calendar.is_workday(jan1)


def test_publish_year_replaces_overrides_and_marks_complete(system_admin):
    services.calendar_override_set(
        date=date(NEXT, 3, 3), is_workday=False, note="旧", actor=system_admin
    )
    rest = [date(NEXT, 1, 1), date(NEXT, 1, 2), date(NEXT, 1, 3)]
    row = services.calendar_year_publish(
        year=NEXT,
        rest_days=rest,
        workdays=[date(NEXT, 1, 9)],
        source="国务院办公厅关于部分节假日安排的通知",
        note=f"{NEXT}年元旦",
        actor=system_admin,
    )
    assert row.complete
    assert set(CalendarOverride.objects.values_list("date", "is_workday")) == {
        *((d, False) for d in rest),
        (date(NEXT, 1, 9), True),
    }
    assert calendar.is_workday(date(NEXT, 1, 9))
    assert calendar.is_workday(date(NEXT, 3, 3)) is (date(NEXT, 3, 3).weekday() < 5)
    record = AuditRecord.objects.filter(action="workcalendar.year_publish").get()
    assert record.actor_id == system_admin.pk and len(record.changes["rest_days"]) == 3


def test_publish_year_rejects_bad_dates(system_admin):
    with pytest.raises(ValidationError):
        services.calendar_year_publish(
            year=NEXT, rest_days=[date(NEXT + 1, 1, 1)], workdays=[], source="x", actor=system_admin
        )
    with pytest.raises(ValidationError):
        services.calendar_year_publish(
            year=NEXT,
            rest_days=[date(NEXT, 1, 1)],
            workdays=[date(NEXT, 1, 1)],
            source="x",
            actor=system_admin,
        )
    assert not CalendarYear.objects.exists() and not CalendarOverride.objects.exists()


def test_override_set_updates_and_audits(system_admin):
    day = date(2026, 3, 9)
    services.calendar_override_set(date=day, is_workday=False, note="地方节日", actor=system_admin)
    assert not calendar.is_workday(day)
    services.calendar_override_set(date=day, is_workday=True, note="", actor=system_admin)
    assert calendar.is_workday(day)
    assert CalendarOverride.objects.count() == 1
    records = list(AuditRecord.objects.filter(action="workcalendar.override_set").order_by("seq"))
    assert [r.changes["is_workday"] for r in records] == [[None, False], [False, True]]
    services.calendar_override_delete(override=CalendarOverride.objects.get(), actor=system_admin)
    assert not CalendarOverride.objects.exists()
    assert AuditRecord.objects.filter(action="workcalendar.override_delete").count() == 1


def test_only_the_system_admin_may_change_the_calendar(clerk):
    audits = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        services.calendar_override_set(date=date(2026, 3, 9), is_workday=False, actor=clerk)
    with pytest.raises(PermissionDenied):
        services.calendar_year_set(year=NEXT, complete=True, actor=clerk)
    with pytest.raises(PermissionDenied):
        services.calendar_year_publish(year=NEXT, rest_days=[], workdays=[], source="", actor=clerk)
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()
    assert AuditRecord.objects.count() == audits
    assert calendar.is_workday(date(2026, 3, 9))


def test_calendar_is_cached_per_process(django_assert_num_queries, system_admin):
    calendar.current_calendar()
    with django_assert_num_queries(0):
        for _ in range(100):
            calendar.add_workdays(date(2026, 3, 2), 20)
            calendar.is_workday(date(2026, 3, 9))


def test_commit_tells_other_processes_to_reload(
    system_admin, django_capture_on_commit_callbacks, monkeypatch
):
    cal = calendar.current_calendar()
    before = cache.get(calendar.TOKEN_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_override_set(date=date(2026, 3, 9), is_workday=False, actor=system_admin)
    token = cache.get(calendar.TOKEN_KEY)
    assert token is not None and token != before
    # Another process still holds `cal`; once its recheck interval passes it sees the token.
    calendar._current, calendar._checked_at = cal, 0.0
    assert cal.is_workday(date(2026, 3, 9))
    assert not calendar.is_workday(date(2026, 3, 9))


def test_token_check_adds_no_database_query(django_assert_num_queries, monkeypatch):
    calendar.current_calendar()
    monkeypatch.setattr(calendar, "RECHECK_SECONDS", 0.0)
    with django_assert_num_queries(0):
        calendar.add_workdays(date(2026, 3, 2), 20)
