"""Reads for the calendar page."""

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from .calendar import PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR, WorkCalendar, current_calendar
from .models import CalendarOverride, CalendarYear


@dataclass(frozen=True)
class DayCell:
    date: date
    kind: str
    note: str
    today: bool


@dataclass(frozen=True)
class MonthGrid:
    year: int
    month: int
    weeks: list[list[DayCell | None]]  # Monday first; None pads the first and last week
    workdays: int
    provisional: bool
    previous: date
    next: date


def month_grid(year: int, month: int, *, today: date, calendar: WorkCalendar | None = None):
    cal = calendar or current_calendar()
    weeks = []
    workdays = 0
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for d in week:
            if d.month != month:
                row.append(None)
                continue
            kind, note = cal.describe(d)
            workdays += cal.is_workday(d)
            row.append(DayCell(d, kind, note, d == today))
        weeks.append(row)
    first = date(year, month, 1)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return MonthGrid(
        year, month, weeks, workdays, not cal.is_known_year(first.year), previous, following
    )


def calendar_years():
    """Years the override table covers, with their source notice."""
    return CalendarYear.objects.select_related("updated_by").order_by("-year")


def package_range() -> tuple[int, int]:
    return PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR


def overrides_of_year(year: int) -> list[CalendarOverride]:
    """A year's adjustments in date order, with who set each (one query)."""
    return list(
        CalendarOverride.objects.filter(date__year=year)
        .select_related("updated_by")
        .order_by("date")
    )


def override_get(pk: int) -> CalendarOverride | None:
    return CalendarOverride.objects.select_related("updated_by").filter(pk=pk).first()


def override_on(day: date) -> CalendarOverride | None:
    return CalendarOverride.objects.filter(date=day).first()


def calendar_year_of(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()
