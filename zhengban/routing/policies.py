"""Who may ask the router, record a routing decision, and undo a correction."""

from zhengban.accounts.choices import Role

# Roles whose holders decide where business goes (拟办): they may undo anyone's correction.
ROUTING_DESK = (Role.CLERK, Role.DIVISION_HEAD, Role.OFFICE_LEADER)


def can_ask(user) -> bool:
    return bool(user and user.is_authenticated)


def can_confirm(user) -> bool:
    # The three administrators (三员) run the system; they do not handle business.
    return can_ask(user) and not user.is_admin_role


def can_undo(user, correction) -> bool:
    if not can_confirm(user):
        return False
    return correction.actor_id == user.pk or user.has_role(*ROUTING_DESK)
