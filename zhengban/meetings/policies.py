"""Who may do what with meetings — the one module that decides it for this app's own rows.

Meetings and 议题 are kernel cases: reading them and taking their workflow's actions is the
kernel's access (`cases.access`, `cases.policies`); what is decided here are the rows the
kernel does not know:

- organising (scheduling meetings, notices, ordering 议题, minutes, decisions, 转督办):
  members of the division organising the meeting's type (秘书一处 / 秘书二处 from the seed);
- leaders' activities (领导活动安排): kept by the organising divisions' staff; seen by the
  office and city leaders, by those staff, and by the leader concerned;
- answering a notice: the leader addressed (or whom they delegated to), or a member of the
  unit invited to 列席;
- submitting a 议题: office staff of an internal unit (the kernel refuses the rest);
- the three administrators (三员) hold no business: they see and do none of it."""

from __future__ import annotations

from django.db.models import QuerySet

from zhengban.accounts.choices import LEADER_ROLES
from zhengban.cases.access import acts_externally
from zhengban.cases.policies import case_get_for, cases_visible_to, principal_ids

from .choices import MeetingState
from .models import Attendance, LeaderActivity, Meeting, MeetingType

OPEN_STATES = (MeetingState.PREPARING, MeetingState.NOTIFIED)


def _business(user) -> bool:
    return bool(user and user.is_authenticated and not user.is_admin_role)


def is_leader(user) -> bool:
    return _business(user) and user.has_role(*LEADER_ROLES)


def organiser_unit_ids() -> set[int]:
    return set(MeetingType.objects.filter(active=True).values_list("organiser_id", flat=True))


def is_organiser_staff(user) -> bool:
    """Staff of a division that organises meetings (秘书一处, 秘书二处 …)."""
    return (
        _business(user)
        and not acts_externally(user)
        and bool(set(user.unit_ids) & organiser_unit_ids())
    )


def types_organised_by(user) -> QuerySet[MeetingType]:
    if not _business(user) or acts_externally(user):
        return MeetingType.objects.none()
    return MeetingType.objects.filter(active=True, organiser_id__in=user.unit_ids)


def may_organise(user, meeting: Meeting) -> bool:
    return (
        _business(user)
        and not acts_externally(user)
        and meeting.case.owner_unit_id in user.unit_ids
    )


def may_see_types(user) -> bool:
    return _business(user)


def may_edit_types(user) -> bool:
    """The meeting types are kept by the organising divisions and the leaders; before any
    type exists, by the staff of the divisions the defaults name (秘书一处, 秘书二处)."""
    if not _business(user) or acts_externally(user):
        return False
    if is_leader(user) or is_organiser_staff(user):
        return True
    from zhengban.org.models import Unit

    from .services import DEFAULT_TYPES

    if MeetingType.objects.exists():
        return False
    named = {division for _name, division in DEFAULT_TYPES}
    return Unit.objects.filter(pk__in=user.unit_ids, name__in=named).exists()


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """The kernel's visibility of the meeting cases: the organiser, leaders, and those the
    notice reached (their tasks), nobody else."""
    cases = cases_visible_to(user).filter(case_type="meeting")
    return Meeting.objects.filter(case__in=cases)


def meeting_get_for(user, pk) -> Meeting:
    """404 whether missing or not visible (reveals nothing)."""
    from django.http import Http404

    try:
        meeting = Meeting.objects.select_related("case", "meeting_type").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    case_get_for(user, meeting.case_id)
    return meeting


def may_submit_agenda(user) -> bool:
    return _business(user) and not acts_externally(user) and bool(user.unit_ids)


def meetings_open_for_agenda(user) -> QuerySet[Meeting]:
    """Meetings still collecting 议题 (筹备, 已通知): office staff see their name and time to
    submit to them, though not the meeting itself."""
    if not may_submit_agenda(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(case__state__in=OPEN_STATES).order_by("starts_at")


def meeting_get_for_submission(user, pk) -> Meeting:
    from django.http import Http404

    try:
        return meetings_open_for_agenda(user).select_related("case", "meeting_type").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_respond(user, attendance: Attendance) -> bool:
    if not _business(user):
        return False
    if attendance.user_id is not None:
        return attendance.user_id in principal_ids(user)
    return attendance.unit_id in user.unit_ids


def may_manage_activities(user) -> bool:
    return is_organiser_staff(user)


def may_see_leaders_calendars(user) -> bool:
    """Choosing a leader's arrangements on the calendar: the leaders and organising staff."""
    return is_leader(user) or is_organiser_staff(user)


def activities_visible_to(user) -> QuerySet[LeaderActivity]:
    if not _business(user):
        return LeaderActivity.objects.none()
    if is_leader(user) or is_organiser_staff(user):
        return LeaderActivity.objects.all()
    return LeaderActivity.objects.filter(leader_id__in=principal_ids(user))
