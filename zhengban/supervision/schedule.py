"""The reporting schedule of a supervision item: which progress reports are due when, and
which of them the lead unit has made. Pure functions over dates; nothing here reads the
database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from .choices import Cadence

WEEKDAY = 4  # weekly reports are due on Fridays
MONTH_DAY = 25  # monthly reports by the 25th (本办惯例: 每月25日前报送)


def report_dates(
    cadence: str,
    start: datetime.date,
    due: datetime.date | None,
    milestones: Iterable[datetime.date] = (),
) -> list[datetime.date]:
    """The dates progress reports are due, after `start` and before the final `due`."""
    if due is None or due <= start:
        return []
    dates: list[datetime.date] = []
    if cadence == Cadence.WEEKLY:
        day = start + datetime.timedelta(days=(WEEKDAY - start.weekday()) % 7 or 7)
        while day < due:
            dates.append(day)
            day += datetime.timedelta(days=7)
    elif cadence == Cadence.MONTHLY:
        year, month = start.year, start.month
        if start.day >= MONTH_DAY:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        while True:
            day = datetime.date(year, month, MONTH_DAY)
            if day >= due:
                break
            dates.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif cadence == Cadence.MILESTONES:
        dates = sorted({d for d in milestones if start < d < due})
    return dates


def next_due(
    dates: list[datetime.date], start: datetime.date, reported: Iterable[datetime.date]
) -> datetime.date | None:
    """The first scheduled date the reports made (their dates, returned ones left out) do
    not cover. A date is covered by one report made after the previous scheduled date
    (a late report still covers it); two reports in one period cover one date."""
    reports = sorted(reported)
    i = 0
    previous = start - datetime.timedelta(days=1)
    for day in dates:
        while i < len(reports) and reports[i] <= previous:
            i += 1
        if i >= len(reports):
            return day
        i += 1
        previous = day
    return None
