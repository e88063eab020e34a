"""Writes of the meetings app: `<entity>_<verb>(*, …, actor)`, each in one transaction, each
appending to the meeting case's history (and so to the audit chain). The workflow steps of
meetings and 议题 are the kernel's (`cases.services.case_perform`); these are the rest."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.cases import notifications
from zhengban.cases.casetypes import case_type_or_none
from zhengban.cases.choices import TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Case, Task
from zhengban.cases.services import (
    append_event,
    audits_denials,
    bump,
    case_create,
    case_perform,
    lock_case,
    refuse,
)
from zhengban.org.models import Organization, Unit

from . import policies
from .choices import AttendanceResponse, MeetingState
from .models import AgendaItem, Attendance, Decision, LeaderActivity, Meeting, MeetingType
from .workflows import AGENDA_TYPE, MEETING_TYPE

# The six meeting types of issue 9 and the division of the 三定 that organises each: 秘书一处
# "负责市政府全体会议、市长办公会议等会议会务" (and the large meetings), 秘书二处 "负责市政府常务
# 会议、党组会议". 专题会议 and 分管领导办公会议 are among 秘书一处's "等会议".
DEFAULT_TYPES = (
    ("市政府全体会议", "秘书一处"),
    ("常务会议", "秘书二处"),
    ("市长办公会议", "秘书一处"),
    ("党组会议", "秘书二处"),
    ("专题会议", "秘书一处"),
    ("分管领导办公会议", "秘书一处"),
)
OPEN_STATES = (MeetingState.PREPARING, MeetingState.NOTIFIED)


def _refused(actor, target, what: str) -> PermissionRefused:
    refusal = PermissionRefused(_("您无权%(what)s。") % {"what": what})
    refusal.audit = (actor, target, what)
    return refusal


# --- meeting types -----------------------------------------------------------------------------


@transaction.atomic
def meeting_types_setup(*, organization: Organization) -> list[MeetingType]:
    """Create the default meeting types of an organization built from its 三定, each with the
    division named for it; types already there are kept, types whose division the
    organization lacks are skipped. Returns the types created."""
    units = {u.name: u for u in Unit.objects.filter(organization=organization, active=True)}
    created = []
    for order, (name, division) in enumerate(DEFAULT_TYPES):
        unit = units.get(division)
        if unit is None:
            continue
        kind, made = MeetingType.objects.get_or_create(
            organization=organization, name=name, defaults={"organiser": unit, "order": order}
        )
        if made:
            created.append(kind)
    return created


@audits_denials
@transaction.atomic
def meeting_type_save(
    *, actor, organization: Organization, name: str, organiser: Unit, kind=None, active=True
) -> MeetingType:
    """Add or change a meeting type (configurable per organization)."""
    if not policies.may_edit_types(actor):
        raise _refused(actor, kind, _("维护会议类型"))
    name = name.strip()
    if not name:
        raise GuardFailed(_("请填写会议类型名称。"))
    if organiser.organization_id != organization.pk:
        raise GuardFailed(_("承办处室须为本机关的内设机构。"))
    clash = MeetingType.objects.filter(organization=organization, name=name)
    if kind is not None:
        clash = clash.exclude(pk=kind.pk)
    if clash.exists():
        raise GuardFailed(_("会议类型“%(name)s”已存在。") % {"name": name})
    if kind is None:
        last = MeetingType.objects.filter(organization=organization).aggregate(m=Max("order"))
        kind = MeetingType(organization=organization, order=(last["m"] or 0) + 1)
    kind.name, kind.organiser, kind.active = name, organiser, active
    kind.save()
    from zhengban.audit.services import audit_record

    audit_record(actor=actor, action="meetings.type_save", target=kind, summary=name)
    return kind


# --- meetings ----------------------------------------------------------------------------------


def _check_times(starts_at, ends_at) -> None:
    if ends_at and starts_at and ends_at <= starts_at:
        raise GuardFailed(_("结束时间须晚于开始时间。"))


@audits_denials
@transaction.atomic
def meeting_schedule(
    *,
    actor,
    meeting_type: MeetingType,
    session: str,
    starts_at: datetime.datetime,
    venue: str,
    ends_at: datetime.datetime | None = None,
    chair=None,
    attendees=(),
    observers=(),
    notice_text: str = "",
    body: str = "",
) -> Meeting:
    """安排会议: a meeting case owned by the type's organising division."""
    _check_times(starts_at, ends_at)
    _check_leaders(chair, attendees)
    if not venue.strip():
        raise GuardFailed(_("请填写会议地点。"))
    session = session.strip()
    case = case_create(
        case_type=MEETING_TYPE,
        title=f"{session}{meeting_type.name}",
        body=body,
        owner_unit=meeting_type.organiser,
        actor=actor,
        detail={
            "meeting_type": meeting_type,
            "session": session,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "venue": venue.strip(),
            "chair": chair,
            "notice_text": notice_text,
        },
    )
    meeting = case.meeting
    _set_people(meeting, chair=chair, attendees=attendees, observers=observers)
    append_event(
        case, actor=actor, principal=actor, action="participants", data=_people_data(meeting)
    )
    return meeting


def _check_leaders(chair, attendees) -> None:
    from zhengban.accounts.choices import LEADER_ROLES

    people = [p for p in [chair, *attendees] if p is not None]
    if any(not p.has_role(*LEADER_ROLES) for p in people):
        raise GuardFailed(_("主持人和出席人员须为办公厅领导或市政府领导。"))


def _set_people(meeting: Meeting, *, chair, attendees, observers) -> None:
    people = list(attendees)
    if chair is not None and chair not in people:
        people.insert(0, chair)  # the chair attends
    meeting.attendees.set(people)
    meeting.observers.set(list(observers))


def _people_data(meeting: Meeting) -> dict:
    return {
        "chair": str(meeting.chair or ""),
        "attendees": [str(u) for u in meeting.attendees.all()],
        "observers": [u.name for u in meeting.observers.all()],
    }


@audits_denials
@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    version: int,
    session: str,
    starts_at,
    venue: str,
    ends_at=None,
    chair=None,
    attendees=(),
    observers=(),
    notice_text: str = "",
) -> Meeting:
    """Change the arrangements while the meeting is in preparation (before the notice)."""
    case = lock_case(meeting.case, version)
    if not policies.may_organise(actor, meeting):
        raise refuse(actor, case, _("修改会议安排"))
    if case.state != MeetingState.PREPARING:
        raise GuardFailed(_("会议通知已发出，不能再修改会议安排。"))
    _check_times(starts_at, ends_at)
    _check_leaders(chair, attendees)
    if not venue.strip():
        raise GuardFailed(_("请填写会议地点。"))
    meeting.session = session.strip()
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.venue, meeting.chair, meeting.notice_text = venue.strip(), chair, notice_text
    meeting.save()
    _set_people(meeting, chair=chair, attendees=attendees, observers=observers)
    case.title = meeting.name
    append_event(
        case, actor=actor, principal=actor, action="participants", data=_people_data(meeting)
    )
    bump(case, "title")
    meeting.case = case
    return meeting


# --- 议题 ----------------------------------------------------------------------------------------


@audits_denials
@transaction.atomic
def agenda_submit(
    *, actor, meeting: Meeting, title: str, owner_unit: Unit, body: str = "", presenter: str = ""
) -> Case:
    """A unit submits a 议题 to a meeting: the case is created and sent for review at once."""
    if not policies.may_submit_agenda(actor):
        raise _refused(actor, meeting.case, _("提交议题"))
    if meeting.case.state not in OPEN_STATES:
        raise GuardFailed(_("会议已召开或已取消，不能再提交议题。"))
    case = case_create(
        case_type=AGENDA_TYPE,
        title=title,
        body=body,
        owner_unit=owner_unit,
        actor=actor,
        sensitivity=meeting.case.sensitivity,
        # No parent: the submitting unit does not read the meeting's case (the kernel's 派生
        # requires it); the 议题 names its meeting in its detail row.
        detail={"meeting": meeting, "presenter": presenter.strip()},
    )
    return case_perform(case=case, action_code="submit", actor=actor, version=case.version)


@audits_denials
@transaction.atomic
def agenda_reorder(*, actor, meeting: Meeting, version: int, order: list[int]) -> Meeting:
    """The office orders the accepted 议题: `order` lists every accepted item's id."""
    case = lock_case(meeting.case, version)
    if not policies.may_organise(actor, meeting):
        raise refuse(actor, case, _("调整议题顺序"))
    if case.state not in OPEN_STATES:
        raise GuardFailed(_("会议已召开或已取消，不能再调整议题顺序。"))
    items = {i.pk: i for i in AgendaItem.objects.filter(meeting=meeting, case__state="accepted")}
    if sorted(order) != sorted(items) or len(set(order)) != len(order):
        raise GuardFailed(_("议题顺序须列出全部已采纳的议题，各一次。"))
    for position, pk in enumerate(order, start=1):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="agenda_order",
        data={"order": [items[pk].case.number for pk in order]},
    )
    bump(case)
    return meeting


# --- notice answers ----------------------------------------------------------------------------


@audits_denials
@transaction.atomic
def attendance_respond(
    *,
    actor,
    attendance: Attendance,
    response: str,
    attendee_name: str = "",
    substitute: str = "",
    reason: str = "",
) -> Attendance:
    """An addressee answers the notice: attends (a unit names who comes), or names a
    substitute (代会: who and why), or sends an apology (请假, why). Their task closes."""
    meeting = attendance.meeting
    case = lock_case(meeting.case)
    if not policies.may_respond(actor, attendance):
        raise refuse(actor, case, _("确认参会"))
    if case.state != MeetingState.NOTIFIED:
        raise GuardFailed(_("会议已召开或已取消，不能再确认参会。"))
    if response not in AttendanceResponse.values or response == AttendanceResponse.PENDING:
        raise GuardFailed(_("请选择参会情况。"))
    substitute, reason, attendee_name = substitute.strip(), reason.strip(), attendee_name.strip()
    if response == AttendanceResponse.SUBSTITUTE and not substitute:
        raise GuardFailed(_("请填写代会人员。"))
    if response in (AttendanceResponse.SUBSTITUTE, AttendanceResponse.ABSENT) and not reason:
        raise GuardFailed(_("请填写不能出席的事由。"))
    if response == AttendanceResponse.ATTEND and attendance.unit_id and not attendee_name:
        raise GuardFailed(_("请填写列席人员。"))
    for name, value in (("substitute", substitute), ("reason", reason)):
        limit = Attendance._meta.get_field(name).max_length
        if len(value) > limit:
            raise GuardFailed(_("填写内容过长。"))
    attendance.response = response
    attendance.attendee_name = attendee_name[:60] if response == AttendanceResponse.ATTEND else ""
    attendance.substitute = substitute if response == AttendanceResponse.SUBSTITUTE else ""
    attendance.reason = reason if response != AttendanceResponse.ATTEND else ""
    attendance.responded_by = actor
    attendance.responded_at = timezone.now()
    attendance.save()
    if attendance.task_id:
        Task.objects.filter(pk=attendance.task_id, state=TaskState.OPEN).update(
            state=TaskState.DONE, completed_by=actor, completed_at=timezone.now()
        )
    label = AttendanceResponse(response).label
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="attendance",
        comment=reason,
        data={
            "addressee": attendance.addressee,
            "response": response,
            "substitute": attendance.substitute,
        },
    )
    bump(case)
    message = _("%(who)s：%(answer)s（%(meeting)s）") % {
        "who": attendance.addressee,
        "answer": label + (f" {attendance.substitute}" if attendance.substitute else ""),
        "meeting": meeting.name,
    }
    notifications.notify([case.creator], case=case, kind="meeting", message=message)
    return attendance


# --- minutes and decisions ---------------------------------------------------------------------


def _organising(actor, meeting: Meeting, what: str, version: int | None = None) -> Case:
    case = lock_case(meeting.case, version)
    if not policies.may_organise(actor, meeting):
        raise refuse(actor, case, what)
    return case


@audits_denials
@transaction.atomic
def minutes_save(*, actor, meeting: Meeting, version: int, text: str) -> Meeting:
    """Draft the minutes (纪要) once the notice is out; fixed once they are issued."""
    case = _organising(actor, meeting, _("起草会议纪要"), version)
    if case.state not in (MeetingState.NOTIFIED, MeetingState.HELD):
        raise GuardFailed(_("当前状态下不能修改会议纪要。"))
    if len(text) > 200_000:
        raise GuardFailed(_("纪要过长。"))
    meeting.minutes = text
    meeting.save(update_fields=["minutes"])
    append_event(case, actor=actor, principal=actor, action="minutes", data={"chars": len(text)})
    bump(case)
    return meeting


@audits_denials
@transaction.atomic
def decision_add(
    *,
    actor,
    meeting: Meeting,
    text: str,
    lead_unit: Unit,
    co_units=(),
    due_date: datetime.date | None = None,
    agenda_item: AgendaItem | None = None,
) -> Decision:
    """Record an 议定事项 of the minutes."""
    case = _organising(actor, meeting, _("记录议定事项"))
    if case.state != MeetingState.HELD:
        raise GuardFailed(_("会议召开后、纪要印发前方可记录议定事项。"))
    text = text.strip()
    if not text:
        raise GuardFailed(_("请填写议定事项。"))
    if len(text) > 5000:
        raise GuardFailed(_("议定事项过长。"))
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise GuardFailed(_("所属议题不是本次会议的议题。"))
    last = meeting.decisions.aggregate(m=Max("position"))["m"]
    decision = Decision.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        position=(last or 0) + 1,
        text=text,
        lead_unit=lead_unit,
        due_date=due_date,
        created_by=actor,
    )
    decision.co_units.set(co_units)
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="decision",
        data={
            "text": text[:200],
            "lead_unit": lead_unit.name,
            "co_units": [u.name for u in co_units],
        },
    )
    bump(case)
    return decision


@audits_denials
@transaction.atomic
def decision_remove(*, actor, decision: Decision) -> None:
    case = _organising(actor, decision.meeting, _("删除议定事项"))
    if case.state != MeetingState.HELD or decision.supervision_case_id:
        raise GuardFailed(_("已转督办或纪要已印发的议定事项不能删除。"))
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="decision_remove",
        data={"text": decision.text[:200]},
    )
    decision.delete()
    bump(case)


def supervision_available() -> bool:
    return case_type_or_none("supervision") is not None


@audits_denials
@transaction.atomic
def decision_to_supervision(*, actor, decision: Decision) -> Case:
    """转督办: the decision becomes a supervision item in one step (its lead and co-units,
    its deadline, the meeting as its source, the 议题's or the meeting's case as parent)."""
    meeting = decision.meeting
    case = _organising(actor, meeting, _("转督办"))
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.supervision_case_id:
        raise GuardFailed(_("该议定事项已转督办。"))
    if case.state not in (MeetingState.HELD, MeetingState.MINUTES_ISSUED):
        raise GuardFailed(_("会议召开后方可转督办。"))
    if not supervision_available():
        raise GuardFailed(_("督查督办功能尚未启用。"))
    from zhengban.supervision.services import open_item

    parent = decision.agenda_item.case if decision.agenda_item_id else case
    first_line = decision.text.strip().splitlines()[0]
    title = first_line if len(first_line) <= 80 else first_line[:79] + "…"
    item = open_item(
        actor=actor,
        title=title,
        body=decision.text,
        lead_unit=decision.lead_unit,
        co_units=list(decision.co_units.all()),
        due_date=decision.due_date,
        source_kind="meeting",
        source_label=meeting.name,
        parent=parent,
    )
    decision.supervision_case = item
    decision.save(update_fields=["supervision_case"])
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="decision_supervise",
        data={"text": decision.text[:200], "item": item.number},
    )
    bump(case)
    return item


def minutes_document_text(meeting: Meeting) -> str:
    """The 纪要's body: the minutes, then the 议定事项 numbered as 纪要 list them."""
    parts = [meeting.minutes.strip()]
    decisions = list(meeting.decisions.select_related("lead_unit").prefetch_related("co_units"))
    if decisions:
        parts.append(_("会议议定以下事项："))
        for n, d in enumerate(decisions, start=1):
            units = _("由%(lead)s牵头") % {"lead": d.lead_unit.name}
            co = "、".join(u.name for u in d.co_units.all())
            if co:
                units += _("，%(co)s配合") % {"co": co}
            due = (
                _("，%(date)s前完成") % {"date": f"{d.due_date:%Y年%-m月%-d日}"}
                if d.due_date
                else ""
            )
            parts.append(f"{_chinese(n)}、{d.text.strip()}（{units}{due}）")
    return "\n".join(p for p in parts if p)


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def minutes_outgoing(*, meeting: Meeting, actor) -> Case | None:
    """印发纪要 starts a 发文 in the 纪要 文种, prefilled with the minutes (None until the 发文
    case type is registered). Called inside the meeting's 印发纪要 step."""
    outgoing_type = case_type_or_none("outgoing")
    if outgoing_type is None:
        return None
    case = meeting.case
    # The 发文 is derived from the meeting where 发文 accepts meetings as a source; the link
    # is kept on the meeting either way.
    parent = case if outgoing_type.accepts(MEETING_TYPE) else None
    outgoing = case_create(
        case_type="outgoing",
        title=_("%(meeting)s纪要") % {"meeting": meeting.name},
        body=minutes_document_text(meeting),
        owner_unit=case.owner_unit,
        actor=actor,
        sensitivity=case.sensitivity,
        parent=parent,
        detail={"doc_type": "纪要"},
    )
    Meeting.objects.filter(pk=meeting.pk).update(minutes_case=outgoing)
    return outgoing


# --- leaders' activities -----------------------------------------------------------------------


@audits_denials
@transaction.atomic
def activity_create(
    *, actor, leader, title: str, starts_at, ends_at=None, place: str = ""
) -> LeaderActivity:
    """领导活动安排, kept by the organising divisions' staff."""
    if not policies.may_manage_activities(actor):
        raise _refused(actor, None, _("安排领导活动"))
    from zhengban.accounts.choices import LEADER_ROLES

    if not leader.has_role(*LEADER_ROLES):
        raise GuardFailed(_("领导活动须安排给办公厅领导或市政府领导。"))
    title = title.strip()
    if not title:
        raise GuardFailed(_("请填写活动内容。"))
    _check_times(starts_at, ends_at)
    activity = LeaderActivity.objects.create(
        leader=leader,
        title=title[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:100],
        created_by=actor,
    )
    from zhengban.audit.services import audit_record

    audit_record(actor=actor, action="meetings.activity_create", target=activity, summary=title)
    return activity


@audits_denials
@transaction.atomic
def activity_delete(*, actor, activity: LeaderActivity) -> None:
    if not policies.may_manage_activities(actor):
        raise _refused(actor, activity, _("删除领导活动"))
    from zhengban.audit.services import audit_record

    audit_record(
        actor=actor, action="meetings.activity_delete", target=activity, summary=activity.title
    )
    activity.delete()
