"""Working days on the official calendar (package data, no database)."""

from datetime import date, timedelta

import pytest

from zhengban.workcalendar.calendar import (
    PACKAGE_LAST_YEAR,
    WorkCalendar,
    shift_months,
)
from zhengban.workcalendar.choices import DayKind

CAL = WorkCalendar()


def _days(first: str, last: str) -> set[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return {a + timedelta(days=i) for i in range((b - a).days + 1)}


# 国务院办公厅 notices as listed in regs.md §7.2 (holiday ranges, make-up working days).
NOTICES = {
    2025: (
        [("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
         ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08")],
        ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    ),
    2026: (
        [("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
         ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
         ("2026-10-01", "2026-10-07")],
        ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_every_day_matches_the_state_council_notice(year):
    ranges, makeup = NOTICES[year]
    off = set().union(*(_days(a, b) for a, b in ranges))
    on = {date.fromisoformat(d) for d in makeup}
    for d in _days(f"{year}-01-01", f"{year}-12-31"):
        expected = d in on or (d.weekday() < 5 and d not in off)
        assert CAL.is_workday(d) is expected, d


def test_package_covers_2026_and_ends_there():
    assert PACKAGE_LAST_YEAR >= 2026
    assert CAL.is_known_year(2004) and CAL.is_known_year(2026)
    assert not CAL.is_known_year(PACKAGE_LAST_YEAR + 1)
    assert not CAL.is_known_year(2003)


def test_spring_festival_2026():
    # 2/15 (Sun) – 2/23 (Mon) off; Saturdays 2/14 and 2/28 are make-up working days.
    assert not CAL.is_workday(date(2026, 2, 16))  # 除夕, a Monday
    assert not CAL.is_workday(date(2026, 2, 23))
    assert CAL.is_workday(date(2026, 2, 14))
    assert CAL.is_workday(date(2026, 2, 28))
    assert CAL.is_workday(date(2026, 2, 24))
    assert CAL.add_workdays(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 14), 1).date == date(2026, 2, 24)
    # 2/24–2/27 then the make-up Saturday 2/28 is the 5th working day.
    assert CAL.add_workdays(date(2026, 2, 14), 5).date == date(2026, 2, 28)
    assert CAL.describe(date(2026, 2, 17)) == (DayKind.HOLIDAY, "春节")
    assert CAL.describe(date(2026, 2, 28))[0] == DayKind.MAKEUP


def test_national_day_2025_combined_with_mid_autumn():
    # 10/1–10/8 (国庆 + 中秋 on 10/6): eight days off; Sun 9/28 and Sat 10/11 are worked.
    assert [CAL.is_workday(date(2025, 10, d)) for d in range(1, 10)] == [False] * 8 + [True]
    assert CAL.is_workday(date(2025, 9, 28))
    assert CAL.is_workday(date(2025, 10, 11))
    assert CAL.add_workdays(date(2025, 9, 30), 1).date == date(2025, 10, 9)
    assert CAL.add_workdays(date(2025, 9, 26), 1).date == date(2025, 9, 28)
    # (9/26, 10/12]: 9/28 (Sun), 9/29, 9/30, 10/9, 10/10, 10/11 (Sat).
    assert CAL.workdays_between(date(2025, 9, 26), date(2025, 10, 12)) == 6
    assert CAL.describe(date(2025, 10, 6)) == (DayKind.HOLIDAY, "中秋")


def test_national_day_2026_and_mid_autumn_before_it():
    assert not CAL.is_workday(date(2026, 9, 25))  # 中秋, a Friday
    assert CAL.is_workday(date(2026, 9, 20))  # make-up Sunday
    assert [CAL.is_workday(date(2026, 10, d)) for d in range(1, 9)] == [False] * 7 + [True]
    assert CAL.is_workday(date(2026, 10, 10))  # make-up Saturday


def test_add_workdays_across_the_2026_holidays_by_hand():
    # From Fri 9/25 (中秋): 9/28–9/30 are days 1–3, 10/1–10/7 off, 10/8 (4), 10/9 (5),
    # Sat 10/10 (6), 10/12–10/16 (7–11), 10/19–10/23 (12–16), 10/26–10/29 (17–20).
    result = CAL.add_workdays(date(2026, 9, 25), 20)
    assert result.date == date(2026, 10, 29)
    assert result.provisional is False
    assert result.warnings == []


def test_day_one_is_the_first_working_day_after_start_and_zero_is_start():
    friday = date(2026, 3, 6)
    assert CAL.add_workdays(friday, 1).date == date(2026, 3, 9)
    assert CAL.add_workdays(friday, 0).date == friday
    saturday = date(2026, 3, 7)
    assert CAL.add_workdays(saturday, 0).date == saturday
    assert CAL.add_workdays(saturday, 1).date == date(2026, 3, 9)


def test_negative_counts_go_back():
    assert CAL.add_workdays(date(2026, 10, 8), -1).date == date(2026, 9, 30)
    assert CAL.add_workdays(date(2026, 2, 24), -1).date == date(2026, 2, 14)


def test_workdays_between():
    assert CAL.workdays_between(date(2026, 9, 25), date(2026, 10, 29)) == 20
    assert CAL.workdays_between(date(2026, 10, 29), date(2026, 9, 25)) == -20
    assert CAL.workdays_between(date(2026, 3, 6), date(2026, 3, 6)) == 0
    # Across a year end and a whole year in between.
    assert CAL.workdays_between(date(2024, 12, 31), date(2026, 12, 31)) == (
        CAL.workdays_between(date(2024, 12, 31), date(2025, 12, 31))
        + CAL.workdays_between(date(2025, 12, 31), date(2026, 12, 31))
    )


def test_year_boundary_and_long_spans():
    # 2026: 1/1–1/3 off, Sunday 1/4 worked.
    assert CAL.add_workdays(date(2025, 12, 31), 1).date == date(2026, 1, 4)
    assert CAL.add_workdays(date(2025, 12, 31), 2).date == date(2026, 1, 5)
    assert CAL.add_workdays(date(2025, 12, 30), 2).date == date(2026, 1, 4)
    n = CAL.workdays_between(date(2010, 1, 1), date(2020, 1, 1))
    assert CAL.add_workdays(date(2010, 1, 1), n).date == date(2019, 12, 31)


def test_beyond_known_years_counts_weekdays_and_warns():
    year = PACKAGE_LAST_YEAR + 1
    result = CAL.add_workdays(date(year - 1, 12, 31), 1)
    first_weekday = min(d for d in _days(f"{year}-01-01", f"{year}-01-07") if d.weekday() < 5)
    assert result.date == first_weekday
    assert result.provisional is True
    assert len(result.warnings) == 1 and f"{year}年" in result.warnings[0]
    # Not provisional when the days counted are all in a known year.
    assert CAL.add_workdays(date(year - 1, 12, 1), 5).provisional is False


def test_provisional_names_every_unknown_year():
    last = PACKAGE_LAST_YEAR
    result = CAL.add_workdays(date(last, 12, 31), 600)
    assert result.provisional
    assert [w[:5] for w in result.warnings] == [f"{last + 1}年", f"{last + 2}年", f"{last + 3}年"][
        : len(result.warnings)
    ]
    assert len(result.warnings) == result.date.year - last


def test_overrides_and_complete_years():
    year = PACKAGE_LAST_YEAR + 1
    jan1 = date(year, 1, 1)
    cal = WorkCalendar(
        overrides={jan1: False, date(year, 1, 2): False, date(year, 1, 3): True},
        complete_years=[year],
    )
    assert not cal.is_workday(jan1)
    assert cal.is_workday(date(year, 1, 3))
    result = cal.add_workdays(date(year - 1, 12, 31), 1)
    assert result.provisional is False and result.warnings == []
    assert result.date == min(
        d for d in _days(f"{year}-01-03", f"{year}-01-10") if cal.is_workday(d)
    )
    # The overrides also apply inside package years (local holidays, corrections).
    local = WorkCalendar(overrides={date(2026, 3, 9): False})
    assert local.add_workdays(date(2026, 3, 6), 1).date == date(2026, 3, 10)


def test_calendar_days_roll_off_rest_days():
    # 2026-08-02 + 60 days = 10/1 (国庆) → first working day after the holiday.
    result = CAL.add_calendar_days(date(2026, 8, 2), 60)
    assert result.date == date(2026, 10, 8)
    assert CAL.add_calendar_days(date(2026, 8, 2), 60, roll=False).date == date(2026, 10, 1)
    # A make-up Saturday is a working day: no roll.
    assert CAL.add_calendar_days(date(2026, 9, 30), 10).date == date(2026, 10, 10)
    assert CAL.add_calendar_days(date(2026, 8, 2), 0).date == date(2026, 8, 2)


def test_months_clamp_to_month_end():
    assert shift_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert shift_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert shift_months(date(2026, 3, 31), 1) == date(2026, 4, 30)
    assert shift_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert shift_months(date(2026, 1, 15), -2) == date(2025, 11, 15)
    assert CAL.add_months(date(2026, 1, 31), 1, roll=False).date == date(2026, 2, 28)
    assert CAL.add_months(date(2024, 1, 31), 1).date == date(2024, 2, 29)  # a Thursday
    # 2026-02-28 is a make-up Saturday, so it stays; 2026-07-01 + 3 months hits 国庆.
    assert CAL.add_months(date(2026, 1, 31), 1).date == date(2026, 2, 28)
    assert CAL.add_months(date(2026, 7, 1), 3).date == date(2026, 10, 8)


def test_rolling_into_an_unknown_year_is_provisional():
    year = PACKAGE_LAST_YEAR + 1
    result = CAL.add_calendar_days(date(year - 1, 12, 1), 40)
    assert result.provisional
    assert not CAL.add_calendar_days(date(year - 1, 12, 1), 40, roll=False).provisional
