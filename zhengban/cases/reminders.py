"""Deadline reminders and escalation (催办): the daily sweep behind `zhengban tick`.

For every open case whose clock is running (paused and closed cases are skipped):

- level 1, 临期提醒 — due within `CASES_REMIND_WORKDAYS` working days ("soon") or today:
  the holder (承办人), the people with an open handling task, and the contacts of every
  open lead/co assignment unit (its members holding the 承办单位联络员 role, else all its
  members). An assignment with its own due date (反馈期限) is reminded on that date.
- level 2, 逾期催办 — overdue: the same people, plus the heads (负责人) of the owner unit
  and of the lead unit.
- level 3 — overdue by more than `CASES_ESCALATE_LEADER_WORKDAYS` working days: the office
  leaders as well.

Idempotence: each stage (soon, today, overdue, leader) is sent once per case and due date —
dedupe key `remind:<case>:<stage>:<due date>`. Running the sweep again the same day, or the
next day, sends nothing new; an extension or a pause moves the due date and so starts the
stages afresh. Each stage also leaves one `CaseEvent` ("reminder" for level 1, "escalation"
for levels 2 and 3) on the case's timeline; the events are what a later run checks first,
so a case already handled costs no more than reading its events. One audit record per run.

Scale: cases are read in batches by primary key on the (closed, due_date) index with a
date-range filter; each batch costs a fixed number of queries (assignments, tasks, unit
members, users and existing notifications are fetched in bulk per batch), and only cases
with something new to send are locked and written. Mail goes out after each batch commits.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import ADMIN_ROLES, Role
from zhengban.accounts.models import RoleGrant, UnitMembership, User
from zhengban.audit.services import audit_record
from zhengban.workcalendar.calendar import current_calendar

from .choices import AssignmentRole, AssignmentStatus, DeadlineState, TaskKind, TaskState
from .models import Assignment, Case, CaseEvent, Notification, Task

BATCH_SIZE = 1000
SOON, TODAY, OVERDUE, LEADER = "soon", "today", "overdue", "leader"
STAGES = (SOON, TODAY, OVERDUE, LEADER)
LEVEL = {SOON: 1, TODAY: 1, OVERDUE: 2, LEADER: 3}
EVENT_ACTION = {1: "reminder", 2: "escalation", 3: "escalation"}
NOTIFICATION_KIND = {SOON: "reminder", TODAY: "reminder", OVERDUE: "overdue", LEADER: "escalation"}
EVENT_ACTIONS = ("reminder", "escalation")
ASSIGNMENT_ROLES = (AssignmentRole.LEAD, AssignmentRole.CO)


def remind_workdays() -> int:
    return getattr(settings, "CASES_REMIND_WORKDAYS", 3)


def leader_workdays() -> int:
    return getattr(settings, "CASES_ESCALATE_LEADER_WORKDAYS", 5)


def dedupe_key(case_id: int, stage: str, due: datetime.date) -> str:
    return f"remind:{case_id}:{stage}:{due.isoformat()}"


@dataclass
class TickResult:
    run_date: datetime.date
    dry_run: bool = False
    scanned: int = 0  # open running cases examined (due by the end of the reminder window)
    cases: int = 0  # cases that got at least one new stage
    stages: Counter = field(default_factory=Counter)  # new stages by name
    notifications: int = 0
    emails: int = 0
    events: int = 0
    batches: int = 0
    elapsed: float = 0.0

    def as_dict(self) -> dict:
        return {
            "run_date": self.run_date.isoformat(),
            "dry_run": self.dry_run,
            "scanned": self.scanned,
            "cases": self.cases,
            **{stage: self.stages[stage] for stage in STAGES},
            "notifications": self.notifications,
            "emails": self.emails,
            "events": self.events,
            "batches": self.batches,
            "elapsed": round(self.elapsed, 3),
        }


@dataclass(frozen=True)
class _Person:
    pk: int
    active: bool
    clearance: int
    email: str
    admin: bool

    def may_read(self, sensitivity: int) -> bool:
        # Reminders carry the case title: only people who could open the case get them.
        return self.active and not self.admin and self.clearance >= sensitivity


@dataclass(frozen=True)
class _Member:
    person: _Person
    head: bool
    contact: bool


def _admin_flag():
    return Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role__in=ADMIN_ROLES))


def _person(row: dict) -> _Person:
    return _Person(row["pk"], row["is_active"], row["clearance"], row["email"], row["admin"])


def _date_text(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def message(
    stage: str,
    *,
    number: str,
    title: str,
    due: datetime.date,
    workdays: int,
    leader_after: int,
) -> str:
    """The notification text; `workdays` is left before the due date, or overdue by."""
    title = title if len(title) <= 100 else title[:99] + "…"
    values = {"ref": f"{number}《{title}》", "due": _date_text(due), "n": workdays}
    if stage == SOON:
        return _("【临期提醒】%(ref)s将于%(due)s到期（还有%(n)d个工作日），请抓紧办理。") % values
    if stage == TODAY:
        return _("【临期提醒】%(ref)s将于今日（%(due)s）到期，请抓紧办理。") % values
    if stage == LEADER:
        values["limit"] = leader_after
        return (
            _(
                "【逾期催办】%(ref)s已逾期%(n)d个工作日（办理期限%(due)s），"
                "超过%(limit)d个工作日，报请领导督办。"
            )
            % values
        )
    if workdays < 1:  # overdue since a rest day: not yet a full working day late
        return _("【逾期催办】%(ref)s已逾期（办理期限%(due)s），请抓紧办理。") % values
    return _("【逾期催办】%(ref)s已逾期%(n)d个工作日（办理期限%(due)s），请抓紧办理。") % values


class _Sweep:
    """One run: the calendar window, the people cached across batches, the counters."""

    def __init__(self, today: datetime.date, dry_run: bool):
        self.today = today
        self.calendar = current_calendar()
        self.soon_end = self.calendar.add_workdays(today, remind_workdays()).date
        self.leader_after = leader_workdays()
        self.dry_run = dry_run
        self.result = TickResult(run_date=today, dry_run=dry_run)
        self.people: dict[int, _Person] = {}
        self.members: dict[int, list[_Member]] = {}
        self.leaders: list[_Person] | None = None

    # -- stages ----------------------------------------------------------------------------

    def stage(self, due: datetime.date) -> str | None:
        if due < self.today:
            return OVERDUE
        if due == self.today:
            return TODAY
        if due <= self.soon_end:
            return SOON
        return None

    def wanted(self, due: datetime.date, assignment_dues) -> set[tuple[str, datetime.date]]:
        """(stage, due date) pairs a case calls for today, from its own due date and the
        due dates of its open assignments."""
        wanted = set()
        stage = self.stage(due)
        if stage:
            wanted.add((stage, due))
            if stage == OVERDUE and self.overdue_by(due) > self.leader_after:
                wanted.add((LEADER, due))
        for own in assignment_dues:
            stage = self.stage(own or due)
            if stage:
                wanted.add((stage, own or due))
        return wanted

    def overdue_by(self, due: datetime.date) -> int:
        return self.calendar.workdays_between(due, self.today)

    # -- the sweep -------------------------------------------------------------------------

    def run(self, batch_size: int) -> TickResult:
        started = time.perf_counter()
        due_cases = Case.objects.filter(
            closed=False, deadline_state=DeadlineState.RUNNING, due_date__lte=self.soon_end
        )
        last = 0
        while True:
            rows = list(
                due_cases.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "due_date")[:batch_size]
            )
            if not rows:
                break
            last = rows[-1][0]
            self.batch(rows)
        # Cases due later whose assignment has an earlier own due date (反馈期限).
        early = Assignment.objects.filter(
            status=AssignmentStatus.OPEN,
            role__in=ASSIGNMENT_ROLES,
            due_date__lte=self.soon_end,
            case__closed=False,
            case__deadline_state=DeadlineState.RUNNING,
            case__due_date__gt=self.soon_end,
        )
        last = 0
        while True:
            rows = list(
                early.filter(case_id__gt=last)
                .order_by("case_id")
                .values_list("case_id", "case__due_date")
                .distinct()[:batch_size]
            )
            if not rows:
                break
            last = rows[-1][0]
            self.batch(rows)
        self.result.elapsed = time.perf_counter() - started
        return self.result

    def batch(self, rows: list[tuple[int, datetime.date]]) -> None:
        """Check a batch cheaply (three reads); lock and write only cases with news."""
        self.result.batches += 1
        self.result.scanned += len(rows)
        ids = [pk for pk, _due in rows]
        dues = self._assignment_dues(ids)
        done = self._done(ids)
        pending = [
            pk for pk, due in rows if self.wanted(due, dues.get(pk, ())) - done.get(pk, set())
        ]
        if pending:
            with transaction.atomic():
                self.write(pending)
                if self.dry_run:
                    transaction.set_rollback(True)

    def _assignment_dues(self, ids) -> dict[int, list]:
        dues = defaultdict(list)
        rows = (
            Assignment.objects.filter(
                case_id__in=ids, status=AssignmentStatus.OPEN, role__in=ASSIGNMENT_ROLES
            )
            .order_by()
            .values_list("case_id", "due_date")
        )
        for case_id, due in rows:
            dues[case_id].append(due)
        return dues

    def _done(self, ids) -> dict[int, set]:
        done = defaultdict(set)
        # order_by(): the models' default orderings would join cases_case for nothing.
        rows = (
            CaseEvent.objects.filter(case_id__in=ids, action__in=EVENT_ACTIONS)
            .order_by()
            .values_list("case_id", "data")
        )
        for case_id, data in rows:
            if data.get("stage") and data.get("due_date"):
                done[case_id].add((data["stage"], datetime.date.fromisoformat(data["due_date"])))
        return done

    # -- writing ---------------------------------------------------------------------------

    def write(self, ids: list[int]) -> None:
        cases = list(
            Case.objects.select_for_update()
            .filter(pk__in=ids, closed=False, deadline_state=DeadlineState.RUNNING)
            .order_by("pk")
            .values(
                "pk",
                "number",
                "title",
                "due_date",
                "sensitivity",
                "owner_unit_id",
                "assignee_id",
            )
        )
        ids = [c["pk"] for c in cases]
        done = self._done(ids)  # again, now that the rows are locked
        last_seq = dict(
            CaseEvent.objects.filter(case_id__in=ids)
            .order_by()
            .values("case_id")
            .annotate(m=Max("seq"))
            .values_list("case_id", "m")
        )
        assignments = defaultdict(list)
        for row in (
            Assignment.objects.filter(
                case_id__in=ids, status=AssignmentStatus.OPEN, role__in=ASSIGNMENT_ROLES
            )
            .order_by()
            .values("case_id", "unit_id", "role", "due_date")
        ):
            assignments[row["case_id"]].append(row)
        handlers = defaultdict(set)
        for case_id, user_id in (
            Task.objects.filter(case_id__in=ids, kind=TaskKind.HANDLE, state=TaskState.OPEN)
            .order_by()
            .values_list("case_id", "assignee_id")
        ):
            handlers[case_id].add(user_id)
        for case in cases:
            if case["assignee_id"]:
                handlers[case["pk"]].add(case["assignee_id"])
        self._load_units(
            {c["owner_unit_id"] for c in cases}
            | {a["unit_id"] for rows in assignments.values() for a in rows}
        )
        self._load_people(set().union(*handlers.values()) if handlers else set())

        notices = []  # (case, stage, due, recipients)
        for case in cases:
            wanted = self.wanted(case["due_date"], [a["due_date"] for a in assignments[case["pk"]]])
            wanted -= done.get(case["pk"], set())
            if wanted:
                recipients = self._recipients(case, assignments[case["pk"]], handlers[case["pk"]])
                for stage, due in sorted(wanted, key=lambda w: (STAGES.index(w[0]), w[1])):
                    notices.append((case, stage, due, recipients.get((stage, due), set())))
        self._notify(notices, last_seq)

    def _recipients(self, case, assignments, handlers) -> dict[tuple, set[int]]:
        due = case["due_date"]
        by_notice: dict[tuple, set[int]] = defaultdict(set)
        stage = self.stage(due)
        if stage:
            by_notice[(stage, due)] |= handlers
        if stage == OVERDUE:
            units = [case["owner_unit_id"]]
            units += [a["unit_id"] for a in assignments if a["role"] == AssignmentRole.LEAD]
            by_notice[(stage, due)] |= {
                m.person.pk for unit in units for m in self.members.get(unit, ()) if m.head
            }
            if self.overdue_by(due) > self.leader_after:
                by_notice[(LEADER, due)] |= {p.pk for p in self._leaders()}
        for assignment in assignments:
            own = assignment["due_date"] or due
            stage = self.stage(own)
            if stage:
                by_notice[(stage, own)] |= self._contacts(assignment["unit_id"])
        sensitivity = case["sensitivity"]
        return {
            notice: {pk for pk in people if self.people[pk].may_read(sensitivity)}
            for notice, people in by_notice.items()
        }

    def _contacts(self, unit_id: int) -> set[int]:
        members = self.members.get(unit_id, ())
        contacts = {m.person.pk for m in members if m.contact}
        return contacts or {m.person.pk for m in members}

    def _notify(self, notices, last_seq: dict[int, int]) -> None:
        keys = {dedupe_key(case["pk"], stage, due) for case, stage, due, _r in notices}
        case_ids = {case["pk"] for case, *_rest in notices}
        # Looked up by case (indexed, a few rows each), not by recipient: a leader or a
        # head can have hundreds of thousands of notifications.
        existing = set(
            Notification.objects.filter(case_id__in=case_ids, dedupe_key__in=keys)
            .order_by()
            .values_list("recipient_id", "dedupe_key")
        )
        rows, events, mails = [], [], []
        sender = settings.DEFAULT_FROM_EMAIL
        for case, stage, due, people in notices:
            level = LEVEL[stage]
            workdays = (
                self.calendar.workdays_between(self.today, due)
                if stage == SOON
                else self.overdue_by(due)
            )
            text = message(
                stage,
                number=case["number"],
                title=case["title"],
                due=due,
                workdays=workdays,
                leader_after=self.leader_after,
            )
            key = dedupe_key(case["pk"], stage, due)
            new = sorted(pk for pk in people if (pk, key) not in existing)
            for pk in new:
                rows.append(
                    Notification(
                        recipient_id=pk,
                        case_id=case["pk"],
                        kind=NOTIFICATION_KIND[stage],
                        message=text[:300],
                        dedupe_key=key,
                    )
                )
                if self.people[pk].email:
                    mails.append(
                        EmailMessage(f"[政办] {text[:60]}", text, sender, [self.people[pk].email])
                    )
            last_seq[case["pk"]] = last_seq.get(case["pk"], 0) + 1
            events.append(
                CaseEvent(
                    case_id=case["pk"],
                    seq=last_seq[case["pk"]],
                    actor=None,
                    action=EVENT_ACTION[level],
                    comment=text,
                    data={
                        "stage": stage,
                        "level": level,
                        "due_date": due.isoformat(),
                        "workdays": workdays,
                        "recipients": sorted(people),
                        "run_date": self.today.isoformat(),
                    },
                )
            )
            self.result.stages[stage] += 1
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        CaseEvent.objects.bulk_create(events, batch_size=500)
        self.result.notifications += len(rows)
        self.result.events += len(events)
        self.result.cases += len({case["pk"] for case, *_rest in notices})
        if mails and not self.dry_run:
            self.result.emails += len(mails)
            # After commit, and robust: a mail server outage is logged and does not fail
            # the sweep; the in-app notifications are already committed.
            transaction.on_commit(lambda: mailers.default.send_messages(mails), robust=True)

    # -- people, fetched in bulk and cached for the run ------------------------------------

    def _load_units(self, unit_ids: set[int]) -> None:
        missing = unit_ids - self.members.keys()
        if not missing:
            return
        for unit_id in missing:
            self.members[unit_id] = []
        contact = RoleGrant.objects.filter(user=OuterRef("user_id"), role=Role.UNIT_CONTACT)
        admin = RoleGrant.objects.filter(user=OuterRef("user_id"), role__in=ADMIN_ROLES)
        rows = (
            UnitMembership.objects.filter(unit_id__in=missing)
            .order_by()
            .annotate(contact=Exists(contact), admin=Exists(admin))
            .values(
                "unit_id",
                "user_id",
                "is_head",
                "contact",
                "admin",
                "user__is_active",
                "user__clearance",
                "user__email",
            )
        )
        for row in rows:
            person = self.people.get(row["user_id"]) or _Person(
                row["user_id"],
                row["user__is_active"],
                row["user__clearance"],
                row["user__email"],
                row["admin"],
            )
            self.people[person.pk] = person
            self.members[row["unit_id"]].append(_Member(person, row["is_head"], row["contact"]))

    def _load_people(self, user_ids: set[int]) -> None:
        missing = user_ids - self.people.keys()
        if missing:
            rows = (
                User.objects.filter(pk__in=missing)
                .annotate(admin=_admin_flag())
                .values("pk", "is_active", "clearance", "email", "admin")
            )
            for row in rows:
                self.people[row["pk"]] = _person(row)

    def _leaders(self) -> list[_Person]:
        if self.leaders is None:
            rows = (
                User.objects.filter(role_grants__role=Role.OFFICE_LEADER, is_active=True)
                .annotate(admin=_admin_flag())
                .values("pk", "is_active", "clearance", "email", "admin")
                .order_by("pk")
                .distinct()
            )
            self.leaders = [_person(row) for row in rows]
            self.people.update({p.pk: p for p in self.leaders})
        return self.leaders


# Apps' own daily sweeps (督办 report schedules …), run by `zhengban tick` after the kernel's:
# name → callable(today=date) returning its counts.
_SWEEPS: dict[str, object] = {}


def register_sweep(name: str, sweep) -> None:
    _SWEEPS[name] = sweep


def app_sweeps(today: datetime.date | None = None) -> dict[str, dict]:
    """Run every registered sweep for `today`; their counts by name."""
    return {name: sweep(today=today) for name, sweep in _SWEEPS.items()}


def tick(
    *, today: datetime.date | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> TickResult:
    """Send the reminders and escalations due on `today` (default: the local date).

    Safe to run any number of times; with `dry_run` everything is computed and counted in
    rolled-back transactions and nothing is sent or kept."""
    sweep = _Sweep(today or timezone.localdate(), dry_run)
    result = sweep.run(batch_size)
    if not dry_run:
        audit_record(
            actor=None,
            action="cases.tick",
            summary=_("催办提醒：%(date)s，新提醒%(n)d条")
            % {
                "date": result.run_date.isoformat(),
                "n": result.notifications,
            },
            changes=result.as_dict(),
        )
    return result
