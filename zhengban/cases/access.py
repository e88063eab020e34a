"""The one access decision per (user, case).

`CaseAccess(user, case)` is computed once per request from a fixed number of queries,
whatever the user's delegations (委托), the case's history or its number of assignments.
Services enforce with it, pages and the API display with it; nothing else decides "may
they". Lists and search use `policies.cases_visible_to`, which states the same visibility
rule as a query.

Access follows participation: a task withdrawn before it was acted on grants nothing, a
unit whose assignment was reassigned away keeps read access only, and a contact of an
external handling unit (市直部门, 区县政府) never acts on the owner's side of a case.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES

from .choices import AssignmentRole, AssignmentStatus, TaskState
from .models import Assignment, Case, CaseSlot, Task
from .policies import delegation_scopes

# Assignment states in which a unit still works on the case (a lead that has reported is
# the lead until the case moves on).
WORKING = (AssignmentStatus.OPEN, AssignmentStatus.REPORTED)
# Tasks that grant visibility: a withdrawn one never reached its addressee.
GRANTING = (TaskState.OPEN, TaskState.DONE, TaskState.CANCELLED)


@dataclass(frozen=True)
class Principal:
    """Someone the user may act as: themself, or a delegator whose 委托 is in force."""

    user: object
    unit_ids: frozenset[int]
    led_unit_ids: frozenset[int]
    roles: frozenset[str]
    # Belongs to external handling units only: works on its assignments, never as the owner.
    external: bool
    # The case types the user acts in as this principal (委托 by type); empty: all.
    case_types: frozenset[str] = frozenset()

    def covers(self, case_type: str) -> bool:
        return not self.case_types or case_type in self.case_types

    @property
    def pk(self) -> int:
        return self.user.pk

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def principals_of(user, on: datetime.date | None = None) -> list[Principal]:
    """The user first, then their delegators; cached on the user object for the day."""
    if not user.is_authenticated:
        return []
    on = on or timezone.localdate()
    cached = getattr(user, "_principals", None)
    if cached and cached[0] == on:
        return cached[1]
    from zhengban.accounts.integrity import verified_roles
    from zhengban.accounts.models import RoleGrant, UnitMembership, User
    from zhengban.org.choices import UnitKind

    scopes = delegation_scopes(user, on)
    ids = list(scopes)
    users = {user.pk: user}
    if len(ids) > 1:
        users.update({u.pk: u for u in User.objects.filter(pk__in=ids[1:])})
    units: dict[int, set[int]] = {pk: set() for pk in ids}
    led: dict[int, set[int]] = {pk: set() for pk in ids}
    internal: dict[int, bool] = dict.fromkeys(ids, False)
    rows = UnitMembership.objects.filter(user_id__in=ids).values_list(
        "user_id", "unit_id", "is_head", "unit__kind"
    )
    for user_id, unit_id, is_head, kind in rows:
        units[user_id].add(unit_id)
        if is_head:
            led[user_id].add(unit_id)
        if kind != UnitKind.EXTERNAL:
            internal[user_id] = True
    roles: dict[int, set[str]] = {pk: set() for pk in ids}
    roles[user.pk] = set(user.role_set)
    if len(ids) > 1:
        # A delegator's grants count as the user's own do: only those whose tag verifies.
        rows: dict[int, list] = {pk: [] for pk in ids[1:]}
        for user_id, pk, role, tag in RoleGrant.objects.filter(user_id__in=ids[1:]).values_list(
            "user_id", "pk", "role", "tag"
        ):
            rows[user_id].append((pk, role, tag))
        for user_id, grants in rows.items():
            roles[user_id] |= verified_roles(user_id, grants)
    result = [
        Principal(
            user=users[pk],
            unit_ids=frozenset(units[pk]),
            led_unit_ids=frozenset(led[pk]),
            roles=frozenset(roles[pk]),
            external=bool(units[pk]) and not internal[pk],
            case_types=scopes[pk],
        )
        for pk in ids
        if pk in users
    ]
    user._principals = (on, result)
    return result


def acts_externally(user) -> bool:
    """The requesting user is an external unit's contact (from the principals cached on the
    user for the request, which the access checks compute anyway)."""
    principals = principals_of(user) if user.is_authenticated else []
    return bool(principals) and principals[0].external


def is_external(user) -> bool:
    """Belongs to external handling units only (a contact of 市直部门 or 区县政府); asks the
    database, for users other than the one making the request."""
    from zhengban.org.choices import UnitKind

    kinds = set(user.memberships.values_list("unit__kind", flat=True))
    return bool(kinds) and kinds <= {UnitKind.EXTERNAL}


# --- relations: how a principal relates to a case; apps register more -----------------------


@dataclass(frozen=True)
class RelationDef:
    code: str
    label: str
    holds: Callable[[CaseAccess, Principal], bool]


RELATIONS: dict[str, RelationDef] = {}


def register_relation(code: str, label, holds: Callable[[CaseAccess, Principal], bool]):
    """Declare a relation workflows may name in a `Permit` (e.g. 分管领导 from a business app)."""
    RELATIONS[code] = RelationDef(code, label, holds)
    return RELATIONS[code]


def relation_label(code: str, slot_labels: dict | None = None) -> str:
    if code.startswith("slot:"):
        name = code.removeprefix("slot:")
        return str(_("指定的%(slot)s") % {"slot": (slot_labels or {}).get(name, name)})
    if code.startswith("turn:"):
        name = code.removeprefix("turn:")
        return str(_("按序轮到的%(slot)s") % {"slot": (slot_labels or {}).get(name, name)})
    relation = RELATIONS.get(code)
    return str(relation.label) if relation else code


def _working(access: CaseAccess, p: Principal, *, lead: bool) -> bool:
    return any(
        a.unit_id in p.unit_ids
        and a.status in WORKING
        and (not lead or a.role == AssignmentRole.LEAD)
        for a in access.assignments
    )


register_relation("any", _("可见该事项者"), lambda access, p: True)
register_relation(
    "owner_unit_member",
    _("主责处室人员"),
    lambda access, p: not p.external and access.case.owner_unit_id in p.unit_ids,
)
register_relation(
    "owner_unit_head",
    _("主责处室负责人"),
    lambda access, p: not p.external and access.case.owner_unit_id in p.led_unit_ids,
)
register_relation(
    "lead_unit_member", _("主办单位人员"), lambda access, p: _working(access, p, lead=True)
)
register_relation(
    "assigned_unit_member", _("承办单位人员"), lambda access, p: _working(access, p, lead=False)
)
register_relation("assignee", _("承办人"), lambda access, p: access.case.assignee_id == p.pk)
register_relation("creator", _("创建人"), lambda access, p: access.case.creator_id == p.pk)


def _slot_holds(access: CaseAccess, p: Principal, slot: str) -> bool:
    return any(s.name == slot and s.user_id == p.pk for s in access.slots)


def _turn_holds(access: CaseAccess, p: Principal, slot: str) -> bool:
    waiting = [s for s in access.slots if s.name == slot and s.done_at is None]
    return bool(waiting) and min(waiting, key=lambda s: s.position).user_id == p.pk


# --- the access object ------------------------------------------------------------------------


def _prefetched(case: Case, name: str):
    return getattr(case, "_prefetched_objects_cache", {}).get(name)


class CaseAccess:
    """Everything the user may do on one case, computed once."""

    def __init__(self, user, case: Case):
        self.user = user
        self.case = case
        self.principals = [
            p
            for p in (principals_of(user) if user.is_authenticated else [])
            if p.covers(case.case_type)
        ]
        self.ids = [p.pk for p in self.principals]
        self.unit_ids = frozenset().union(*(p.unit_ids for p in self.principals))
        self.led_unit_ids = frozenset().union(*(p.led_unit_ids for p in self.principals))
        assignments = _prefetched(case, "assignments")
        self.assignments = (
            list(assignments)
            if assignments is not None
            else list(Assignment.objects.filter(case=case).only("unit_id", "status", "role"))
        )
        slots = _prefetched(case, "slots")
        self.slots = list(slots) if slots is not None else list(CaseSlot.objects.filter(case=case))
        tasks = _prefetched(case, "tasks")
        self.tasks = (
            [t for t in tasks if self._addressed(t)]
            if tasks is not None
            else [t for t in Task.objects.filter(case=case) if self._addressed(t)]
        )
        self.visible = self._visible()
        self.actions_memo: tuple | None = None  # ((state, version), actions): see available_actions

    @classmethod
    def of(cls, user, case: Case) -> CaseAccess:
        """The access of `user` to this case instance, computed once while a page is built —
        the page, its type's panels and their forms all ask. Reads only: a service that
        changes the case loads it afresh under its lock and computes its own."""
        cache = case.__dict__.setdefault("_access_cache", {})
        key = (user.pk, case.version, case.state)
        if key not in cache:
            cache[key] = cls(user, case)
        return cache[key]

    def _addressed(self, task: Task) -> bool:
        if task.assignee_id is not None:
            return task.assignee_id in self.ids
        return task.unit_id in self.unit_ids and (
            not task.heads_only or task.unit_id in self.led_unit_ids
        )

    def _visible(self) -> bool:
        user, case = self.user, self.case
        if not user.is_authenticated or user.is_admin_role or case.sensitivity > user.clearance:
            return False
        if user.has_role(*LEADER_ROLES):
            return True
        return bool(
            case.creator_id in self.ids
            or case.assignee_id in self.ids
            or case.owner_unit_id in self.unit_ids
            or any(a.unit_id in self.unit_ids for a in self.assignments)
            or any(t.state in GRANTING for t in self.tasks)
        )

    # --- questions ---

    @property
    def external(self) -> bool:
        """The user sees the case as a contact of an external handling unit."""
        return bool(self.principals) and self.principals[0].external

    @property
    def is_leader(self) -> bool:
        """An office leader, or the head of the owner unit (decides on the case)."""
        return any(
            p.has_role(*LEADER_ROLES)
            or (not p.external and self.case.owner_unit_id in p.led_unit_ids)
            for p in self.principals
        )

    def holds(self, principal: Principal, relation: str) -> bool:
        if relation.startswith("slot:"):
            return _slot_holds(self, principal, relation.removeprefix("slot:"))
        if relation.startswith("turn:"):
            return _turn_holds(self, principal, relation.removeprefix("turn:"))
        return RELATIONS[relation].holds(self, principal)

    def principal_for(self, action) -> Principal | None:
        """Whom the user may take `action` as: themself first, else a delegator (委托)."""
        if not self.visible or self.user.is_admin_role:
            return None
        for principal in self.principals:
            for permit in action.permits:
                if permit.roles and not principal.has_role(*permit.roles):
                    continue
                if principal.external and permit.relation in OWNER_SIDE:
                    continue
                if self.holds(principal, permit.relation):
                    return principal
        return None

    def holder(self) -> Principal | None:
        """Who may 加签, 传阅 or 转办: the holder, the owner unit's people, a leader, or a unit
        working on the case — never an external contact on the owner's behalf."""
        if not self.visible:
            return None  # the services refuse what a closed case no longer allows
        for p in self.principals:
            if p.external:
                continue
            if (
                self.case.assignee_id == p.pk
                or self.case.owner_unit_id in p.unit_ids
                or p.has_role(*LEADER_ROLES)
                or _working(self, p, lead=False)
            ):
                return p
        return None

    def assignment_member(self, assignment: Assignment) -> Principal | None:
        for p in self.principals:
            if assignment.unit_id in p.unit_ids:
                return p
        return None

    @property
    def may_edit(self) -> bool:
        """The text and fields (where the state allows): the drafter, the holder, the owner
        unit's people, the office leaders — not the units handling it."""
        return self.visible and any(
            not p.external
            and (
                self.case.creator_id == p.pk
                or self.case.assignee_id == p.pk
                or self.case.owner_unit_id in p.unit_ids
                or p.has_role(*LEADER_ROLES)
            )
            for p in self.principals
        )

    @property
    def may_manage_assignments(self) -> bool:
        """改派 and 代录: the owner unit's people and leaders."""
        return any(
            not p.external and (self.case.owner_unit_id in p.unit_ids or p.has_role(*LEADER_ROLES))
            for p in self.principals
        )

    def may_read(self, item) -> bool:
        """An opinion, comment or attachment: internal ones are not for external units."""
        if not self.visible:
            return False
        if not self.external:
            return True
        author = getattr(item, "author_id", None) or getattr(item, "uploaded_by_id", None)
        return item.audience == "shared" or author in self.ids

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.state == TaskState.OPEN]


# Relations that place someone on the owner's side; external contacts never hold them.
OWNER_SIDE = {"any", "owner_unit_member", "owner_unit_head", "assignee", "creator"}
