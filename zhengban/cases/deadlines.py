"""Case deadlines: the rule and its start are stored on the case; pauses and extensions are
events in its history, so the due date is always recomputed from history and the calendar."""

from __future__ import annotations

import datetime

from zhengban.workcalendar.deadlines import Pause, compute_due, get_rule

from .choices import DeadlineState
from .models import Case, CaseEvent


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
    due = compute_due(
        rule,
        case.deadline_start,
        pauses=pauses_from_history(case),
        extensions=case.deadline_extensions,
    )
    case.deadline_basis = due.basis_text
    case.due_provisional = due.provisional
    if case.closed:
        case.deadline_state = DeadlineState.STOPPED
    elif due.date is None:
        case.deadline_state = DeadlineState.PAUSED
    else:
        case.deadline_state = DeadlineState.RUNNING
    if due.date is not None:
        case.due_date = due.date
