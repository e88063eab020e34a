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
from zhengban.cases.services import case_create, case_perform
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

from . import schedule
from .casetype import CASE_TYPE
from .choices import Cadence, SourceKind
from .models import Milestone, SupervisionItem

SUPERVISION_OFFICE = "督查室"


def default_supervisor(actor) -> Unit:
    """督查室 when the actor may open items there (its staff, the leaders); otherwise the
    actor's own division (a sector division supervising its 分管领导批示件)."""
    units = Unit.objects.filter(active=True).exclude(kind=UnitKind.EXTERNAL)
    office = units.filter(name__contains=SUPERVISION_OFFICE).order_by("pk").first()
    if office is not None and (office.pk in actor.unit_ids or actor.has_role(*LEADER_ROLES)):
        return office
    own = units.filter(pk__in=actor.unit_ids).order_by("pk").first()
    if own is None:
        raise PermissionRefused(_("只有办公厅处室人员或领导可以立项督办。"))
    return own


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
    收文), which the actor must be able to read; `supervisor_unit` defaults to 督查室 (see
    `default_supervisor`) and becomes the case's owner unit; `milestones` are (date, what)
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
    owner = supervisor_unit or default_supervisor(actor)
    case = case_create(
        case_type=CASE_TYPE,
        title=title,
        body=body,
        owner_unit=owner,
        actor=actor,
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
