"""Who may read and record 批示 — the one place of this app that says so.

- The 批示件台账 lists every 批示 of a leader: a leader sees their own; the secretaries of the
  office — the people of 秘书一处, 秘书二处 and 督查室, who serve the leaders and follow up
  their 批示 — see every leader's. Nobody else opens it: other divisions' staff, external
  handling units' contacts and the three administrators (三员) are refused.
- Nobody reads a 批示 above their clearance (its sensitivity is the case's or the paper's).
- A secretary records a leader's paper 批示 on the leader's behalf (代录); a leader records
  their own.
- On a case, the 批示 shown and given follow the kernel's access to the case
  (`CaseAccess`): whoever may read the case reads its 批示; a leader who may read it may give
  one there, a secretary who may read it may record one (代录). This module never decides
  who sees a case.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from zhengban.accounts.choices import LEADER_ROLES

from .models import Instruction

# The divisions whose people are the leaders' secretaries for 批示 (names as the 三定 gives
# them; a deployment whose regulation names them otherwise sets INSTRUCTION_SECRETARIATS).
SECRETARIATS = ("秘书一处", "秘书二处", "督查室", "市政府督查室")


def secretariat_names() -> tuple[str, ...]:
    return tuple(getattr(settings, "INSTRUCTION_SECRETARIATS", SECRETARIATS))


def is_leader(user) -> bool:
    return bool(user.is_authenticated and not user.is_admin_role and user.has_role(*LEADER_ROLES))


def is_secretary(user) -> bool:
    """A member of 秘书一处, 秘书二处 or 督查室 (internal divisions only)."""
    if not user.is_authenticated or user.is_admin_role:
        return False
    from zhengban.org.choices import UnitKind

    names = secretariat_names()
    return any(
        name in names and kind != UnitKind.EXTERNAL
        for _pk, name, _head, kind in user.unit_memberships
    )


def may_open_ledger(user) -> bool:
    return is_leader(user) or is_secretary(user)


def may_record(user) -> bool:
    """Record a stand-alone 批示 (a leader their own, a secretary any leader's)."""
    return may_open_ledger(user)


def may_record_for_others(user) -> bool:
    """代录: enter a leader's paper 批示 on their behalf."""
    return is_secretary(user)


def instructions_visible_to(user, queryset: QuerySet[Instruction] | None = None):
    """The ledger's rows for `user`."""
    queryset = Instruction.objects.all() if queryset is None else queryset
    if not may_open_ledger(user):
        return queryset.none()
    queryset = queryset.filter(sensitivity__lte=user.clearance)
    if is_secretary(user):
        return queryset
    return queryset.filter(leader=user)


def may_give_on_case(user, access) -> bool:
    """A 批示 on a case: for a leader (or a secretary recording one) who may read it."""
    if not access.visible or access.external:
        return False
    return is_leader(user) or is_secretary(user)
