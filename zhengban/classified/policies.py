"""Who keeps and who reads the classified register.

The register belongs to the unit named by `settings.CLASSIFIED_REGISTER_UNIT` (文电处 by
default: its 文书 keep the office's 机要 papers). Keepers: holders of the 机要员 role, the
文书 (Role.CLERK) who are members of that unit, and the unit's head. Leaders read it and
decide destruction requests; nobody else sees that the register exists."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import LEADER_ROLES, Role
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

CONFIDENTIAL_CLERK = "confidential_clerk"
CONFIDENTIAL_CLERK_LABEL = _("机要员")


def register_unit_name() -> str:
    return getattr(settings, "CLASSIFIED_REGISTER_UNIT", "文电处")


def register_units() -> list[Unit]:
    return list(
        Unit.objects.filter(name=register_unit_name())
        .exclude(kind=UnitKind.EXTERNAL)
        .order_by("pk")
    )


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and not user.is_admin_role)


def _in_register_unit(user, *, head: bool) -> bool:
    name = register_unit_name()
    return any(
        unit_name == name and kind != UnitKind.EXTERNAL and (is_head or not head)
        for _pk, unit_name, is_head, kind in user.unit_memberships
    )


def is_head(user) -> bool:
    return _signed_in(user) and _in_register_unit(user, head=True)


def is_keeper(user) -> bool:
    """May register, edit, circulate, return and ask to destroy."""
    if not _signed_in(user):
        return False
    if user.has_role(CONFIDENTIAL_CLERK) or is_head(user):
        return True
    return user.has_role(Role.CLERK) and _in_register_unit(user, head=False)


def is_leader(user) -> bool:
    return _signed_in(user) and user.has_role(*LEADER_ROLES)


def can_read(user) -> bool:
    return is_keeper(user) or is_leader(user)


def can_decide_destruction(user, request) -> bool:
    """The register unit's head or a leader, never the one who asked."""
    if request.requested_by_id == getattr(user, "pk", None):
        return False
    return is_head(user) or is_leader(user)


def keeper_unit(user) -> Unit | None:
    """The unit a new record is registered under: the register unit the keeper belongs to,
    else (a 机要员 elsewhere) the first register unit."""
    units = register_units()
    mine = [u for u in units if u.pk in user.unit_ids]
    return (mine or units or [None])[0]
