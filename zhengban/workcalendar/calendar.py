"""Working-day arithmetic on the official Chinese calendar (节假日与调休).

A working day is Mon–Fri, minus the holidays of the 国务院办公厅 annual notice, plus its
make-up working days (调休上班 Saturdays/Sundays). The `chinese_calendar` package knows the
notices from 2004 to `PACKAGE_LAST_YEAR`; the `CalendarOverride` table adds later years,
local holidays and corrections, and `CalendarYear` marks the years it covers in full.
Outside known years we count Mon–Fri only and flag the result provisional, because the
holidays of that year are not announced yet (regs.md §7.3: recompute once they are).

Counting follows 民法典 arts. 201–203: the start day is not counted, and a period whose
last day is a rest day ends on the next working day.

Speed: each year is turned once into a sorted list of the ordinals of its working days,
so `add_workdays` is a bisect plus an index (the deadline sweep calls it per case).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import NamedTuple

import chinese_calendar

PACKAGE_HOLIDAYS: Mapping[date, str] = chinese_calendar.holidays
PACKAGE_WORKDAYS: Mapping[date, str] = chinese_calendar.workdays
PACKAGE_FIRST_YEAR = min(PACKAGE_HOLIDAYS).year
PACKAGE_LAST_YEAR = max(PACKAGE_HOLIDAYS).year

_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}
_ONE_DAY = timedelta(days=1)


def provisional_warning(year: int) -> str:
    return (
        f"{year}年节假日安排尚未录入（国务院办公厅通知未公布或未录入系统），"
        f"该年按周一至周五为工作日推算，期限为临时结果，录入后将重新计算。"
    )


class WorkdayResult(NamedTuple):
    """A computed date; `provisional` with one warning per year whose holidays are unknown.
    (A named tuple: the deadline sweep creates millions of these.)"""

    date: date
    provisional: bool
    warnings: list[str]


class WorkCalendar:
    """An immutable view of the calendar: package data plus the given overrides.

    Build one directly (pure, no database) or get the process-wide one from the database
    with `current_calendar()`.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        complete_years: Iterable[int] = (),
        notes: Mapping[date, str] | None = None,
        token: object = None,
    ):
        self._overrides = dict(overrides or {})
        self._notes = dict(notes or {})
        self.complete_years = frozenset(complete_years)
        self.token = token
        # year -> sorted ordinals of that year's working days, built on first use.
        self._years: dict[int, list[int]] = {}

    @classmethod
    def from_db(cls, token: object = None) -> WorkCalendar:
        from .models import CalendarOverride, CalendarYear

        rows = list(CalendarOverride.objects.values_list("date", "is_workday", "note"))
        years = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
        return cls(
            overrides={d: w for d, w, _n in rows},
            notes={d: n for d, _w, n in rows if n},
            complete_years=list(years),
            token=token,
        )

    # -- per-year data -------------------------------------------------------------------

    def is_known_year(self, year: int) -> bool:
        return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR or year in self.complete_years

    def _base_is_workday(self, d: date) -> bool:
        if PACKAGE_FIRST_YEAR <= d.year <= PACKAGE_LAST_YEAR:
            return d in PACKAGE_WORKDAYS or (d.weekday() < 5 and d not in PACKAGE_HOLIDAYS)
        return d.weekday() < 5

    def _workdays_of(self, year: int) -> list[int]:
        days = self._years.get(year)
        if days is None:
            days = []
            d = date(year, 1, 1)
            while d.year == year:
                workday = self._overrides.get(d)
                if workday is None:
                    workday = self._base_is_workday(d)
                if workday:
                    days.append(d.toordinal())
                d += _ONE_DAY
            self._years[year] = days
        return days

    def _unknown_years(self, first: date, last: date) -> list[int]:
        return [y for y in range(first.year, last.year + 1) if not self.is_known_year(y)]

    def _result(self, d: date, first: date, last: date) -> WorkdayResult:
        """`d`, computed from the calendar data of the days first..last."""
        if first.year == last.year and self.is_known_year(first.year):
            return WorkdayResult(d, False, [])
        unknown = self._unknown_years(first, last)
        if not unknown:
            return WorkdayResult(d, False, [])
        return WorkdayResult(d, True, [provisional_warning(y) for y in unknown])

    # -- queries -------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        days = self._workdays_of(d.year)
        o = d.toordinal()
        i = bisect_left(days, o)
        return i < len(days) and days[i] == o

    def add_workdays(self, start: date, n: int) -> WorkdayResult:
        """The n-th working day after `start` (day 1 is the first working day after it);
        n = 0 returns `start`; n < 0 counts back (-1 = last working day before it)."""
        if n == 0:
            return WorkdayResult(start, False, [])
        year = start.year
        days = self._workdays_of(year)
        o = start.toordinal()
        if n > 0:
            k = bisect_right(days, o) + n - 1
            if k < len(days):
                # Fast path: start + 1 and the result lie in the same year.
                d = date.fromordinal(days[k])
                if self.is_known_year(year):
                    return WorkdayResult(d, False, [])
                return WorkdayResult(d, True, [provisional_warning(year)])
            while k >= len(days):
                k -= len(days)
                year += 1
                days = self._workdays_of(year)
            d = date.fromordinal(days[k])
            return self._result(d, start + _ONE_DAY, d)
        k = bisect_left(days, o) + n
        while k < 0:
            year -= 1
            days = self._workdays_of(year)
            k += len(days)
        d = date.fromordinal(days[k])
        return self._result(d, d, start - _ONE_DAY)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (negative when b < a), so that
        workdays_between(a, add_workdays(a, n).date) == n."""
        if b < a:
            return -self.workdays_between(b, a)
        first = self._workdays_of(a.year)
        if a.year == b.year:
            return bisect_right(first, b.toordinal()) - bisect_right(first, a.toordinal())
        total = len(first) - bisect_right(first, a.toordinal())
        for year in range(a.year + 1, b.year):
            total += len(self._workdays_of(year))
        return total + bisect_right(self._workdays_of(b.year), b.toordinal())

    def provisional_years(self, a: date, b: date) -> list[int]:
        """Years between a and b whose holidays are not known."""
        return self._unknown_years(min(a, b), max(a, b))

    def next_workday(self, d: date) -> WorkdayResult:
        """`d` itself if it is a working day, else the first working day after it
        (民法典 art. 203: a period ending on a rest day ends on the day after the rest)."""
        if self.is_workday(d):
            return self._result(d, d, d)
        rolled = self.add_workdays(d, 1)
        if rolled.provisional or self.is_known_year(d.year):
            return rolled
        return self._result(rolled.date, d, rolled.date)

    def add_calendar_days(self, start: date, n: int, *, roll: bool = True) -> WorkdayResult:
        """start + n days; with `roll`, a due day that falls on a rest day moves to the next
        working day. n = 0 returns `start`."""
        if n == 0:
            return WorkdayResult(start, False, [])
        d = start + timedelta(days=n)
        return self.next_workday(d) if roll else WorkdayResult(d, False, [])

    def add_months(self, start: date, n: int, *, roll: bool = True) -> WorkdayResult:
        """The corresponding day n months later, or that month's last day when it has none
        (民法典 art. 202: Jan 31 + 1 month = Feb 28/29); rolled to a working day like
        `add_calendar_days`."""
        if n == 0:
            return WorkdayResult(start, False, [])
        d = shift_months(start, n)
        return self.next_workday(d) if roll else WorkdayResult(d, False, [])

    # -- display -------------------------------------------------------------------------

    def describe(self, d: date) -> tuple[str, str]:
        """(kind, note) for a calendar grid: kind is a `DayKind` value."""
        from .choices import DayKind

        workday = self.is_workday(d)
        note = self._notes.get(d, "")
        weekend = d.weekday() >= 5
        if workday:
            if not weekend:
                return DayKind.WORKDAY, note
            if not note and d in PACKAGE_WORKDAYS:
                note = _HOLIDAY_NAMES.get(PACKAGE_WORKDAYS[d], "")
            return DayKind.MAKEUP, note
        overridden = d in self._overrides
        if d in PACKAGE_HOLIDAYS and not overridden:
            return DayKind.HOLIDAY, note or _HOLIDAY_NAMES.get(PACKAGE_HOLIDAYS[d], "")
        if overridden and (note or not weekend):
            return DayKind.HOLIDAY, note
        return DayKind.WEEKEND, note


def shift_months(d: date, n: int) -> date:
    """Same day n months later, clamped to the month's end."""
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _stdlib_calendar.monthrange(year, month)[1]))


# -- the process-wide calendar -----------------------------------------------------------
#
# Loaded from the database once per process and reused. The save services invalidate it
# here and, after commit, change a token in Django's cache so other processes (workers)
# reload; each process looks at that token at most every RECHECK_SECONDS. The token lives in
# the cache rather than the database so the check never adds a query to a request.

RECHECK_SECONDS = 2.0
TOKEN_KEY = "workcalendar:token"

_lock = threading.Lock()
_current: WorkCalendar | None = None
_checked_at = 0.0


def _shared_token() -> object:
    from django.core.cache import cache

    return cache.get(TOKEN_KEY)


def current_calendar() -> WorkCalendar:
    global _current, _checked_at
    cal = _current
    now = time.monotonic()
    if cal is not None and now - _checked_at < RECHECK_SECONDS:
        return cal
    with _lock:
        token = _shared_token()
        cal = _current
        if cal is None or cal.token != token:
            # Read the token before the rows: a change committed in between only causes
            # one extra reload, never a stale calendar.
            cal = WorkCalendar.from_db(token)
            _current = cal
        _checked_at = now
    return cal


def invalidate(*, shared: bool = False) -> None:
    """Forget this process's calendar; with `shared`, make every process reload."""
    global _current
    _current = None
    if shared:
        from django.core.cache import cache

        cache.set(TOKEN_KEY, time.time_ns(), timeout=None)


def is_workday(d: date) -> bool:
    return current_calendar().is_workday(d)


def add_workdays(start: date, n: int) -> WorkdayResult:
    return current_calendar().add_workdays(start, n)


def workdays_between(a: date, b: date) -> int:
    return current_calendar().workdays_between(a, b)


def add_calendar_days(start: date, n: int, *, roll: bool = True) -> WorkdayResult:
    return current_calendar().add_calendar_days(start, n, roll=roll)


def add_months(start: date, n: int, *, roll: bool = True) -> WorkdayResult:
    return current_calendar().add_months(start, n, roll=roll)
