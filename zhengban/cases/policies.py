"""The one place that decides who may see a case. Lists, pages, the API, search, exports
and attachment downloads all start from `cases_visible_to` / `case_get_for`.

Rules:
- the three administrators (三员) manage the system, not its business: they see no cases;
- nobody sees a case above their clearance (a 内部 case is invisible without 内部 access);
- office and city leaders see every case within their clearance;
- everyone else sees cases owned by or assigned to their units, cases they created, hold or
  have a task on, and the same for the people who delegated to them (委托).
"""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhengban.accounts.choices import LEADER_ROLES

from .choices import TaskState
from .models import Assignment, Case, Delegation, Task


def principal_ids(user, on: date | None = None) -> list[int]:
    """The user and everyone whose delegation (委托) to the user is in force on `on`."""
    return list(delegation_scopes(user, on))


def delegation_scopes(user, on: date | None = None) -> dict[int, frozenset[str]]:
    """{principal id: the case types they act in for the user}; an empty set is all of
    them (the user themself, and a delegation of all of one's work). One query, cached."""
    if not user.is_authenticated:
        return {}
    cache_attr = "_delegation_scopes"
    on = on or timezone.localdate()
    cached = getattr(user, cache_attr, None)
    if cached and cached[0] == on:
        return cached[1]
    scopes = {user.pk: frozenset()}
    for delegator_id, types in active_delegations(user, on).values_list(
        "delegator_id", "case_types"
    ):
        scopes.setdefault(delegator_id, frozenset(types or ()))
    setattr(user, cache_attr, (on, scopes))
    return scopes


def scoped(scopes: dict[int, frozenset[str]], term, field: str = "case_type") -> Q:
    """`term(ids)` for the principals acting in every case type, OR-ed with it narrowed to
    their case types (`field`: the path to the case type) for those whose delegation names
    some."""
    everything = [pk for pk, types in scopes.items() if not types]
    condition = term(everything)
    for pk, types in scopes.items():
        if types:
            condition |= term([pk]) & Q(**{f"{field}__in": sorted(types)})
    return condition


def active_delegations(user, on: date) -> QuerySet[Delegation]:
    return Delegation.objects.filter(delegate=user, revoked=False, start__lte=on, end__gte=on)


def _unit_ids_of(ids: list[int], user) -> set[int]:
    if ids == [user.pk]:
        return set(user.unit_ids)
    from zhengban.accounts.models import UnitMembership

    return set(UnitMembership.objects.filter(user_id__in=ids).values_list("unit_id", flat=True))


def cases_visible_to(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    if not user.is_authenticated or user.is_admin_role:
        return queryset.none()
    queryset = queryset.filter(sensitivity__lte=user.clearance)
    if user.has_role(*LEADER_ROLES):
        return queryset
    # A withdrawn task never reached its addressee and grants nothing (CaseAccess: the same).
    tasks = Task.objects.filter(case=OuterRef("pk")).exclude(state=TaskState.WITHDRAWN)

    def term(ids: list[int]) -> Q:
        if not ids:
            return Q(pk__in=[])
        unit_ids = _unit_ids_of(ids, user)
        # The row's own columns first (SQLite stops at the first true term), then one probe
        # per related table: the assignments by (case, unit), the tasks by case — a person's
        # and a unit's untaken ones in one look at the case's few tasks.
        condition = Q(creator_id__in=ids) | Q(assignee_id__in=ids)
        addressed = Q(assignee_id__in=ids)
        if unit_ids:
            condition = Q(owner_unit_id__in=unit_ids) | condition
            condition |= Exists(
                Assignment.objects.filter(case=OuterRef("pk"), unit_id__in=unit_ids)
            )
            addressed |= Q(assignee__isnull=True, unit_id__in=unit_ids)
        return condition | Exists(tasks.filter(addressed))

    return queryset.filter(scoped(delegation_scopes(user), term))


def case_get_for(user, pk, queryset: QuerySet[Case] | None = None) -> Case:
    """The case if the user may see it; 404 whether it is missing or forbidden (reveals nothing)."""
    try:
        return cases_visible_to(user, queryset).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_case(user, case: Case) -> bool:
    return cases_visible_to(user).filter(pk=case.pk).exists()
