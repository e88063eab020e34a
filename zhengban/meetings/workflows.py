"""The two case types of the app, declared through the kernel.

会议 ("meeting"), owned by the division organising its type:

    筹备 → 发出会议通知 → 已通知 → 会议召开 → 已召开 → 印发纪要 → 已印发纪要
      └──────── 取消会议 (with a reason) ────────┘ → 已取消

议题 ("agenda_item"), owned by the unit submitting it, reviewed by the meeting's organiser:

    起草 → 提交 → 审核 → 采纳 → 已采纳 → (the meeting is held) → 已上会
            ↑      ├─ 退回修改 (reason) → 起草
            │      └─ 不予采纳 (reason) → 未采纳
            └─ 撤回议题 → 已撤回

Why these are cases, not plain rows: see README.md."""

from __future__ import annotations

from django import forms
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.cases import todo
from zhengban.cases.access import register_relation
from zhengban.cases.casetypes import CaseType, Column, Panel
from zhengban.cases.choices import TaskKind
from zhengban.cases.workflow import (
    Action,
    Effect,
    Guard,
    Permit,
    Relation,
    State,
    StateTask,
    Workflow,
)

from .choices import AttendanceRole, MeetingState
from .models import AgendaItem, Attendance, Meeting, MeetingType

MEETING_TYPE = "meeting"
AGENDA_TYPE = "agenda_item"
ATTENDANCE_NOTE = _("会议通知：请确认参会，或告知代会人员")

# --- the organiser of a 议题's meeting ---------------------------------------------------------


def _organiser_unit_id(access) -> int | None:
    """The division organising the meeting the case belongs to, cached on the access object."""
    if not hasattr(access, "_meeting_organiser"):
        case = access.case
        if case.case_type == MEETING_TYPE:
            access._meeting_organiser = case.owner_unit_id
        else:
            access._meeting_organiser = (
                AgendaItem.objects.filter(case_id=case.pk)
                .values_list("meeting__case__owner_unit_id", flat=True)
                .first()
            )
    return access._meeting_organiser


register_relation(
    "meeting_organiser",
    _("会议承办处室人员"),
    lambda access, p: not p.external and _organiser_unit_id(access) in p.unit_ids,
)
ORGANISER = (Permit(relation="meeting_organiser"),)
OWNER = (Permit(relation=Relation.OWNER_UNIT_MEMBER),)
CREATOR = (Permit(relation=Relation.CREATOR),)

# --- effects and guards: 议题 --------------------------------------------------------------------


def _agenda(case) -> AgendaItem:
    return AgendaItem.objects.select_related("meeting__case").get(case=case)


def open_review_task() -> Effect:
    """The submitted 议题 is in the organising division's 待办 for review (审核)."""

    def apply(ctx) -> None:
        meeting_case = _agenda(ctx.case).meeting.case
        row = todo.unit_task(
            ctx.case,
            meeting_case.owner_unit,
            TaskKind.REVIEW,
            requested_by=ctx.actor,
            seq=ctx.seq,
            state_code="reviewing",
        )
        tasks = todo.tasks_open(ctx.case, [row])
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in tasks)

    return Effect(apply, _("送会议承办处室审核"), undoable=True)


def place_last() -> Effect:
    """An accepted 议题 joins the end of the meeting's order; the office may reorder."""

    def apply(ctx) -> None:
        item = _agenda(ctx.case)
        last = AgendaItem.objects.filter(meeting=item.meeting).aggregate(m=Max("position"))["m"]
        item.position = (last or 0) + 1
        item.save(update_fields=["position"])
        ctx.event_data["position"] = item.position

    def undo(case, data, actor) -> None:
        AgendaItem.objects.filter(case=case).update(position=None)

    return Effect(apply, _("列入会议议程"), undo=undo)


def _meeting_open(ctx) -> bool:
    return _agenda(ctx.case).meeting.case.state in (MeetingState.PREPARING, MeetingState.NOTIFIED)


MEETING_OPEN = Guard(_meeting_open, _("会议已召开或已取消，不能再提交或采纳议题。"))

AGENDA_WORKFLOW = Workflow(
    case_type=AGENDA_TYPE,
    label=_("会议议题"),
    number_prefix="议",
    initial="draft",
    states=(
        State(
            "draft",
            _("起草"),
            task=StateTask(TaskKind.DRAFT, "creator"),
            expected="submit",
            editable=frozenset({"title", "body", "attachments", "presenter"}),
        ),
        State("reviewing", _("审核"), expected="accept"),
        State("accepted", _("已采纳"), expected="conclude"),
        State("discussed", _("已上会"), final=True),
        State("rejected", _("未采纳"), final=True),
        State("withdrawn", _("已撤回"), final=True),
    ),
    actions=(
        Action(
            "submit",
            _("提交议题"),
            source=("draft",),
            target="reviewing",
            permits=CREATOR,
            guards=(MEETING_OPEN,),
            effects=(open_review_task(),),
        ),
        Action(
            "accept",
            _("采纳"),
            source=("reviewing",),
            target="accepted",
            permits=ORGANISER,
            guards=(MEETING_OPEN,),
            effects=(place_last(),),
        ),
        Action(
            "return",
            _("退回修改"),
            source=("reviewing",),
            target="draft",
            permits=ORGANISER,
            comment_required=True,
            comment_label=_("退回理由"),
        ),
        Action(
            "reject",
            _("不予采纳"),
            source=("reviewing",),
            target="rejected",
            permits=ORGANISER,
            comment_required=True,
            comment_label=_("不予采纳的理由"),
        ),
        Action(
            "conclude",
            _("已上会"),
            source=("accepted",),
            target="discussed",
            permits=ORGANISER,
        ),
        Action(
            "drop",
            _("撤回议题"),
            source=("draft",),
            target="withdrawn",
            permits=CREATOR,
        ),
    ),
)

# --- effects and guards: the meeting ------------------------------------------------------------


def _meeting(case) -> Meeting:
    return Meeting.objects.select_related("meeting_type").get(case=case)


def send_notice() -> Effect:
    """The notice reaches each attendee (a person's task) and each unit invited to 列席 (the
    unit's task): each confirms or names a substitute (代会)."""

    def apply(ctx) -> None:
        meeting = _meeting(ctx.case)
        rows, tasks = [], []
        for user in meeting.attendees.all():
            rows.append(Attendance(meeting=meeting, role=AttendanceRole.ATTEND, user=user))
            tasks.append(
                todo.person_task(
                    ctx.case,
                    user,
                    TaskKind.ATTEND,
                    requested_by=ctx.actor,
                    seq=ctx.seq,
                    state_code="notified",
                    note=str(ATTENDANCE_NOTE),
                )
            )
        for unit in meeting.observers.all():
            rows.append(Attendance(meeting=meeting, role=AttendanceRole.OBSERVE, unit=unit))
            tasks.append(
                todo.unit_task(
                    ctx.case,
                    unit,
                    TaskKind.ATTEND,
                    requested_by=ctx.actor,
                    seq=ctx.seq,
                    state_code="notified",
                    note=str(ATTENDANCE_NOTE),
                )
            )
        opened = todo.tasks_open(ctx.case, tasks)
        for row, task in zip(rows, opened, strict=True):
            row.task = task
        Attendance.objects.bulk_create(rows)
        ctx.event_data.setdefault("task_ids", []).extend(t.pk for t in opened)
        ctx.event_data["notified"] = [str(r.user or r.unit) for r in rows]

    def undo(case, data, actor) -> None:
        Attendance.objects.filter(meeting__case=case).delete()

    return Effect(apply, _("向参会领导和列席单位发出会议通知"), undo=undo)


def conclude_items() -> Effect:
    """Held: the accepted 议题 were discussed (已上会)."""

    def apply(ctx) -> None:
        from zhengban.cases.services import case_perform

        items = AgendaItem.objects.filter(
            meeting__case=ctx.case, case__state="accepted"
        ).select_related("case")
        for item in items:
            case_perform(
                case=item.case, action_code="conclude", actor=ctx.actor, version=item.case.version
            )
        ctx.event_data["discussed"] = [item.case.number for item in items]

    return Effect(apply, _("已采纳的议题记为已上会"))


def start_minutes_document() -> Effect:
    """印发纪要: a 发文 in the 纪要 文种, prefilled with the minutes, when 发文 exists."""

    def apply(ctx) -> None:
        from .services import minutes_outgoing

        meeting = _meeting(ctx.case)
        outgoing = minutes_outgoing(meeting=meeting, actor=ctx.actor)
        if outgoing is not None:
            ctx.event_data["outgoing"] = outgoing.number

    return Effect(apply, _("起草纪要发文"))


def _has_attendees(ctx) -> bool:
    meeting = _meeting(ctx.case)
    return meeting.attendees.exists() or meeting.observers.exists()


def _has_minutes(ctx) -> bool:
    return bool(_meeting(ctx.case).minutes.strip())


HAS_ATTENDEES = Guard(_has_attendees, _("请先确定出席领导或列席单位，再发出会议通知。"))
HAS_MINUTES = Guard(_has_minutes, _("请先起草会议纪要。"))

MEETING_WORKFLOW = Workflow(
    case_type=MEETING_TYPE,
    label=_("会议"),
    number_prefix="会",
    initial=MeetingState.PREPARING,
    states=(
        State(
            MeetingState.PREPARING,
            _("筹备"),
            expected="issue_notice",
            editable=frozenset({"title", "body", "attachments"}),
        ),
        State(MeetingState.NOTIFIED, _("已通知"), expected="hold"),
        State(MeetingState.HELD, _("已召开"), expected="issue_minutes"),
        State(MeetingState.MINUTES_ISSUED, _("已印发纪要"), final=True),
        State(MeetingState.CANCELLED, _("已取消"), final=True),
    ),
    actions=(
        Action(
            "issue_notice",
            _("发出会议通知"),
            source=(MeetingState.PREPARING,),
            target=MeetingState.NOTIFIED,
            permits=OWNER,
            guards=(HAS_ATTENDEES,),
            effects=(send_notice(),),
        ),
        Action(
            "hold",
            _("会议已召开"),
            source=(MeetingState.NOTIFIED,),
            target=MeetingState.HELD,
            permits=OWNER,
            effects=(conclude_items(),),
        ),
        Action(
            "issue_minutes",
            _("印发纪要"),
            source=(MeetingState.HELD,),
            target=MeetingState.MINUTES_ISSUED,
            permits=OWNER,
            guards=(HAS_MINUTES,),
            effects=(start_minutes_document(),),
        ),
        Action(
            "cancel",
            _("取消会议"),
            source=(MeetingState.PREPARING, MeetingState.NOTIFIED),
            target=MeetingState.CANCELLED,
            permits=OWNER,
            comment_required=True,
            comment_label=_("取消原因"),
        ),
    ),
)

# --- forms for the kernel's create page and API ------------------------------------------------


class MeetingDetailForm(forms.ModelForm):
    """The meeting's own fields on the kernel's create page (people and units are chosen on
    the meeting's page)."""

    class Meta:
        model = Meeting
        fields = ["meeting_type", "session", "starts_at", "ends_at", "venue", "notice_text"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "notice_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_type"].queryset = MeetingType.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("结束时间须晚于开始时间。"))
        kind = data.get("meeting_type")
        owner = str(self.data.get("owner_unit") or "")  # the case form shares the POST
        if kind is not None and owner and owner != str(kind.organiser_id):
            self.add_error(
                "meeting_type",
                _("%(type)s由%(unit)s承办，请以该处室为主责处室。")
                % {"type": kind.name, "unit": kind.organiser.name},
            )
        return data


class AgendaDetailForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["meeting", "presenter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            case__state__in=[MeetingState.PREPARING, MeetingState.NOTIFIED]
        ).select_related("meeting_type")


# --- panels -------------------------------------------------------------------------------------


def _meeting_panel(user, case, detail) -> dict:
    from . import policies, selectors

    if detail is None:
        return {}
    return {
        "meeting": detail,
        "mine": selectors.attendances_for(user, detail),
        "organiser": policies.may_organise(user, detail),
        "now": timezone.now(),
    }


def _agenda_panel(user, case, detail) -> dict:
    return {"item": detail}


MEETING = CaseType(
    workflow=MEETING_WORKFLOW,
    body_label=_("会议内容"),
    detail_model=Meeting,
    create_form=MeetingDetailForm,
    edit_form=None,
    panels=(Panel(_("会议信息"), "meetings/meeting_panel.html", context=_meeting_panel),),
    columns=(
        Column("starts_at", _("会议时间"), "meeting.starts_at", select="meeting"),
        Column("venue", _("地点"), "meeting.venue", select="meeting"),
    ),
    search_text=lambda case: getattr(getattr(case, "meeting", None), "venue", ""),
)
AGENDA_ITEM = CaseType(
    workflow=AGENDA_WORKFLOW,
    body_label=_("议题说明"),
    detail_model=AgendaItem,
    create_form=AgendaDetailForm,
    panels=(Panel(_("议题信息"), "meetings/agenda_panel.html", context=_agenda_panel),),
    columns=(Column("presenter", _("汇报人"), "agenda_item.presenter", select="agenda_item"),),
)
