"""Properties of working-day arithmetic, checked against a day-by-day count."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR, WorkCalendar

CAL = WorkCalendar()
days = st.dates(min_value=date(2003, 6, 1), max_value=date(PACKAGE_LAST_YEAR + 3, 12, 31))
counts = st.integers(min_value=1, max_value=400)


def naive_add(cal: WorkCalendar, start: date, n: int) -> date:
    d = start
    while n:
        d += timedelta(days=1)
        n -= cal.is_workday(d)
    return d


@given(days, counts)
def test_result_is_a_later_workday(start, n):
    result = CAL.add_workdays(start, n).date
    assert result > start and CAL.is_workday(result)


@given(days, counts, counts)
def test_monotonic_in_n(start, a, b):
    if a > b:
        a, b = b, a
    assert CAL.add_workdays(start, a).date <= CAL.add_workdays(start, b).date
    if a < b:
        assert CAL.add_workdays(start, a).date < CAL.add_workdays(start, b).date


@given(days, st.integers(min_value=0, max_value=1000))
def test_workdays_between_is_the_inverse(start, n):
    assert CAL.workdays_between(start, CAL.add_workdays(start, n).date) == n


@given(days, st.integers(min_value=1, max_value=300))
def test_counting_back_from_a_workday_returns_to_it(start, n):
    anchor = CAL.add_workdays(start, 1).date
    back = CAL.add_workdays(anchor, -n).date
    assert back < anchor and CAL.is_workday(back)
    assert CAL.add_workdays(back, n).date == anchor


@settings(max_examples=60)
@given(
    days,
    st.integers(min_value=1, max_value=120),
    st.dictionaries(
        st.dates(min_value=date(2025, 1, 1), max_value=date(PACKAGE_LAST_YEAR + 2, 12, 31)),
        st.booleans(),
        max_size=40,
    ),
)
def test_agrees_with_a_day_by_day_count_with_overrides(start, n, overrides):
    cal = WorkCalendar(overrides=overrides)
    assert cal.add_workdays(start, n).date == naive_add(cal, start, n)


@given(days, counts)
def test_provisional_exactly_when_an_unknown_year_is_crossed(start, n):
    result = CAL.add_workdays(start, n)
    first = start + timedelta(days=1)
    crossed = range(first.year, result.date.year + 1)
    assert result.provisional == any(not CAL.is_known_year(y) for y in crossed)
    assert len(result.warnings) == sum(not CAL.is_known_year(y) for y in crossed)
