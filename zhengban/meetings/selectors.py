"""Reads of the meetings app: what a page shows, starting from the policies (the kernel's
visibility for meetings and 议题, `policies.activities_visible_to` for activities)."""

from __future__ import annotations

import calendar as _calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import LEADER_ROLES
from zhengban.accounts.models import User
from zhengban.cases.policies import cases_visible_to, principal_ids
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

from . import policies
from .choices import MeetingState
from .models import AgendaItem, Attendance, Meeting


def leaders() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role_grants__role__in=LEADER_ROLES)
        .distinct()
        .order_by("pk")
    )


def units_for_meetings() -> QuerySet[Unit]:
    """Units a meeting may invite or a decision may name: the office's own and the external
    handling units (市直部门, 区县政府)."""
    # "internal" > "extra" > "external": the office's own divisions first.
    return Unit.objects.filter(active=True).order_by("-kind", "order", "pk")


def meeting_list(user, *, past: bool = False, limit: int = 50) -> list[Meeting]:
    now = timezone.now() - datetime.timedelta(hours=12)
    rows = policies.meetings_visible_to(user).select_related(
        "case", "meeting_type__organiser", "chair"
    )
    if past:
        rows = rows.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        rows = rows.filter(starts_at__gte=now).order_by("starts_at")
    return list(rows[:limit])


def agenda_items(user, meeting: Meeting) -> list[AgendaItem]:
    """The 议题 of the meeting the user may see (the organiser: every submitted one)."""
    visible = cases_visible_to(user).filter(case_type="agenda_item")
    return list(
        AgendaItem.objects.filter(meeting=meeting, case__in=visible)
        .select_related("case", "case__owner_unit", "case__creator")
        .order_by("position", "case_id")
    )


def attendances(meeting: Meeting) -> list[Attendance]:
    return list(
        meeting.attendances.select_related("user", "unit", "responded_by").order_by("role", "pk")
    )


def attendances_for(user, meeting: Meeting) -> list[Attendance]:
    """The notice's rows this user answers (their own, their units')."""
    if not user.is_authenticated:
        return []
    mine = Q(user_id__in=principal_ids(user)) | Q(unit_id__in=user.unit_ids)
    return list(meeting.attendances.filter(mine).select_related("user", "unit"))


def decisions(meeting: Meeting):
    return list(
        meeting.decisions.select_related("lead_unit", "supervision_case", "agenda_item__case")
        .prefetch_related("co_units")
        .order_by("position", "pk")
    )


# --- the calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str  # "meeting" or "activity"
    pk: int
    title: str
    start: datetime.datetime
    end: datetime.datetime | None
    place: str
    url: str
    who: str = ""
    cancelled: bool = False

    @property
    def day(self) -> datetime.date:
        return timezone.localtime(self.start).date()


def _bounds(first: datetime.date, last: datetime.date):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def entries(
    user, first: datetime.date, last: datetime.date, *, leader=None, own: bool = False
) -> list[Entry]:
    """Meetings and leaders' activities between the two days the user may see: all of them,
    or one leader's (`leader`), or the user's own (`own`: meetings they attend, their units
    are invited to or organise, and their activities)."""
    start, end = _bounds(first, last)
    meetings = policies.meetings_visible_to(user).filter(starts_at__gte=start, starts_at__lt=end)
    activities = policies.activities_visible_to(user).filter(
        starts_at__gte=start, starts_at__lt=end
    )
    if leader is not None:
        meetings = meetings.filter(Q(attendees=leader) | Q(chair=leader))
        activities = activities.filter(leader=leader)
    elif own:
        ids = principal_ids(user)
        units = list(user.unit_ids)
        meetings = meetings.filter(
            Q(attendees__in=ids)
            | Q(chair__in=ids)
            | Q(observers__in=units)
            | Q(case__owner_unit__in=units)
        )
        activities = activities.filter(leader_id__in=ids)
    found = [
        Entry(
            "meeting",
            m.pk,
            m.name,
            m.starts_at,
            m.ends_at,
            m.venue,
            reverse("meetings:detail", args=[m.pk]),
            who=str(m.chair or ""),
            cancelled=m.case.state == MeetingState.CANCELLED,
        )
        for m in meetings.select_related("case", "meeting_type", "chair").distinct()
    ]
    found += [
        Entry(
            "activity",
            a.pk,
            a.title,
            a.starts_at,
            a.ends_at,
            a.place,
            "",
            who=str(a.leader),
        )
        for a in activities.select_related("leader")
    ]
    return sorted(found, key=lambda e: (e.start, e.kind, e.pk))


def month_grid(year: int, month: int) -> list[list[datetime.date]]:
    return _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def week_days(day: datetime.date) -> list[datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return [monday + datetime.timedelta(days=i) for i in range(7)]


def external_units() -> QuerySet[Unit]:
    return Unit.objects.filter(active=True, kind=UnitKind.EXTERNAL)
