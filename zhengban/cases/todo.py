"""Tasks (待办): opened by the steps that wait on someone, closed when the step is taken.

Called by the services inside their transactions. A state declares the task it opens
(`State.task`); assignments open their units' tasks; 会签, 加签 and 传阅 open one per person.
Every new task rings the bell of those it is addressed to."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import notifications
from .choices import TaskKind, TaskState
from .models import Case, CaseSlot, Task
from .workflow import Workflow


def notify_task(task: Task, case: Case) -> None:
    message = _("您有一件%(kind)s待办：%(title)s") % {
        "kind": TaskKind(task.kind).label,
        "title": case.title,
    }
    if task.assignee_id:
        notifications.notify([task.assignee], case=case, kind="task", message=message)
    else:
        notifications.notify_units(
            [task.unit], case=case, kind="task", message=message, heads_only=task.heads_only
        )


def tasks_open(case: Case, rows: list[Task]) -> list[Task]:
    created = Task.objects.bulk_create(rows)
    for task in created:
        if task.assignee_id != task.requested_by_id:  # nobody is told of their own step
            notify_task(task, case)
    return created


def person_task(case, user, kind, *, requested_by, seq, **fields) -> Task:
    return Task(
        case=case,
        kind=kind,
        assignee=user,
        requested_by=requested_by,
        event_seq=seq,
        due_date=case.due_date,
        **fields,
    )


def unit_task(case, unit, kind, *, requested_by, seq, heads_only=False, **fields) -> Task:
    return Task(
        case=case,
        kind=kind,
        unit=unit,
        heads_only=heads_only,
        requested_by=requested_by,
        event_seq=seq,
        due_date=case.due_date,
        **fields,
    )


def state_tasks(case: Case, workflow: Workflow, *, requested_by, seq) -> list[Task]:
    """The tasks the case's current state opens (none for a closing state)."""
    state = workflow.state(case.state)
    spec = state.task
    if spec is None or state.closes:
        return []
    common = {"requested_by": requested_by, "seq": seq, "state_code": state.code}
    if spec.to == "creator":
        return [person_task(case, case.creator, spec.kind, **common)]
    if spec.to == "assignee" and case.assignee_id:
        return [person_task(case, case.assignee, spec.kind, **common)]
    if spec.to.startswith("turn:"):
        turn = current_turn(case, spec.to.removeprefix("turn:"))
        return [person_task(case, turn.user, spec.kind, **common)] if turn else []
    if spec.to.startswith("slot:"):
        slots = CaseSlot.objects.filter(case=case, name=spec.to.removeprefix("slot:"))
        return [
            person_task(case, s.user, spec.kind, **common) for s in slots.select_related("user")
        ]
    heads = spec.to == "owner_unit_head"
    return [unit_task(case, case.owner_unit, spec.kind, heads_only=heads, **common)]


def current_turn(case: Case, slot: str) -> CaseSlot | None:
    """The person of an ordered slot who has not yet taken their turn, first by position."""
    return (
        CaseSlot.objects.filter(case=case, name=slot, done_at__isnull=True)
        .select_related("user")
        .order_by("position")
        .first()
    )


def turn_taken(case: Case, workflow: Workflow, action, *, actor, principal, seq) -> list[Task]:
    """The person whose turn it was has acted: their turn and task close. If someone in the
    slot is still to act, returns the next person's task (the case stays in its state);
    otherwise returns None and the case moves on."""
    turn = current_turn(case, action.sequence)
    if turn is not None:
        CaseSlot.objects.filter(pk=turn.pk).update(done_at=timezone.now())
    nxt = current_turn(case, action.sequence)
    if nxt is None:
        return None
    Task.objects.filter(case=case, state=TaskState.OPEN, state_code=case.state).update(
        state=TaskState.DONE, completed_by=actor, completed_at=timezone.now()
    )
    spec = workflow.state(case.state).task
    kind = spec.kind if spec else TaskKind.APPROVE
    row = person_task(case, nxt.user, kind, requested_by=principal, seq=seq, state_code=case.state)
    return tasks_open(case, [row])


def state_changed(
    case: Case, workflow: Workflow, from_state: str, *, actor, seq: int
) -> list[Task]:
    """Close the tasks of the state the case left (the step was taken) and open those of
    the state it entered. Returns the new tasks (withdrawing the step withdraws them)."""
    now = timezone.now()
    if from_state != case.state:
        Task.objects.filter(case=case, state=TaskState.OPEN, state_code=from_state).update(
            state=TaskState.DONE, completed_by=actor, completed_at=now
        )
    if workflow.state(case.state).closes:
        tasks_close_all(case)
        return []
    if from_state == case.state:
        return []
    return tasks_open(case, state_tasks(case, workflow, requested_by=actor, seq=seq))


def tasks_close_all(case: Case) -> int:
    """A closed case leaves nobody anything to do."""
    return Task.objects.filter(case=case, state=TaskState.OPEN).update(
        state=TaskState.CANCELLED, completed_at=timezone.now()
    )


def assignment_tasks_close(assignment, *, actor, done: bool = True) -> int:
    return Task.objects.filter(assignment=assignment, state=TaskState.OPEN).update(
        state=TaskState.DONE if done else TaskState.CANCELLED,
        completed_by=actor,
        completed_at=timezone.now(),
    )
