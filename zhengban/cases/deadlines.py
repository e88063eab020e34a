"""Case deadlines: the rule and its start are stored on the case; pauses and extensions are
events in its history, so the due date is always recomputed from history and the calendar."""

from __future__ import annotations

import dataclasses
import datetime

from django.utils.translation import gettext as _

from zhengban.workcalendar.calendar import workdays_between
from zhengban.workcalendar.deadlines import WD, Pause, compute_due, get_rule

from .choices import AssignmentStatus, DeadlineState, TaskState
from .errors import GuardFailed
from .models import Assignment, Case, CaseEvent, Task


def pauses_from_history(case: Case) -> list[Pause]:
    """Pause intervals derived from the case's pause/resume events, never a stored counter."""
    pauses: list[Pause] = []
    open_start: datetime.date | None = None
    open_reason = ""
    events = CaseEvent.objects.filter(case=case, data__has_key="deadline").order_by("seq")
    for event in events.only("time", "data", "comment"):
        kind = event.data.get("deadline")
        day = _local_date(event.time)
        if kind == "pause" and open_start is None:
            open_start, open_reason = day, event.data.get("reason", "")
        elif kind == "resume" and open_start is not None:
            pauses.append(Pause(open_start, day, open_reason))
            open_start = None
        elif kind == "start":
            pauses, open_start = [], None  # a restart (e.g. after 补正) discards earlier pauses
    if open_start is not None:
        pauses.append(Pause(open_start, None, open_reason))
    return pauses


def _local_date(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def recompute(case: Case) -> None:
    """Set due_date, provisional flag, basis and clock state from rule, start and history."""
    if not case.deadline_rule or case.deadline_start is None:
        case.due_date = None
        case.due_provisional = False
        case.deadline_basis = ""
        if case.deadline_state != DeadlineState.STOPPED:
            case.deadline_state = DeadlineState.NONE
        return
    rule = get_rule(case.deadline_rule)
    default_amount = rule.amount
    if case.deadline_amount:
        rule = dataclasses.replace(rule, amount=case.deadline_amount)
    due = compute_due(
        rule,
        case.deadline_start,
        pauses=pauses_from_history(case),
        extensions=case.deadline_extensions,
    )
    case.deadline_basis = due.basis_text
    if case.deadline_amount and case.deadline_amount != default_amount:
        case.deadline_basis += _("；交办时确定为%(n)d个工作日（规则默认%(d)d个工作日）") % {
            "n": case.deadline_amount,
            "d": default_amount,
        }
    case.due_provisional = due.provisional
    if case.closed:
        case.deadline_state = DeadlineState.STOPPED
    elif due.date is None:
        case.deadline_state = DeadlineState.PAUSED
    else:
        case.deadline_state = DeadlineState.RUNNING
    if due.date is not None:
        case.due_date = due.date
    _sync_parts(case)


def _sync_parts(case: Case) -> None:
    """The case's due date and its working assignments' (and open tasks') never disagree."""
    if case.pk is None or case.due_date is None:
        return
    Assignment.objects.filter(
        case=case, status__in=(AssignmentStatus.OPEN, AssignmentStatus.REPORTED)
    ).exclude(due_date=case.due_date).update(due_date=case.due_date)
    Task.objects.filter(case=case, state=TaskState.OPEN).exclude(due_date=case.due_date).update(
        due_date=case.due_date
    )


def set_due(case: Case, due: datetime.date, *, actor) -> dict:
    """A person sets the due date (a leader's "两周内" at 交办, an approved extension): kept as
    the rule's period in working days from the start, so pauses still count as the rule says."""
    if not case.deadline_rule or case.deadline_start is None:
        raise GuardFailed(_("该事项尚未开始计算办理期限。"))
    if get_rule(case.deadline_rule).unit != WD:
        raise GuardFailed(_("该事项的期限不按工作日计算，不能指定日期。"))
    amount = workdays_between(case.deadline_start, due)
    if amount < 1:
        raise GuardFailed(_("办理期限须晚于起算日。"))
    case.deadline_amount = amount
    return {"set_due": due.isoformat(), "amount": amount, "set_by": actor.pk}


# What recompute writes.
_DEADLINE_FIELDS = ("due_date", "due_provisional", "deadline_basis", "deadline_state")


def calendar_changed(first: datetime.date, last: datetime.date, actor) -> int:
    """The working-day calendar changed between `first` and `last` (a holiday added, a
    调休 working day removed, a year's notice entered): every open case whose deadline runs
    across those days gets its due date computed again, in the change's transaction, and
    its history says why. Returns the number of cases whose due date moved."""
    from django.db.models import Q

    from zhengban.workcalendar.deadlines import DeadlineError

    from .services import append_event, bump, lock_case

    affected = (
        Case.objects.filter(closed=False, deadline_start__lte=last)
        .exclude(deadline_rule="")
        .filter(Q(due_date__gte=first) | Q(due_date__isnull=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in list(affected):
        case = lock_case(Case(pk=pk))
        before = (case.due_date, case.due_provisional)
        try:
            recompute(case)
        except DeadlineError:  # a rule no app declares any more: leave the case as it is
            continue
        if (case.due_date, case.due_provisional) == before:
            continue
        bump(case, *_DEADLINE_FIELDS)
        append_event(
            case,
            actor=actor,
            principal=None,
            action="deadline.recalculated",
            comment=_("工作日历调整，办理期限重新计算。"),
            data={
                "due_date": [
                    before[0].isoformat() if before[0] else None,
                    case.due_date.isoformat() if case.due_date else None,
                ]
            },
        )
        moved += 1
    return moved
