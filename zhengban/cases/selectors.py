"""Reads of the case kernel for pages and the API: querysets with their joins done, and
page-shaped structures built from a fixed number of queries whatever the data size.

Everything starts from `policies.cases_visible_to` / `case_get_for`, so a list, a page or
an endpoint never shows what the policy hides."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case as SqlCase
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhengban.accounts.choices import LEADER_ROLES, ROLES, Clearance, role_label
from zhengban.workcalendar.calendar import add_workdays

from . import search
from .access import relation_label
from .casetypes import case_type_or_none, derivable_from, panels_for
from .choices import (
    AssignmentRole,
    AssignmentStatus,
    Audience,
    Opinion,
    RoundMode,
    RoundState,
    TaskKind,
    TaskState,
    Urgency,
)
from .models import (
    ApprovalRound,
    Assignment,
    Case,
    CaseEvent,
    CaseSlot,
    Comment,
    Delegation,
    Notification,
    Task,
)
from .policies import (
    case_get_for,
    cases_visible_to,
    delegation_scopes,
    principal_ids,
    scoped,
)
from .workflow import Action, Workflow, all_workflows, get_workflow

# Due within this many working days shows amber (临期).
DUE_SOON_WORKDAYS = 3

INBOX_TABS = {
    "todo": pgettext_lazy("inbox tab", "待办"),
    "toread": pgettext_lazy("inbox tab", "待阅"),
    "done": pgettext_lazy("inbox tab", "已办"),
    "read": pgettext_lazy("inbox tab", "已阅"),
    "mine_created": pgettext_lazy("inbox tab", "我发起的"),
    "unit": pgettext_lazy("inbox tab", "本处室"),
    "overdue": pgettext_lazy("inbox tab", "逾期"),
    "week": pgettext_lazy("inbox tab", "本周到期"),
    "all": pgettext_lazy("inbox tab", "全部"),  # every case one may see (the registers)
}

SORTS = {
    "due": gettext_lazy("办理期限"),
    "-created": gettext_lazy("最新创建"),
    "created": gettext_lazy("最早创建"),
    "urgency": gettext_lazy("紧急程度"),
}


# --- labels ----------------------------------------------------------------------------------


def workflow_or_none(case_type: str) -> Workflow | None:
    try:
        return get_workflow(case_type)
    except KeyError:
        return None


def type_label(case_type: str) -> str:
    workflow = workflow_or_none(case_type)
    return str(workflow.label) if workflow else case_type


def state_label(case_type: str, state: str) -> str:
    workflow = workflow_or_none(case_type)
    if workflow is None:
        return state
    try:
        return str(workflow.state(state).label)
    except KeyError:
        return state


# Kernel events that are not declared workflow actions, as the timeline shows them.
KERNEL_EVENT_LABELS = {
    "create": gettext_lazy("创建"),
    "derive": gettext_lazy("发起派生事项"),
    "report.review": gettext_lazy("审核反馈"),
    "update": gettext_lazy("修改"),
    "consult": gettext_lazy("加签"),
    "circulate": gettext_lazy("传阅"),
    "transfer": gettext_lazy("转办"),
    "withdraw": gettext_lazy("撤回"),
    "task.countersign": gettext_lazy("会签意见"),
    "task.consult": gettext_lazy("加签意见"),
    "task.circulate": gettext_lazy("阅知"),
    "task.handle": gettext_lazy("办理意见"),
    "countersign.passed": gettext_lazy("会签通过"),
    "countersign.rejected": gettext_lazy("会签未通过"),
    "assignment.report": gettext_lazy("反馈办理情况"),
    "assignment.return": gettext_lazy("退回交办"),
    "assignment.waive": gettext_lazy("免除协办反馈"),
    "assignment.reassign": gettext_lazy("改派"),
    "assignment.report_recorded": gettext_lazy("代录反馈"),
    "extension.request": gettext_lazy("申请延期"),
    "extension.approve": gettext_lazy("批准延期"),
    "extension.refuse": gettext_lazy("不同意延期"),
    "urge": gettext_lazy("催办"),
    "task.hand": gettext_lazy("处内分办"),
    "attachment.add": gettext_lazy("上传附件"),
    "reminder": gettext_lazy("催办"),  # zhengban tick: due soon, due today, overdue
    "escalation": gettext_lazy("逾期督办"),  # overdue: the unit head, then office leaders
    "deadline.recalculated": gettext_lazy("期限重算"),  # the working-day calendar changed
}


def register_event_label(code: str, label) -> None:
    """How the timeline names an app's own case event (one that is no workflow action)."""
    KERNEL_EVENT_LABELS.setdefault(code, label)


def event_label(workflow: Workflow | None, code: str) -> str:
    if workflow is not None:
        for action in workflow.actions:
            if action.code == code:
                return str(action.label)
    label = KERNEL_EVENT_LABELS.get(code)
    return str(label) if label else code


def relation_text(action: Action, workflow: Workflow | None = None) -> list[str]:
    """Who may take an action, in words: "处室负责人（主责处室负责人）", "指定的批示领导"."""
    slot_labels = workflow.slot_labels if workflow else {}
    lines = []
    for permit in action.permits:
        ordered = [r for r in ROLES if r in permit.roles]
        roles = "、".join(role_label(r) for r in ordered)
        relation = relation_label(permit.relation, slot_labels)
        if roles and permit.relation != "any":
            lines.append(f"{roles}（{relation}）")
        elif roles:
            lines.append(roles)
        else:
            lines.append(relation)
    return lines


# --- inbox -----------------------------------------------------------------------------------


@dataclass
class InboxFilters:
    """What the inbox (and the API list) may be narrowed by; all optional."""

    case_type: str = ""
    state: str = ""
    urgency: str = ""
    sensitivity: int | None = None
    unit: int | None = None
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    q: str = ""
    sort: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # the selected type's own filters


def due_soon_cutoff(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return add_workdays(today, DUE_SOON_WORKDAYS).date


def _week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday, monday + datetime.timedelta(days=6)


def filter_units(user):
    """Units the inbox may be narrowed to: one's own; every unit for leaders."""
    units = unit_choices_queryset()
    return units if user.has_role(*LEADER_ROLES) else units.filter(pk__in=user.unit_ids)


def _within_clearance(user) -> QuerySet[Case]:
    if not user.is_authenticated or user.is_admin_role:
        return Case.objects.none()
    return Case.objects.filter(sensitivity__lte=user.clearance)


def my_tasks(user, ids: list[int] | None = None) -> QuerySet[Task]:
    """Open tasks addressed to the user (or a delegator): their own, and their units' not
    yet handed to a person — the heads' only where the task is for heads."""
    ids = principal_ids(user) if ids is None else ids

    def term(principals: list[int]) -> Q:
        if not principals:
            return Q(pk__in=[])
        unit_ids, led_ids = _principal_units(user, principals)
        mine = Q(assignee_id__in=principals)
        if unit_ids:
            mine |= Q(assignee__isnull=True, unit_id__in=unit_ids, heads_only=False)
        if led_ids:
            mine |= Q(assignee__isnull=True, unit_id__in=led_ids, heads_only=True)
        return mine

    scopes = {pk: types for pk, types in delegation_scopes(user).items() if pk in ids}
    tasks = Task.objects.filter(state=TaskState.OPEN)
    return tasks.filter(scoped(scopes, term, field="case__case_type"))


def my_task_cases(user, ids: list[int], narrow: Q) -> QuerySet:
    """The cases of `my_tasks(user, ids)` narrowed by `narrow`, as a UNION with one index
    range per kind of addressee: SQLite reads an OR of them row by row, each part of a UNION
    from its covering index alone (the task's kind and case are in it)."""
    scopes = {pk: types for pk, types in delegation_scopes(user).items() if pk in ids}
    groups = [([pk for pk, types in scopes.items() if not types], frozenset())]
    groups += [([pk], types) for pk, types in scopes.items() if types]
    parts = []
    for principals, types in groups:
        if not principals:
            continue
        unit_ids, led_ids = _principal_units(user, principals)
        tasks = Task.objects.filter(narrow, state=TaskState.OPEN)
        if types:
            tasks = tasks.filter(case__case_type__in=sorted(types))
        parts.append(tasks.filter(assignee_id__in=principals))
        if unit_ids:
            parts.append(
                tasks.filter(assignee__isnull=True, unit_id__in=unit_ids, heads_only=False)
            )
        if led_ids:
            parts.append(tasks.filter(assignee__isnull=True, unit_id__in=led_ids, heads_only=True))
    cases = [part.values("case_id") for part in parts]
    return cases[0].union(*cases[1:], all=True) if len(cases) > 1 else cases[0]


def _principal_units(user, ids: list[int]) -> tuple[set[int], set[int]]:
    if ids == [user.pk]:
        return set(user.unit_ids), set(user.led_unit_ids)
    from .access import principals_of

    principals = [p for p in principals_of(user) if p.pk in ids]
    return (
        set().union(*(p.unit_ids for p in principals)),
        set().union(*(p.led_unit_ids for p in principals)),
    )


def inbox_queryset(user, tab: str, filters: InboxFilters | None = None) -> QuerySet[Case]:
    """The rows of an inbox tab, filtered and sorted, with everything a row shows joined or
    annotated (no query per row). 待办 and 待阅 are tasks; 已办 is what the user acted on."""
    filters = filters or InboxFilters()
    today = timezone.localdate()
    ids = principal_ids(user)
    # 待办, 待阅 and 本处室 hold only cases the user's tasks or units make visible already
    # (asserted in a test): running the visibility OR on every row would change nothing.
    scoped_delegation = any(delegation_scopes(user).values())
    implied = tab in ("todo", "toread", "unit") and not scoped_delegation
    qs = _within_clearance(user) if implied else cases_visible_to(user)
    # Tabs are index lookups on tasks, events or cases (`pk IN (...)`), not conditions OR-ed
    # across tables, which make SQLite scan every case.
    if tab == "todo":
        qs = qs.filter(pk__in=my_task_cases(user, ids, ~Q(kind=TaskKind.CIRCULATE)))
    elif tab == "toread":
        unread = Q(kind=TaskKind.CIRCULATE, read_at__isnull=True)
        qs = qs.filter(pk__in=my_task_cases(user, ids, unread))
    elif tab == "read":
        # Opening a 传阅 is its read receipt; a written 阅示意见 may still follow.
        read = Task.objects.filter(
            assignee_id__in=ids, kind=TaskKind.CIRCULATE, read_at__isnull=False
        ).exclude(state=TaskState.WITHDRAWN)
        qs = qs.filter(pk__in=read.values("case_id"))
    elif tab == "done":
        acted = CaseEvent.objects.filter(actor_id__in=ids).exclude(action="create")
        qs = qs.filter(pk__in=acted.values("case_id"))
    elif tab == "mine_created":
        qs = qs.filter(creator_id__in=ids)
    elif tab == "unit":
        unit_ids, _led = _principal_units(user, ids)
        owned = Case.objects.filter(closed=False, owner_unit_id__in=unit_ids).values("pk")
        # Open cases only, checked once on the union (from the case keys' index), not by a
        # join per assignment.
        assigned = Assignment.objects.filter(
            unit_id__in=unit_ids, status=AssignmentStatus.OPEN
        ).values("case_id")
        cases = owned.union(assigned, all=True)
        if filters.sort in ("", "due"):
            # By due date SQLite walks the open cases' index in order and stops at the page
            # (or the count's cap); `pk + 0` keeps it from reading the union's 10^4 cases by
            # id first and sorting them all.
            qs = qs.alias(pk_probe=F("pk") + 0).filter(closed=False, pk_probe__in=cases)
        else:
            qs = qs.filter(closed=False, pk__in=cases)
    elif tab == "overdue":
        qs = qs.filter(closed=False, due_date__lt=today)
    elif tab == "week":
        monday, sunday = _week(today)
        qs = qs.filter(closed=False, due_date__gte=monday, due_date__lte=sunday)
    qs = _readable_matches(user, apply_filters(qs, filters), filters.q)
    # Sorted and paged without the per-row subqueries (SQLite sorts whole rows: a 50,000-row
    # tab would run them all to show 25); `decorate_rows` adds them for the page shown.
    qs = qs.select_related("owner_unit", "assignee").annotate(urgency_rank=URGENCY_RANK)
    return qs.order_by(*_ordering(tab, filters.sort))


def apply_filters(qs: QuerySet[Case], filters: InboxFilters) -> QuerySet[Case]:
    if filters.case_type:
        qs = qs.filter(case_type=filters.case_type)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.sensitivity is not None:
        qs = qs.filter(sensitivity=filters.sensitivity)
    if filters.unit:
        assigned = Assignment.objects.filter(case=OuterRef("pk"), unit_id=filters.unit)
        qs = qs.filter(Q(owner_unit_id=filters.unit) | Exists(assigned))
    if filters.created_from:
        qs = qs.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        qs = qs.filter(created_at__date__lte=filters.created_to)
    if filters.due_from:
        qs = qs.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(due_date__lte=filters.due_to)
    if filters.q.strip():
        qs = search.search_filter(qs, filters.q)
    case_type = case_type_or_none(filters.case_type) if filters.extra else None
    for name, value in filters.extra.items():
        spec = case_type.filter(name) if case_type else None
        if spec is not None:
            lookup = spec.lookup if spec.choices else f"{spec.lookup}__icontains"
            qs = qs.filter(**{lookup: value})
    return qs


def type_columns(case_type_code: str) -> tuple:
    """The list columns the selected type adds (none when no single type is selected)."""
    case_type = case_type_or_none(case_type_code) if case_type_code else None
    return case_type.columns if case_type else ()


def with_columns(qs: QuerySet[Case], columns) -> QuerySet[Case]:
    joins = [c.select for c in columns if c.select]
    return qs.select_related(*joins) if joins else qs


URGENCY_RANK = SqlCase(
    When(urgency=Urgency.EXTRA_URGENT, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def annotate_rows(qs: QuerySet[Case], ids: list[int], user=None) -> QuerySet[Case]:
    lead = Assignment.objects.filter(
        case=OuterRef("pk"),
        role=AssignmentRole.LEAD,
        status__in=(AssignmentStatus.OPEN, AssignmentStatus.REPORTED),
    ).order_by("-pk")
    tasks = (
        my_tasks(user, ids)
        if user is not None
        else Task.objects.filter(assignee_id__in=ids, state=TaskState.OPEN)
    )
    my_task = tasks.filter(case=OuterRef("pk")).order_by("pk")
    return qs.select_related("owner_unit", "assignee").annotate(
        lead_unit_name=Subquery(lead.values("unit__name")[:1]),
        my_task_kind=Subquery(my_task.values("kind")[:1]),
        urgency_rank=URGENCY_RANK,
    )


def _ordering(tab: str, sort: str) -> list:
    if sort == "-created":
        return ["-created_at", "-pk"]
    if sort == "created":
        return ["created_at", "pk"]
    if sort == "urgency":
        return ["urgency_rank", F("due_date").asc(nulls_last=True), "-pk"]
    if tab == "all" and not sort:  # a register reads newest first
        return ["-created_at", "-pk"]
    if sort == "due" or tab not in ("done", "read", "mine_created"):
        return [F("due_date").asc(nulls_last=True), "-created_at", "-pk"]
    return ["-updated_at", "-pk"]


def decorate_rows(rows, today: datetime.date | None = None, *, user=None) -> list[Case]:
    """Attach what the row template shows: labels and overdue/due-soon without queries, and
    — for the page of an inbox tab, given the user — the lead unit and the user's task kind
    in one query for the page's rows."""
    today = today or timezone.localdate()
    soon = due_soon_cutoff(today)
    rows = list(rows)
    if user is not None and rows and not hasattr(rows[0], "my_task_kind"):
        pks = [case.pk for case in rows]
        extra = annotate_rows(Case.objects.filter(pk__in=pks), principal_ids(user), user)
        found = {r["pk"]: r for r in extra.values("pk", "lead_unit_name", "my_task_kind")}
        for case in rows:
            case.lead_unit_name = found[case.pk]["lead_unit_name"]
            case.my_task_kind = found[case.pk]["my_task_kind"]
    for case in rows:
        case.type_label = type_label(case.case_type)
        case.state_label = state_label(case.case_type, case.state)
        case.is_overdue = bool(not case.closed and case.due_date and case.due_date < today)
        case.is_due_soon = bool(
            not case.closed and case.due_date and today <= case.due_date <= soon
        )
        kind = getattr(case, "my_task_kind", None)
        case.my_task_label = str(TaskKind(kind).label) if kind else ""
    return rows


# --- paging a list of cases ------------------------------------------------------------------

# A list counts its rows exactly up to this many and says "200+" past it: counting every case
# of a busy 处长's 逾期 (8,000 of 10^6, each checked for visibility) costs many times the page.
COUNT_CAP = 200


class AtLeast(int):
    """A count that stopped at the cap: arithmetic sees CAP + 1 (one more page to go to),
    pages show "200+"."""

    def __str__(self) -> str:
        return f"{int(self) - 1}+"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else format(int(self), spec)


class CasePaginator(Paginator):
    """Pages of a case list without the costs that grow with the list. One narrow query
    reads the sort keys of the first COUNT_CAP + 1 rows (from an index: SQLite otherwise
    sorts whole rows, bodies and joins included): their number is the count, "200+" past
    the cap, and their slice the page, whose 25 rows a second query reads whole. Pages past
    the cap (none, as shown) would read their keys on their own."""

    def __init__(self, object_list, per_page, *, user=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.user = user

    @cached_property
    def _keys(self) -> list[int]:
        return list(self.object_list.values_list("pk", flat=True)[: COUNT_CAP + 1])

    @cached_property
    def count(self) -> int:
        n = len(self._keys)
        return AtLeast(n) if n > COUNT_CAP else n

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        # Past the cap the count is a floor, not the end: the last page goes on to its size.
        if top + self.orphans >= self.count and not isinstance(self.count, AtLeast):
            top = self.count
        if top <= len(self._keys):
            keys = self._keys[bottom:top]
        else:
            keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(rows_of(self.object_list, keys, self.user), number, self)


def rows_of(qs: QuerySet[Case], keys: list[int], user=None) -> list[Case]:
    """The cases `keys` (in that order) whole, with the joins of `qs` and — given the user —
    the row annotations, in one query."""
    if not keys:
        return []
    rows = Case.objects.filter(pk__in=keys)
    rows.query.select_related = qs.query.select_related
    if user is not None:
        rows = annotate_rows(rows, principal_ids(user), user)
    found = {case.pk: case for case in rows}
    return [found[pk] for pk in keys if pk in found]


def paginator(queryset, per_page: int, *, user=None) -> Paginator:
    """The paginator for a list page: CasePaginator for cases, Django's for the rest."""
    if getattr(queryset, "model", None) is Case:
        return CasePaginator(queryset, per_page, user=user)
    return Paginator(queryset, per_page)


# --- the case page ---------------------------------------------------------------------------


@dataclass
class RoundView:
    round: ApprovalRound
    tasks: list[Task]
    agree: int = 0
    disagree: int = 0
    pending: int = 0
    mode_text: str = ""


@dataclass
class AssignmentView:
    assignment: Assignment
    can_report: bool = False
    can_return: bool = False
    can_waive: bool = False
    can_reassign: bool = False
    can_record: bool = False  # 代录 for a unit without accounts
    can_extend: bool = False  # 申请延期
    can_urge: bool = False  # 催办


@dataclass
class TimelineEntry:
    event: CaseEvent
    label: str
    actor: str
    on_behalf_of: str
    from_label: str
    to_label: str
    units: str = ""  # 主办/协办 of a 交办, or the units of a 改派, from the event's data


def _event_units(data: dict) -> str:
    # Composed here, not in the template: a key missing from a dict costs the template
    # engine three failed lookups, and a 50-entry history asks four per entry.
    if data.get("lead_unit"):
        text = _("主办：%(lead)s") % {"lead": data["lead_unit"]}
        if data.get("co_units"):
            text += "；" + _("协办：") + "、".join(map(str, data["co_units"]))
        return text
    if data.get("to_unit"):
        return f"{data.get('from_unit', '')} → {data['to_unit']}"
    return ""


@dataclass
class CasePage:
    case: Case
    workflow: Workflow | None
    type_label: str
    state_label: str
    assignments: list[AssignmentView]
    open_tasks: list[Task]
    done_tasks: list[Task]
    my_tasks: list[Task]
    rounds: list[RoundView]
    timeline: list[TimelineEntry]
    comments: list
    attachments: list
    actions: list[Action]
    may_hold: bool
    may_withdraw: bool
    is_overdue: bool
    is_due_soon: bool
    pause_reason: str = ""
    blocked: dict[str, str] = field(default_factory=dict)
    access: object = None
    revisions: list = field(default_factory=list)
    may_edit: bool = False


def case_for_page(user, pk) -> Case:
    """The case with its header joins; 404 when missing or not visible."""
    return case_get_for(user, pk, Case.objects.select_related("owner_unit", "assignee", "creator"))


# The people each row of the page names, by foreign key: read once for the whole page (one
# query, only the columns `str(user)` needs) instead of joined into every row — a 50-entry
# history names a handful of people a hundred times, and their password hashes and TOTP
# secrets have no business on the page.
NAMED_PEOPLE = {
    "assignments": ("reported_by",),
    "tasks": ("assignee", "completed_by", "requested_by"),
    "slots": ("user",),
    "events": ("actor", "on_behalf_of"),
    "comments": ("author",),
    "attachments": ("uploaded_by",),
}


def _attach_people(groups: list[tuple[list, tuple[str, ...]]]) -> None:
    from zhengban.accounts.models import User

    ids = {
        getattr(row, f"{name}_id")
        for rows, names in groups
        for row in rows
        for name in names
        if getattr(row, f"{name}_id")
    }
    people = (
        {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "username", "display_name")}
        if ids
        else {}
    )
    for rows, names in groups:
        for row in rows:
            for name in names:
                pk = getattr(row, f"{name}_id")
                if pk in people:
                    setattr(row, name, people[pk])


def case_related(case: Case) -> Case:
    """Prefetch everything the page and the API detail show, in a fixed number of queries."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        [case],
        Prefetch(
            "assignments",
            # Lead (主办) before co-units (协办).
            queryset=Assignment.objects.select_related("unit")
            .prefetch_related("reports")
            .order_by("-role", "pk"),
        ),
        Prefetch("tasks", queryset=Task.objects.select_related("unit")),
        "slots",
        Prefetch("rounds", queryset=ApprovalRound.objects.order_by("pk")),
        Prefetch("events", queryset=CaseEvent.objects.order_by("seq")),
        "comments",
        "attachments",
    )
    cache = case._prefetched_objects_cache
    groups = [(list(cache[relation]), names) for relation, names in NAMED_PEOPLE.items()]
    reports = [r for a in cache["assignments"] for r in a.reports.all()]
    _attach_people([*groups, (reports, ("author",))])
    return case


def _pause_reason(case: Case, events: list[CaseEvent]) -> str:
    """The reason of the pause in force: the last deadline event, if it is a pause."""
    from zhengban.workcalendar.choices import PauseReason

    last = None
    for event in events:
        if "deadline" in (event.data or {}):
            last = event
    if last is None or last.data.get("deadline") != "pause":
        return ""
    code = last.data.get("reason", "")
    label = PauseReason(code).label if code in PauseReason.values else code
    return f"{label}：{last.comment}" if last.comment else str(label)


def may_withdraw(user, case: Case, events: list[CaseEvent]) -> bool:
    from .services import WITHDRAWABLE_KERNEL_EVENTS

    if not events or not user.is_authenticated:
        return False
    last = events[-1]
    if last.actor_id != user.pk:
        return False
    if last.action in WITHDRAWABLE_KERNEL_EVENTS:
        return True
    workflow = workflow_or_none(case.case_type)
    return bool(workflow) and any(
        a.code == last.action and a.withdrawable for a in workflow.actions
    )


def _deadline_applicable(action: Action, case: Case) -> bool:
    """Hide the clock actions that cannot apply now (resume while running, pause while
    paused, extend with no extension left). The workflow declares these as effects, not
    guards, so the page reads the effect kind; the service still decides on submit."""
    from zhengban.workcalendar.deadlines import extension_refusal, get_rule

    for effect in action.effects:
        kind = getattr(effect.apply, "__qualname__", "").split(".")[0]
        paused = case.deadline_state == "paused"
        if kind == "resume_deadline" and not paused:
            return False
        if kind == "pause_deadline" and (
            paused or not case.deadline_rule or not get_rule(case.deadline_rule).pausable
        ):
            return False
        if kind == "extend_deadline" and (
            not case.deadline_rule
            or extension_refusal(get_rule(case.deadline_rule), case.deadline_extensions)
        ):
            return False
    return True


def guard_refusals(user, case: Case, actions: list[Action]) -> dict[str, str]:
    """The first failing declared guard of each action, to show beside its button (the
    service checks again on submit, with the parameters)."""
    from .context import ActionContext

    workflow = workflow_or_none(case.case_type)
    refusals = {}
    for action in actions:
        ctx = ActionContext(
            case=case,
            workflow=workflow,
            action=action,
            actor=user,
            principal=user,
            params={},
            comment="",
            today=timezone.localdate(),
        )
        for guard in action.guards:
            if not guard.check(ctx):
                refusals[action.code] = str(guard.message)
                break
    return refusals


def _shown_to_external(access, events, tasks, comments, attachments):
    """What a contact of an external handling unit reads: the 交办单, its own assignment and
    reports, what was addressed to it — never internal opinions, send-back reasons or other
    units' reports, unless shared."""
    own = {a.pk for a in access.assignments if a.unit_id in access.unit_ids}
    ids = set(access.ids)

    def event_shown(e) -> bool:
        data = e.data or {}
        if e.actor_id in ids or data.get("assignment_id") in own:
            return True
        if set(data.get("assignment_ids") or ()) & own:
            return True  # 交办 naming this unit, 催办 addressed to it
        return e.action == "create"

    return (
        [e for e in events if event_shown(e)],
        [t for t in tasks if t.assignee_id in ids or t.assignment_id in own],
        [c for c in comments if c.audience == Audience.SHARED or c.author_id in ids],
        [a for a in attachments if a.audience == Audience.SHARED or a.uploaded_by_id in ids],
        own,
    )


def type_panels(user, case: Case) -> list[dict]:
    """The panels the case's type adds to its page, each with the type's detail row."""
    panels = panels_for(case.case_type)
    if not panels:
        return []
    case_type = case_type_or_none(case.case_type)
    detail = case_type.detail_of(case) if case_type else None
    return [
        {
            "label": panel.label,
            "template": panel.template,
            "detail": detail,
            "extra": panel.context(user, case, detail) if panel.context else {},
        }
        for panel in panels
    ]


@dataclass
class Revision:
    """One 修改 of a case: who, when, and per field the text with deletions and insertions."""

    event: CaseEvent
    fields: list[tuple[str, SafeString]]


def _diff_html(old: str, new: str) -> SafeString:
    """Character-level difference (Chinese has no word spaces), escaped, <del>/<ins> marked."""
    import difflib

    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(old[a1:a2]))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(old[a1:a2])}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return mark_safe("".join(out))


def revisions(case: Case, events: list[CaseEvent]) -> list[Revision]:
    labels = {"title": _("标题"), "body": _("事项内容"), "urgency": _("紧急程度")}
    found = []
    for event in events:
        changes = (event.data or {}).get("changes") if event.action == "update" else None
        if not changes:
            continue
        found.append(
            Revision(
                event=event,
                fields=[
                    (str(labels.get(name, name)), _diff_html(str(old), str(new)))
                    for name, (old, new) in changes.items()
                ],
            )
        )
    return found


def readable(user, case: Case, rows) -> list:
    """Comments or attachments of a case the user may read (audience), oldest first."""
    from .access import CaseAccess

    access = CaseAccess(user, case)
    return [r for r in rows.order_by("created_at", "pk") if access.may_read(r)]


def case_page(user, case: Case) -> CasePage:
    from .access import CaseAccess
    from .services import available_actions

    case_related(case)
    access = CaseAccess.of(user, case)
    workflow = workflow_or_none(case.case_type)
    events = list(case.events.all())
    tasks = list(case.tasks.all())
    comments = list(case.comments.all())
    attachments = list(case.attachments.all())
    assignment_rows = list(case.assignments.all())
    if access.external:
        events, tasks, comments, attachments, own = _shown_to_external(
            access, events, tasks, comments, attachments
        )
        assignment_rows = [a for a in assignment_rows if a.pk in own]
    today = timezone.localdate()
    is_leader = access.is_leader
    may_manage = access.may_manage_assignments

    assignments = []
    for a in assignment_rows:
        member = access.assignment_member(a) is not None
        is_open = a.status == AssignmentStatus.OPEN
        assignments.append(
            AssignmentView(
                assignment=a,
                can_report=is_open and member and not case.closed,
                can_return=is_open and member and not case.closed,
                can_waive=is_open and a.role == AssignmentRole.CO and is_leader,
                can_reassign=(
                    a.status in (AssignmentStatus.OPEN, AssignmentStatus.RETURNED)
                    and may_manage
                    and not case.closed
                ),
                can_record=is_open and may_manage and not member and not case.closed,
                can_extend=is_open and member and not case.closed and bool(case.due_date),
                can_urge=is_open and may_manage and not member and not case.closed,
            )
        )

    rounds = []
    for r in [] if access.external else case.rounds.all():
        round_tasks = [t for t in tasks if t.round_id == r.pk]
        live = [t for t in round_tasks if t.state not in (TaskState.WITHDRAWN,)]
        view = RoundView(round=r, tasks=round_tasks)
        view.agree = sum(1 for t in live if t.opinion == Opinion.AGREE)
        view.disagree = sum(1 for t in live if t.opinion == Opinion.DISAGREE)
        view.pending = sum(1 for t in live if t.state == TaskState.OPEN)
        mode = RoundMode(r.mode).label
        if r.mode == RoundMode.QUORUM:
            mode = _("%(mode)s（须%(n)d人同意）") % {"mode": mode, "n": r.quorum or 0}
        if r.veto:
            mode = _("%(mode)s，一票否决") % {"mode": mode}
        view.mode_text = str(mode)
        rounds.append(view)

    timeline = []
    for e in events:
        timeline.append(
            TimelineEntry(
                event=e,
                label=event_label(workflow, e.action),
                actor=str(e.actor) if e.actor else _("系统"),
                on_behalf_of=str(e.on_behalf_of) if e.on_behalf_of else "",
                from_label=state_label(case.case_type, e.from_state) if e.from_state else "",
                to_label=state_label(case.case_type, e.to_state) if e.to_state else "",
                units=_event_units(e.data) if isinstance(e.data, dict) else "",
            )
        )

    open_tasks = [t for t in tasks if t.state == TaskState.OPEN]
    actions = (
        [a for a in available_actions(user, case, access) if _deadline_applicable(a, case)]
        if workflow
        else []
    )
    mine = {t.pk for t in access.open_tasks()}
    return CasePage(
        case=case,
        workflow=workflow,
        type_label=type_label(case.case_type),
        state_label=state_label(case.case_type, case.state),
        assignments=assignments,
        open_tasks=open_tasks,
        done_tasks=[t for t in tasks if t.state == TaskState.DONE],
        my_tasks=[t for t in open_tasks if t.pk in mine],
        rounds=rounds,
        timeline=timeline,
        comments=comments,
        attachments=attachments,
        actions=actions,
        blocked=guard_refusals(user, case, actions),
        may_hold=access.holder() is not None,
        may_withdraw=may_withdraw(user, case, events),
        is_overdue=bool(not case.closed and case.due_date and case.due_date < today),
        is_due_soon=bool(
            not case.closed and case.due_date and today <= case.due_date <= due_soon_cutoff(today)
        ),
        pause_reason=_pause_reason(case, events) if case.deadline_state == "paused" else "",
        access=access,
        revisions=revisions(case, events),
        may_edit=bool(
            workflow and access.may_edit and workflow.state(case.state).editable - {"attachments"}
        ),
    )


def round_status_label(state: str) -> str:
    return str(RoundState(state).label)


# --- pickers ---------------------------------------------------------------------------------


def unit_choices_queryset():
    from zhengban.org.models import Unit

    return Unit.objects.filter(active=True).select_related("organization")


def people_queryset(min_clearance: int = Clearance.PUBLIC):
    """People who may be given a task: active, cleared, not one of the 三员."""
    from zhengban.accounts.choices import ADMIN_ROLES
    from zhengban.accounts.models import RoleGrant, User

    admins = RoleGrant.objects.filter(user=OuterRef("pk"), role__in=ADMIN_ROLES)
    return (
        User.objects.filter(is_active=True, clearance__gte=min_clearance)
        .exclude(Exists(admins))
        .order_by("display_name", "username")
    )


def unit_people(unit_id: int):
    """The active people of a unit, for 处内分办."""
    from zhengban.accounts.models import User

    return User.objects.filter(memberships__unit_id=unit_id, is_active=True).order_by(
        "display_name", "username"
    )


def creatable_units(user):
    """Units the user may create cases for (services.may_create decides the same): their own
    office units, or any for leaders. External handling units handle cases; they don't own them."""
    from zhengban.org.choices import UnitKind

    units = unit_choices_queryset().exclude(kind=UnitKind.EXTERNAL)
    if user.has_role(*LEADER_ROLES):
        return units
    return units.filter(pk__in=user.unit_ids)


# --- search ----------------------------------------------------------------------------------


def search_cases(user, query: str) -> QuerySet[Case]:
    qs = _readable_matches(user, search.search_filter(cases_visible_to(user), query), query)
    return annotate_rows(qs, principal_ids(user), user).order_by("-created_at", "-pk")


# An external unit's contact sees few cases; more than this is not an external unit's list.
EXTERNAL_SEARCH_LIMIT = 2000


def _readable_matches(user, qs: QuerySet[Case], query: str) -> QuerySet[Case]:
    """The index holds every 留言, internal ones too. A contact of an external handling unit
    finds a case only by what they may read — number, title, body, the type's text and
    shared 留言 — so a search cannot tell them what the office wrote internally."""
    from .access import acts_externally

    if not query.strip() or not acts_externally(user):
        return qs
    wanted = set(search.tokenize(query))
    cases = list(qs.only("pk", "number", "title", "body", "case_type")[:EXTERNAL_SEARCH_LIMIT])
    shared: dict[int, list[str]] = {}
    for case_id, text in Comment.objects.filter(
        case__in=cases, audience=Audience.SHARED
    ).values_list("case_id", "text"):
        shared.setdefault(case_id, []).append(text)

    def readable(case) -> set[str]:
        parts = [case.number, case.title, case.body, search.type_text(case)]
        return set(search.tokenize(" ".join([*parts, *shared.get(case.pk, [])])))

    keep = [case.pk for case in cases if wanted <= readable(case)]
    return qs.filter(pk__in=keep)


def highlight(text: str, query: str) -> SafeString:
    """`text` escaped, with the query's tokens wrapped in <mark>."""
    tokens = sorted({t for t in search.tokenize(query) if t}, key=len, reverse=True)
    if not tokens:
        return mark_safe(escape(text))
    # Lower-case character by character, keeping where each lowered character came from:
    # some characters lower to more than one ("İ" → "i̇"), and indices must stay on `text`.
    lowered, origin = [], []
    for i, char in enumerate(text):
        for low in char.lower():
            lowered.append(low)
            origin.append(i)
    lowered = "".join(lowered)
    marks = [False] * len(text)
    for token in tokens:
        start = lowered.find(token)
        while start != -1:
            for i in range(start, start + len(token)):
                marks[origin[i]] = True
            start = lowered.find(token, start + len(token))
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = escape(text[i:j])
        out.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return mark_safe("".join(out))


# --- 工作台 ------------------------------------------------------------------------------------


@dataclass
class Workbench:
    todo: int
    toread: int
    overdue: int
    due_soon: int
    next_due: list
    notices: list
    yesterday: datetime.date  # 逾期 links to 待办 due up to yesterday
    soon: datetime.date


def workbench(user, today: datetime.date | None = None) -> Workbench:
    """The home page's counts (待办, 待阅, and of the 待办 those 逾期 and 临期), the next
    deadlines among them and the latest notices — a fixed number of queries."""
    today = today or timezone.localdate()
    todo = inbox_queryset(user, "todo")
    soon = due_soon_cutoff(today)
    next_due = decorate_rows(
        todo.filter(due_date__isnull=False).order_by("due_date", "pk")[:5], user=user
    )
    return Workbench(
        todo=todo.count(),
        toread=inbox_queryset(user, "toread").count(),
        overdue=todo.filter(due_date__lt=today).count(),
        due_soon=todo.filter(due_date__gte=today, due_date__lte=soon).count(),
        next_due=next_due,
        notices=list(notifications_of(user)[:5]),
        yesterday=today - datetime.timedelta(days=1),
        soon=soon,
    )


# --- delegations and notifications -----------------------------------------------------------


def delegations_of(user) -> tuple[list[Delegation], list[Delegation]]:
    """(given, taken) delegations of the user, newest first."""
    rows = list(
        Delegation.objects.filter(Q(delegator=user) | Q(delegate=user))
        .select_related("delegator", "delegate")
        .order_by("-start", "-pk")
    )
    today = timezone.localdate()
    for d in rows:
        d.in_force = not d.revoked and d.start <= today <= d.end
        d.expired = d.end < today
    return (
        [d for d in rows if d.delegator_id == user.pk],
        [d for d in rows if d.delegate_id == user.pk],
    )


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("case")


# --- workflows -------------------------------------------------------------------------------


def workflows_sorted() -> list[Workflow]:
    return sorted(all_workflows(), key=lambda w: w.case_type)


def slot_turns(case: Case, slot: str) -> list[tuple]:
    """An ordered slot's people and when each took their turn (None: not yet), for panels;
    reads the case's prefetched slots when the page loaded them."""
    rows = getattr(case, "_prefetched_objects_cache", {}).get("slots")
    if rows is None:
        rows = CaseSlot.objects.filter(case=case, name=slot).select_related("user")
    return [(s.user, s.done_at) for s in sorted(rows, key=lambda s: s.position) if s.name == slot]


def related_cases(user, case: Case) -> dict:
    """来源与派生事项: the case it was started from and those started from it, as far as the
    user may read them (one query, two when there are any), and the types the user may start
    from it."""
    from .services import creation_refusal

    near = Q(parent_id=case.pk) | Q(pk=case.parent_id) if case.parent_id else Q(parent_id=case.pk)
    # The relatives by index first: the visibility check runs on them, not on every case, and
    # not at all for the many cases that have none.
    relatives = list(Case.objects.filter(near).values_list("pk", flat=True))
    rows = (
        list(
            cases_visible_to(user, Case.objects.filter(pk__in=relatives))
            .only("pk", "number", "title", "case_type", "state", "parent_id")
            .order_by("created_at", "pk")
        )
        if relatives
        else []
    )
    startable = (
        []
        if user.is_admin_role
        else [
            t
            for t in derivable_from(case.case_type, case.state)
            if not creation_refusal(user, t.workflow)
        ]
    )
    return {
        "source": next((r for r in rows if r.pk == case.parent_id), None),
        "derived": [r for r in rows if r.parent_id == case.pk],
        "startable": startable,
    }
