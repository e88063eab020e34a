"""Pages of the meetings app. Thin: forms validate, services write, policies decide; the
meeting's and the 议题's workflow steps go through the kernel's command dispatch."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengban.cases import commands
from zhengban.cases.access import CaseAccess
from zhengban.cases.errors import CaseError
from zhengban.cases.services import available_actions
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization
from zhengban.security.validation import parse_date, parse_id

from . import forms, ical, policies, selectors, services
from .choices import MeetingState
from .models import Attendance, Decision, MeetingType

ADMINS_REFUSED = gettext_lazy("系统管理员、安全保密管理员和安全审计员不办理业务。")
WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]


def _business(request) -> None:
    if request.user.is_admin_role:
        raise PermissionDenied(ADMINS_REFUSED)


def _to_meeting(pk: int, anchor: str = ""):
    response = redirect("meetings:detail", pk=pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request, error: CaseError) -> None:
    messages.error(request, str(error))


# --- the list and scheduling -------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request):
    _business(request)
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": selectors.meeting_list(request.user),
            "past": selectors.meeting_list(request.user, past=True, limit=20),
            "may_schedule": policies.types_organised_by(request.user).exists(),
            "may_edit_types": policies.may_edit_types(request.user),
            "open_for_agenda": list(
                policies.meetings_open_for_agenda(request.user).select_related("meeting_type")[:20]
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    _business(request)
    types = policies.types_organised_by(request.user)
    if not types.exists():
        raise PermissionDenied(_("只有会议承办处室（秘书一处、秘书二处等）的人员可以安排会议。"))
    form = forms.MeetingForm(request.POST or None, types=types)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(actor=request.user, **data)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已安排%(name)s。") % {"name": meeting.name})
            return _to_meeting(meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "title": _("安排会议")})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    if not policies.may_organise(request.user, meeting):
        raise PermissionDenied(_("只有会议承办处室的人员可以修改会议安排。"))
    types = MeetingType.objects.filter(pk=meeting.meeting_type_id)
    initial = {
        "meeting_type": meeting.meeting_type,
        "session": meeting.session,
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(meeting.ends_at).strftime("%Y-%m-%dT%H:%M")
        if meeting.ends_at
        else "",
        "venue": meeting.venue,
        "chair": meeting.chair,
        "attendees": list(meeting.attendees.all()),
        "observers": list(meeting.observers.all()),
        "notice_text": meeting.notice_text,
    }
    form = forms.MeetingForm(request.POST or None, types=types, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("meeting_type")
        version = parse_id(request.POST.get("version"), name="version", required=True)
        try:
            services.meeting_update(actor=request.user, meeting=meeting, version=version, **data)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("会议安排已保存。"))
            return _to_meeting(meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "title": _("修改会议安排"), "meeting": meeting},
    )


# --- one meeting -------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_detail(request, pk: int):
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    case = meeting.case
    organiser = policies.may_organise(request.user, meeting)
    access = CaseAccess(request.user, case)
    actions = available_actions(request.user, case, access)
    items = selectors.agenda_items(request.user, meeting)
    decisions = selectors.decisions(meeting)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "case": case,
            "organiser": organiser,
            "actions": actions,
            "items": items,
            "accepted": [i for i in items if i.case.state in ("accepted", "discussed")],
            "pending": [i for i in items if i.case.state not in ("accepted", "discussed")],
            "attendances": selectors.attendances(meeting) if organiser else [],
            "mine": selectors.attendances_for(request.user, meeting),
            "decisions": decisions,
            "may_submit": policies.may_submit_agenda(request.user)
            and case.state in services.OPEN_STATES,
            "minutes_form": forms.MinutesForm(
                initial={"version": case.version, "text": meeting.minutes}
            )
            if organiser and case.state in (MeetingState.NOTIFIED, MeetingState.HELD)
            else None,
            "decision_form": forms.DecisionForm(meeting=meeting)
            if organiser and case.state == MeetingState.HELD
            else None,
            "supervision": services.supervision_available(),
            "attendance_form": forms.AttendanceForm(),
            "attendees": list(meeting.attendees.all()),
            "observers": list(meeting.observers.all()),
        },
    )


@login_required
@require_POST
def meeting_act(request, pk: int, code: str):
    """A workflow step of the meeting (发出会议通知, 会议已召开, 印发纪要, 取消会议)."""
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    try:
        label = commands.perform_action(
            user=request.user, case=meeting.case, code=code, data=request.POST
        )
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已%(action)s。") % {"action": label})
    return _to_meeting(meeting.pk)


@login_required
@require_GET
def notice(request, pk: int):
    """The 会议通知 as a printable page."""
    return render(request, "meetings/notice.html", _notice_content(request, pk))


@login_required
@require_GET
def notice_pdf(request, pk: int):
    """The same 会议通知 laid out in the GB/T 9704 信函 format, as a PDF."""
    from zhengban.documents.render import render_pdf

    from .notice import notice_document

    content = _notice_content(request, pk)
    pdf = render_pdf(notice_document(**content))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"会议通知（{content['meeting'].case.number}）.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{escape_uri_path(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _notice_content(request, pk: int) -> dict:
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    items = [i for i in selectors.agenda_items(request.user, meeting) if i.case.state != "rejected"]
    return {
        "meeting": meeting,
        "items": [i for i in items if i.position is not None],
        "attendees": list(meeting.attendees.all()),
        "observers": list(meeting.observers.all()),
        "issued_on": _notice_date(meeting),
    }


def _notice_date(meeting):
    """The day the notice went out (today for a draft not yet sent)."""
    event = meeting.case.events.filter(action="issue_notice").order_by("-seq").first()
    return timezone.localtime(event.time if event else timezone.now()).date()


@login_required
@require_http_methods(["GET", "POST"])
def agenda_new(request, pk: int):
    _business(request)
    meeting = policies.meeting_get_for_submission(request.user, pk)
    if not policies.may_submit_agenda(request.user):
        raise PermissionDenied(_("只有办公厅各处室人员可以提交议题。"))
    form = forms.AgendaForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.agenda_submit(actor=request.user, meeting=meeting, **data)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("议题已提交%(unit)s审核。") % {"unit": meeting.case.owner_unit.name}
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "meetings/form.html",
        {"form": form, "title": _("提交议题：%(name)s") % {"name": meeting.name}},
    )


@login_required
@require_POST
def agenda_order(request, pk: int):
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    order = [parse_id(v, name="order") for v in request.POST.getlist("order")]
    version = parse_id(request.POST.get("version"), name="version", required=True)
    move = request.POST.get("move", "")
    if move:  # one item up or down ("<id>:up")
        target, _sep, way = move.partition(":")
        target = parse_id(target, name="move")
        if target in order and way in ("up", "down"):
            i = order.index(target)
            j = i - 1 if way == "up" else i + 1
            if 0 <= j < len(order):
                order[i], order[j] = order[j], order[i]
    try:
        services.agenda_reorder(actor=request.user, meeting=meeting, version=version, order=order)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("议题顺序已调整。"))
    return _to_meeting(meeting.pk, "agenda")


@login_required
@require_POST
def attendance_respond(request, pk: int, attendance_pk: int):
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    attendance = get_object_or_404(Attendance, pk=attendance_pk, meeting=meeting)
    if not policies.may_respond(request.user, attendance):
        raise PermissionDenied(_("这不是发给您或您所在单位的会议通知。"))
    form = forms.AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择参会情况。"))
        return _back(request, meeting)
    try:
        services.attendance_respond(actor=request.user, attendance=attendance, **form.cleaned_data)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已反馈参会情况。"))
    return _back(request, meeting)


def _back(request, meeting):
    """Back to the page the answer came from: the meeting or the case page (from 待办)."""
    if request.POST.get("from") == "case":
        return redirect("cases:detail", pk=meeting.case_id)
    return _to_meeting(meeting.pk, "attendance")


@login_required
@require_POST
def minutes_save(request, pk: int):
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    form = forms.MinutesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整，请刷新页面后重试。"))
        return _to_meeting(meeting.pk, "minutes")
    try:
        services.minutes_save(
            actor=request.user,
            meeting=meeting,
            version=form.cleaned_data["version"],
            text=form.cleaned_data["text"],
        )
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("会议纪要已保存。"))
    return _to_meeting(meeting.pk, "minutes")


@login_required
@require_POST
def decision_add(request, pk: int):
    _business(request)
    meeting = policies.meeting_get_for(request.user, pk)
    form = forms.DecisionForm(request.POST, meeting=meeting)
    if not form.is_valid():
        errors = "；".join(e for field in form.errors.values() for e in field)
        messages.error(request, errors)
        return _to_meeting(meeting.pk, "decisions")
    try:
        services.decision_add(actor=request.user, meeting=meeting, **form.cleaned_data)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已记录议定事项。"))
    return _to_meeting(meeting.pk, "decisions")


def _decision(request, pk: int, decision_pk: int) -> Decision:
    meeting = policies.meeting_get_for(request.user, pk)
    return get_object_or_404(
        Decision.objects.select_related("meeting__case"), pk=decision_pk, meeting=meeting
    )


@login_required
@require_POST
def decision_supervise(request, pk: int, decision_pk: int):
    _business(request)
    decision = _decision(request, pk, decision_pk)
    try:
        item = services.decision_to_supervision(actor=request.user, decision=decision)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已转督办：%(number)s。") % {"number": item.number})
    return _to_meeting(pk, "decisions")


@login_required
@require_POST
def decision_delete(request, pk: int, decision_pk: int):
    _business(request)
    decision = _decision(request, pk, decision_pk)
    try:
        services.decision_remove(actor=request.user, decision=decision)
    except CaseError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已删除议定事项。"))
    return _to_meeting(pk, "decisions")


# --- the calendar ------------------------------------------------------------------------------


def _calendar_scope(request):
    """(leader, own) from the query: one leader's arrangements, the user's own, or all."""
    leader = None
    leader_id = parse_id(request.GET.get("leader"), name="leader")
    if leader_id:
        leader = selectors.leaders().filter(pk=leader_id).first()
        if leader is None:
            raise Http404
    own = request.GET.get("own") == "1"
    return leader, own


@login_required
@require_GET
def calendar(request):
    _business(request)
    today = timezone.localdate()
    day = parse_date(request.GET.get("date"), name="date", default=today)
    view = "week" if request.GET.get("view") == "week" else "month"
    leader, own = _calendar_scope(request)
    if view == "week":
        days = selectors.week_days(day)
        weeks = [days]
        first, last = days[0], days[-1]
        previous, following = day - datetime.timedelta(days=7), day + datetime.timedelta(days=7)
    else:
        weeks = selectors.month_grid(day.year, day.month)
        first, last = weeks[0][0], weeks[-1][-1]
        month_start = day.replace(day=1)
        previous = (month_start - datetime.timedelta(days=1)).replace(day=1)
        following = (month_start + datetime.timedelta(days=32)).replace(day=1)
    found = selectors.entries(request.user, first, last, leader=leader, own=own)
    by_day: dict[datetime.date, list] = {}
    for entry in found:
        by_day.setdefault(entry.day, []).append(entry)
    return render(
        request,
        "meetings/calendar.html",
        {
            "view": view,
            "day": day,
            "today": today,
            "weeks": [[(d, by_day.get(d, [])) for d in week] for week in weeks],
            "previous": previous,
            "following": following,
            "leader": leader,
            "own": own,
            "leaders": selectors.leaders()
            if policies.may_see_leaders_calendars(request.user)
            else [],
            "may_add_activity": policies.may_manage_activities(request.user),
            "entries": found,
            "weekday_names": WEEKDAYS,
        },
    )


@login_required
@require_GET
def calendar_ics(request):
    """The person's calendar as an .ics file (RFC 5545): what they may see, their own by
    default, or one leader's arrangements (?leader=)."""
    _business(request)
    leader, _own = _calendar_scope(request)
    today = timezone.localdate()
    first, last = today - datetime.timedelta(days=90), today + datetime.timedelta(days=365)
    found = selectors.entries(request.user, first, last, leader=leader, own=leader is None)
    host = request.get_host()
    events = [
        ical.Event(
            uid=f"{e.kind}-{e.pk}@{host}",
            start=e.start,
            end=e.end,
            summary=e.title if e.kind == "meeting" else f"{e.who}：{e.title}",
            location=e.place,
            description=_("主持人：%(who)s") % {"who": e.who}
            if e.kind == "meeting" and e.who
            else "",
            cancelled=e.cancelled,
            url=request.build_absolute_uri(e.url) if e.url else "",
        )
        for e in found
    ]
    person = leader or request.user
    body = ical.calendar(events, name=_("%(who)s的日程") % {"who": person}, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="calendar.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    _business(request)
    if not policies.may_manage_activities(request.user):
        raise PermissionDenied(_("领导活动由会议承办处室（秘书一处、秘书二处）安排。"))
    form = forms.ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, **form.cleaned_data)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已安排领导活动。"))
            date = timezone.localtime(activity.starts_at).date().isoformat()
            return redirect(f"{_calendar_url()}?view=week&date={date}")
    return render(request, "meetings/form.html", {"form": form, "title": _("安排领导活动")})


def _calendar_url() -> str:
    from django.urls import reverse

    return reverse("meetings:calendar")


@login_required
@require_POST
def activity_delete(request, pk: int):
    _business(request)
    activity = get_object_or_404(policies.activities_visible_to(request.user), pk=pk)
    try:
        services.activity_delete(actor=request.user, activity=activity)
    except CaseError as error:
        raise PermissionDenied(str(error)) from None
    messages.success(request, _("已删除领导活动。"))
    return redirect(_calendar_url())


# --- meeting types -----------------------------------------------------------------------------


def _organization(user) -> Organization | None:
    units = Organization.objects.filter(
        units__pk__in=user.unit_ids, units__kind__in=[UnitKind.INTERNAL]
    ).distinct()
    return (
        units.first()
        or Organization.objects.filter(kind=OrganizationKind.MAIN, active=True)
        .order_by("pk")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def types(request):
    _business(request)
    organization = _organization(request.user)
    may_edit = policies.may_edit_types(request.user) and organization is not None
    form = (
        forms.MeetingTypeForm(request.POST or None, organization=organization) if may_edit else None
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("会议类型由会议承办处室维护。"))
        if request.POST.get("setup"):
            made = services.meeting_types_setup(organization=organization)
            messages.success(request, _("已按三定规定建立%(n)d个会议类型。") % {"n": len(made)})
            return redirect("meetings:types")
        if form.is_valid():
            try:
                services.meeting_type_save(
                    actor=request.user, organization=organization, **form.cleaned_data
                )
            except CaseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("已添加会议类型。"))
                return redirect("meetings:types")
    rows = (
        MeetingType.objects.filter(organization=organization).select_related("organiser")
        if organization
        else []
    )
    return render(
        request,
        "meetings/types.html",
        {"types": rows, "form": form, "organization": organization},
    )
