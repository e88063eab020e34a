"""Writes to the calendar tables. Each write invalidates the cached calendar here at once
and, after commit, in every other process (see calendar.current_calendar)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhengban.audit.services import audit_record
from zhengban.security.validation import MAX_DATE

from . import calendar
from .models import CalendarOverride, CalendarYear
from .policies import can_edit_calendar

# The years the calendar may be adjusted for: from the first year of the package's data (no
# earlier deadline is computed) to the last date the office's business can mean.
FIRST_YEAR = calendar.PACKAGE_FIRST_YEAR
LAST_YEAR = MAX_DATE.year
NOTE_MAX_LENGTH = CalendarOverride._meta.get_field("note").max_length
SOURCE_MAX_LENGTH = CalendarYear._meta.get_field("source").max_length


def _check(actor) -> None:
    # actor None = the system itself (migrations, management commands run by an operator).
    if actor is not None and not can_edit_calendar(actor):
        raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))


def _check_year(year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {
                field: _("只能调整%(first)d年至%(last)d年的工作日历。")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )


def _check_length(value: str, limit: int, field: str) -> None:
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("不能超过%(limit_value)d个字（现为%(show_value)d个字）。")
                % {"limit_value": limit, "show_value": len(value)}
            }
        )


# Called as (first, last, actor) after the calendar changed between those dates, in the
# same transaction: the case kernel moves the stored due dates the change affects.
_LISTENERS: list = []


def register_change_listener(listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def _changed(first: date, last: date, actor) -> None:
    calendar.invalidate()
    transaction.on_commit(lambda: calendar.invalidate(shared=True))
    for listener in _LISTENERS:
        listener(first, last, actor)


def _whole(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@transaction.atomic
def calendar_override_set(
    *, date: date, is_workday: bool, note: str = "", actor
) -> CalendarOverride:
    """Make `date` a working day or a rest day, whatever the package says."""
    _check(actor)
    _check_year(date.year, "date")
    _check_length(note, NOTE_MAX_LENGTH, "note")
    old = CalendarOverride.objects.select_for_update().filter(date=date).first()
    changes = {"is_workday": [old.is_workday if old else None, is_workday]}
    if old is None:
        override = CalendarOverride.objects.create(
            date=date, is_workday=is_workday, note=note, updated_by=actor
        )
    else:
        if old.note != note:
            changes["note"] = [old.note, note]
        old.is_workday, old.note, old.updated_by = is_workday, note, actor
        old.save(update_fields=["is_workday", "note", "updated_by", "updated_at"])
        override = old
    audit_record(
        actor=actor,
        action="workcalendar.override_set",
        target=override,
        summary=str(override),
        changes=changes,
    )
    _changed(override.date, override.date, actor)
    return override


@transaction.atomic
def calendar_override_delete(*, override: CalendarOverride, actor) -> None:
    _check(actor)
    summary = str(override)
    audit_record(
        actor=actor,
        action="workcalendar.override_delete",
        target=override,
        summary=summary,
        changes={"is_workday": [override.is_workday, None]},
    )
    override.delete()
    _changed(override.date, override.date, actor)


@transaction.atomic
def calendar_year_set(*, year: int, complete: bool, source: str = "", actor) -> CalendarYear:
    """Mark whether the overrides hold the whole holiday notice of `year`."""
    _check(actor)
    _check_year(year, "year")
    _check_length(source, SOURCE_MAX_LENGTH, "source")
    row, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"complete": complete, "source": source, "updated_by": actor}
    )
    changes = {"complete": [None if created else row.complete, complete]}
    if not created:
        row.complete, row.source, row.updated_by = complete, source or row.source, actor
        row.save(update_fields=["complete", "source", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action="workcalendar.year_set",
        target=row,
        summary=f"{year} {source}".strip(),
        changes=changes,
    )
    _changed(*_whole(year), actor)
    return row


@transaction.atomic
def calendar_year_delete(*, row: CalendarYear, actor) -> None:
    """Forget that a year is complete (its overrides stay; dates become provisional)."""
    _check(actor)
    audit_record(
        actor=actor,
        action="workcalendar.year_delete",
        target=row,
        summary=str(row.year),
        changes={"complete": [row.complete, None]},
    )
    row.delete()
    _changed(*_whole(row.year), actor)


@transaction.atomic
def calendar_year_publish(
    *,
    year: int,
    rest_days: list[date],
    workdays: list[date],
    source: str,
    note: str = "",
    actor,
) -> CalendarYear:
    """Enter a year's holiday notice in one step: its holidays (放假) and make-up working
    days (调休上班) replace that year's overrides, and the year is marked complete."""
    _check(actor)
    _check_year(year, "year")
    _check_length(source, SOURCE_MAX_LENGTH, "source")
    _check_length(note, NOTE_MAX_LENGTH, "note")
    rest, work = set(rest_days), set(workdays)
    wrong = sorted(d for d in rest | work if d.year != year)
    if wrong:
        raise ValidationError(
            _("日期%(date)s不属于%(year)d年。") % {"date": wrong[0].isoformat(), "year": year}
        )
    both = sorted(rest & work)
    if both:
        raise ValidationError(_("%(date)s不能既放假又上班。") % {"date": both[0].isoformat()})
    removed = CalendarOverride.objects.filter(date__year=year).delete()[0]
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=d, is_workday=False, note=note, updated_by=actor) for d in rest]
        + [CalendarOverride(date=d, is_workday=True, note=note, updated_by=actor) for d in work]
    )
    row, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"complete": True, "source": source, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action="workcalendar.year_publish",
        target=row,
        summary=f"{year} {source}".strip(),
        changes={
            "rest_days": sorted(d.isoformat() for d in rest),
            "workdays": sorted(d.isoformat() for d in work),
            "replaced": removed,
        },
    )
    _changed(*_whole(year), actor)
    return row
