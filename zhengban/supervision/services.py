"""Writes of the supervision app. The public entry other apps call is `open_item`: a meeting
decision (议定事项), a leader's 批示, a 收文 … becomes a supervision item in one step."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import LEADER_ROLES
from zhengban.cases.access import CaseAccess
from zhengban.cases.choices import AssignmentRole, ReportKind, ReportReview
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import AssignmentReport, Case
from zhengban.cases.services import audits_denials, case_create, case_perform
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

from . import schedule
from .casetype import CASE_TYPE
from .choices import Cadence, Escalation, SourceKind
from .models import Milestone, SupervisionItem

SUPERVISION_OFFICE = "督查室"


def supervision_office(actor) -> Unit | None:
    """The 督查室 of the actor's own organization (else the first one), if there is one."""
    offices = Unit.objects.filter(active=True, name__contains=SUPERVISION_OFFICE).exclude(
        kind=UnitKind.EXTERNAL
    )
    if actor.unit_ids:
        mine = Unit.objects.filter(pk__in=actor.unit_ids).values("organization")
        offices = offices.filter(organization__in=mine) or offices
    return offices.order_by("pk").first()


def default_supervisor(actor) -> Unit:
    """督查室 when the actor may open items there (its staff, the leaders); otherwise the
    actor's own division (a sector division supervising its 分管领导批示件)."""
    units = Unit.objects.filter(active=True).exclude(kind=UnitKind.EXTERNAL)
    office = supervision_office(actor)
    if office is not None and (office.pk in actor.unit_ids or actor.has_role(*LEADER_ROLES)):
        return office
    own = units.filter(pk__in=actor.unit_ids).order_by("pk").first()
    if own is None:
        raise PermissionRefused(_("只有办公厅处室人员或领导可以立项督办。"))
    return own


def default_supervisor_or_none(actor) -> Unit | None:
    try:
        return default_supervisor(actor)
    except PermissionRefused:
        return None


def _milestone_rows(milestones: Iterable) -> list[tuple[datetime.date, str]]:
    """(date, what) pairs from tuples or dicts {"due_date"/"date", "title"}."""
    rows = []
    for entry in milestones:
        if isinstance(entry, dict):
            day = entry.get("due_date") or entry.get("date")
            title = entry.get("title", "")
        else:
            day, title = entry
        if isinstance(day, str):
            try:
                day = datetime.date.fromisoformat(day)
            except ValueError:
                raise GuardFailed(_("节点日期格式不正确：%(d)s") % {"d": day}) from None
        if not isinstance(day, datetime.date):
            raise GuardFailed(_("请填写节点日期。"))
        title = str(title or "").strip()
        if not title:
            raise GuardFailed(_("请填写节点要求。"))
        rows.append((day, title[:200]))
    return sorted(rows)


@transaction.atomic
def open_item(
    *,
    actor,
    title: str,
    body: str = "",
    lead_unit: Unit,
    co_units=(),
    due_date: datetime.date | None = None,
    source_kind: str,
    source_label: str = "",
    parent: Case | None = None,
    supervisor_unit: Unit | None = None,
    cadence: str = Cadence.ONCE,
    milestones=(),
    leader=None,
    instructions: str = "",
) -> Case:
    """Open a supervision item and assign it (立项 + 交办) in one transaction.

    `source_kind` is a `SourceKind`; `parent` the source case (the meeting's, the 批示's, the
    收文), which the actor must be able to read; `supervisor_unit` becomes the case's owner
    unit. Without it, a meeting's decision (`source_kind="meeting"`) is owned by 督查室 —
    the office supervises what a meeting decided, whoever organised the meeting — and
    anything else by `default_supervisor`. An owner the caller names or the meeting's 督查室
    is opened for that unit by code (`check_owner=False`); the actor stays the creator, who
    takes the 交办 step. `milestones` are (date, what)
    pairs or dicts, required for `cadence="milestones"`; `leader` is the 分管领导 who decides
    extension requests. Refusals are the kernel's typed errors (`CaseError`)."""
    if source_kind not in SourceKind.values:
        raise GuardFailed(_("未知的督办事项来源：%(k)s") % {"k": source_kind})
    if cadence not in Cadence.values:
        raise GuardFailed(_("未知的报送频次：%(c)s") % {"c": cadence})
    rows = _milestone_rows(milestones)
    if cadence == Cadence.MILESTONES and not rows:
        raise GuardFailed(_("按节点报送的督办事项须列明办理节点。"))
    today = timezone.localdate()
    if due_date is not None and due_date <= today:
        raise GuardFailed(_("办结期限须晚于今天。"))
    for day, _title in rows:
        if day <= today or (due_date is not None and day > due_date):
            raise GuardFailed(_("办理节点日期须在今天之后、办结期限之前。"))
    if parent is not None and not CaseAccess(actor, parent).visible:
        raise PermissionRefused(_("您无权查看来源事项。"))
    owner = supervisor_unit
    if owner is None and source_kind == SourceKind.MEETING:
        owner = supervision_office(actor)
    for_another = owner is not None
    owner = owner or default_supervisor(actor)
    case = case_create(
        case_type=CASE_TYPE,
        title=title,
        body=body,
        owner_unit=owner,
        actor=actor,
        check_owner=not for_another,
        sensitivity=parent.sensitivity if parent is not None else 0,
        urgency=parent.urgency if parent is not None else "normal",
        parent=parent,
        detail={"source_kind": source_kind, "source_label": source_label, "cadence": cadence},
    )
    if rows:
        Milestone.objects.bulk_create(
            Milestone(item_id=case.pk, position=i, due_date=d, title=t)
            for i, (d, t) in enumerate(rows)
        )
    return case_perform(
        case=case,
        action_code="assign",
        actor=actor,
        version=case.version,
        params={
            "lead_unit": lead_unit,
            "co_units": list(co_units),
            "due_date": due_date,
            "leader": leader,
            "instructions": instructions,
        },
    )


# --- the reporting schedule --------------------------------------------------------------------


def report_dates(item: SupervisionItem, milestones=None) -> list[datetime.date]:
    if item.assigned_on is None:
        return []
    if milestones is None:
        milestones = [m.due_date for m in item.milestones.all()]
    return schedule.report_dates(item.cadence, item.assigned_on, item.case.due_date, milestones)


def lead_report_dates(case_ids: Iterable[int]) -> dict[int, list[datetime.date]]:
    """The dates of the lead units' progress reports still standing (not returned), per case."""
    rows = (
        AssignmentReport.objects.filter(
            assignment__case_id__in=list(case_ids),
            assignment__role=AssignmentRole.LEAD,
            kind=ReportKind.PROGRESS,
        )
        .exclude(review=ReportReview.RETURNED)
        .order_by()
        .values_list("assignment__case_id", "created_at")
    )
    found: dict[int, list[datetime.date]] = {}
    for case_id, moment in rows:
        found.setdefault(case_id, []).append(timezone.localtime(moment).date())
    return found


def refresh_schedule(item: SupervisionItem, *, reports=None, save: bool = True) -> bool:
    """Recompute the next report due from the schedule and the reports made; True if it
    changed."""
    if reports is None:
        reports = lead_report_dates([item.case_id]).get(item.case_id, [])
    if item.completed_on or item.assigned_on is None:
        nxt = None
    else:
        nxt = schedule.next_due(report_dates(item), item.assigned_on, reports)
    changed = nxt != item.next_report_due
    item.next_report_due = nxt
    if changed and save:
        item.save(update_fields=["next_report_due"])
    return changed


def sync_case_facts(item: SupervisionItem, case: Case, *, save: bool = True) -> bool:
    """Copy the case's due date and closed flag onto the item when the kernel has moved
    them on its own (an approved extension); True if anything changed."""
    changed = item.due_date != case.due_date or item.closed != case.closed
    if changed:
        item.due_date, item.closed = case.due_date, case.closed
        if save:
            SupervisionItem.objects.filter(pk=item.pk).update(
                due_date=case.due_date, closed=case.closed
            )
    return changed


# --- escalation: 催办 → 催办通知单 → red flag ---------------------------------------------------


def _supervising(actor, case: Case) -> None:
    from zhengban.cases.services import refuse

    if not CaseAccess(actor, case).may_manage_assignments:
        raise refuse(actor, case, _("催办"))


@audits_denials
@transaction.atomic
def item_escalate(*, case: Case, actor, message: str = "") -> SupervisionItem:
    """Take the next escalation step on an open item:

    1. 催办 — the kernel's 催办 bells the units still working (`assignments.case_urge`);
    2. 催办通知单 — a numbered notice (督催〔year〕n号) to the lead unit, rendered as a PDF
       (`notice_pdf`), with a bell to its people;
    3. 领导督办 — a red flag on the leaders' board, and a bell to the 分管领导 and leaders.
    """
    from zhengban.cases import notifications
    from zhengban.cases.assignments import case_urge
    from zhengban.cases.errors import TransitionNotAllowed
    from zhengban.cases.numbering import number_next
    from zhengban.cases.services import append_event, bump, lock_case

    case = lock_case(case)
    if case.case_type != CASE_TYPE:
        raise GuardFailed(_("该事项不是督办事项。"))
    if case.closed:
        raise TransitionNotAllowed(_("事项已办结。"))
    _supervising(actor, case)
    # Only the item row: PostgreSQL locks no row of a nullable outer join (the lead unit).
    item = SupervisionItem.objects.select_for_update(of=("self",)).select_related("lead_unit")
    item = item.get(case=case)
    if item.lead_unit is None:
        raise GuardFailed(_("事项尚未交办，无需催办。"))
    message = (message or "").strip()
    level = item.escalation + 1
    if level > Escalation.FLAGGED:
        raise GuardFailed(_("该事项已列为领导督办事项。"))
    if level == Escalation.REMINDED:
        case_urge(
            case=case,
            actor=actor,
            message=message or _("请按要求抓紧办理并报送进展情况。"),
        )
        case.refresh_from_db()
    else:
        data = {"level": level, "unit": item.lead_unit.name}
        if level == Escalation.NOTICE:
            year = timezone.localdate().year
            data["notice_number"] = (
                f"督催〔{year}〕{number_next(series='supervision:notice', year=year)}号"
            )
            notifications.notify_units(
                [item.lead_unit],
                case=case,
                kind="urge",
                message=_("催办通知单%(n)s：%(title)s，请抓紧办理并报送办理情况。")
                % {"n": data["notice_number"], "title": case.title},
            )
            action = "supervision.notice"
        else:
            from zhengban.accounts.models import User

            leaders = list(User.objects.filter(pk=item.leader_id)) if item.leader_id else []
            notifications.notify(
                [u for u in leaders if u.pk != actor.pk],
                case=case,
                kind="escalation",
                message=_("【领导督办】%(title)s（%(unit)s）已逾期，列为领导督办事项。")
                % {"title": case.title, "unit": item.lead_unit.name},
            )
            action = "supervision.flag"
        bump(case)
        append_event(case, actor=actor, principal=actor, action=action, comment=message, data=data)
    item.escalation = level
    item.escalated_at = timezone.now()
    item.save(update_fields=["escalation", "escalated_at"])
    return item


def notice_document(case: Case, event) -> object:
    """The 催办通知单 of an escalation event as an official document (信函 format)."""
    from zhengban.documents.content import OfficialDocument, Paragraph, chinese_date
    from zhengban.workcalendar.calendar import current_calendar

    item = case.supervision
    organization = case.owner_unit.organization
    office = organization.name if organization else case.owner_unit.name
    day = timezone.localtime(event.time).date()
    assigned = chinese_date(item.assigned_on) if item.assigned_on else ""
    due = chinese_date(case.due_date) if case.due_date else _("交办时确定的期限")
    if case.due_date and case.due_date < day:
        late = current_calendar().workdays_between(case.due_date, day)
        state = _("截至目前已逾期%(n)d个工作日，尚未办结。") % {"n": late}
    elif item.next_report_due and item.next_report_due < day:
        state = _("截至目前，你单位未按要求于%(d)s前报送办理进展情况。") % {
            "d": chinese_date(item.next_report_due)
        }
    else:
        state = _("截至目前，该事项尚未办结。")
    unit = event.data.get("unit") or (item.lead_unit.name if item.lead_unit else "")
    source = (
        f"（{item.get_source_kind_display()}：{item.source_label}）" if item.source_label else ""
    )
    body = [
        _(
            "%(assigned)s交办你单位的督办事项《%(title)s》%(source)s（编号：%(number)s），"
            "办结期限为%(due)s。%(state)s"
        )
        % {
            "assigned": assigned,
            "title": case.title,
            "source": source,
            "number": case.number,
            "due": due,
            "state": state,
        },
        _(
            "请你单位高度重视，主要负责同志亲自过问，于收到本通知后3个工作日内报送办理进展情况"
            "和下一步工作安排；确有困难不能按期办结的，请书面说明原因并提出办结时限。"
        ),
        _("特此通知。"),
    ]
    if event.comment:
        body.insert(2, event.comment)
    return OfficialDocument(
        doc_type="通知",
        layout="信函",
        identifier=f"{case.number}-{event.seq}",
        issuer_mark=office,
        number=event.data.get("notice_number", ""),
        title=_("关于抓紧办理《%(title)s》的催办通知") % {"title": case.title[:60]},
        recipients=[unit],
        body=[Paragraph(str(t)) for t in body],
        signature=[case.owner_unit.name],
        date_text=chinese_date(day),
    )


def notice_pdf(case: Case, event) -> bytes:
    from zhengban.documents.render import render_pdf

    return render_pdf(notice_document(case, event))


# --- the daily sweep: schedules, report reminders ----------------------------------------------

BATCH_SIZE = 1000


def remind_workdays() -> int:
    from django.conf import settings

    return getattr(settings, "SUPERVISION_REMIND_WORKDAYS", 2)


def _contacts(unit_ids) -> dict[int, list]:
    """The people a unit's reminders go to: its 联络员, else all its members."""
    from django.db.models import Exists, OuterRef

    from zhengban.accounts.choices import Role
    from zhengban.accounts.models import RoleGrant, UnitMembership

    members: dict[int, list] = {}
    contacts: dict[int, list] = {}
    contact = RoleGrant.objects.filter(user=OuterRef("user_id"), role=Role.UNIT_CONTACT)
    rows = (
        UnitMembership.objects.filter(unit_id__in=unit_ids, user__is_active=True)
        .annotate(contact=Exists(contact))
        .select_related("user")
        .order_by("unit_id", "user_id")
    )
    for row in rows:
        members.setdefault(row.unit_id, []).append(row.user)
        if row.contact:
            contacts.setdefault(row.unit_id, []).append(row.user)
    return {unit: contacts.get(unit) or people for unit, people in members.items()}


def supervision_tick(*, today: datetime.date | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Recompute every open item's next report due from the reports made (the kernel takes
    the reports; the item keeps the date its light reads), then bell the lead units whose
    progress report is due within `SUPERVISION_REMIND_WORKDAYS` working days or overdue.
    Idempotent: one bell per item, stage and date (dedupe keys)."""
    from zhengban.cases import notifications
    from zhengban.workcalendar.calendar import current_calendar

    today = today or timezone.localdate()
    soon = current_calendar().add_workdays(today, remind_workdays()).date
    result = {"scanned": 0, "updated": 0, "reminded": 0, "overdue": 0}
    # Items still open here whose case the kernel has closed (none, unless one slipped by).
    stale = SupervisionItem.objects.filter(closed=False, case__closed=True)
    result["updated"] += SupervisionItem.objects.filter(
        pk__in=list(stale.values_list("pk", flat=True))
    ).update(closed=True)
    open_items = SupervisionItem.objects.filter(case__closed=False, assigned_on__isnull=False)
    last = 0
    while True:
        items = list(
            open_items.filter(pk__gt=last)
            .select_related("case")
            .prefetch_related("milestones")
            .order_by("pk")[:batch_size]
        )
        if not items:
            break
        last = items[-1].pk
        result["scanned"] += len(items)
        reports = lead_report_dates([i.pk for i in items])
        moved = [i for i in items if sync_case_facts(i, i.case, save=False)]
        if moved:
            SupervisionItem.objects.bulk_update(moved, ["due_date", "closed"], batch_size=500)
        changed = [
            i for i in items if refresh_schedule(i, reports=reports.get(i.pk, []), save=False)
        ]
        if changed:
            SupervisionItem.objects.bulk_update(changed, ["next_report_due"], batch_size=500)
        result["updated"] += len({i.pk for i in (*moved, *changed)})
        due = [
            i for i in items if i.next_report_due and i.next_report_due <= soon and i.lead_unit_id
        ]
        if not due:
            continue
        people = _contacts({i.lead_unit_id for i in due})
        with transaction.atomic():
            for item in due:
                overdue = item.next_report_due < today
                stage = "overdue" if overdue else "soon"
                text = (
                    _("【报送逾期】%(ref)s的办理进展应于%(d)s前报送，请尽快报送。")
                    if overdue
                    else _("【报送提醒】%(ref)s的办理进展请于%(d)s前报送。")
                ) % {
                    "ref": f"{item.case.number}《{item.case.title[:60]}》",
                    "d": item.next_report_due.isoformat(),
                }
                sent = notifications.notify(
                    [
                        u
                        for u in people.get(item.lead_unit_id, [])
                        if u.clearance >= item.case.sensitivity
                    ],
                    case=item.case,
                    kind="overdue" if overdue else "reminder",
                    message=text,
                    dedupe_key=f"sup:{item.pk}:{stage}:{item.next_report_due.isoformat()}",
                )
                result["overdue" if overdue else "reminded"] += sent
    return result


@audits_denials
@transaction.atomic
def milestone_add(*, case: Case, actor, due_date: datetime.date, title: str) -> Milestone:
    """A dated node (按节点) added by the supervising side while the item is open; the
    schedule, and so the light, follow at once."""
    from zhengban.cases.errors import TransitionNotAllowed
    from zhengban.cases.services import append_event, bump, lock_case, refuse

    case = lock_case(case)
    if case.case_type != CASE_TYPE:
        raise GuardFailed(_("该事项不是督办事项。"))
    if case.closed:
        raise TransitionNotAllowed(_("事项已办结。"))
    if not CaseAccess(actor, case).may_manage_assignments:
        raise refuse(actor, case, _("设置办理节点"))
    ((day, title),) = _milestone_rows([(due_date, title)])
    if day <= timezone.localdate() or (case.due_date and day > case.due_date):
        raise GuardFailed(_("办理节点日期须在今天之后、办结期限之前。"))
    item = SupervisionItem.objects.select_for_update().get(case=case)
    item.case = case
    row = Milestone.objects.create(
        item=item, position=item.milestones.count(), due_date=day, title=title
    )
    refresh_schedule(item)
    bump(case)
    append_event(
        case,
        actor=actor,
        principal=actor,
        action="supervision.milestone",
        comment=title,
        data={"due_date": day.isoformat()},
    )
    return row
