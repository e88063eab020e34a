"""Who may reach which part of the office. Case-level decisions live in cases.policies.

三员分立 (GB/T 22239-2019 8.1.5): the system administrator manages accounts, units and the
configuration; the security administrator roles, clearances, the security policy, locks and
authenticator resets; the audit administrator reads the audit log. None of them reads the
others' pages, and none of them business content."""

from .choices import ADMIN_ROLES, Role

# Sections of one administrator; everyone else is refused (and the refusal audited).
ADMIN_SECTIONS = {
    "accounts:users": Role.SYSTEM_ADMIN,
    "accounts:configuration": Role.SYSTEM_ADMIN,
    "accounts:security": Role.SECURITY_ADMIN,
    "audit:log": Role.AUDIT_ADMIN,
}


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def can_manage_users(user) -> bool:
    return _signed_in(user) and user.has_role(Role.SYSTEM_ADMIN)


def can_view_configuration(user) -> bool:
    return can_manage_users(user)


def can_manage_security(user) -> bool:
    return _signed_in(user) and user.has_role(Role.SECURITY_ADMIN)


def can_see_section(user, url_name: str) -> bool:
    # The audit log belongs to the audit administrator alone (三员分立); the system
    # administrator must not read it. Its alerts concern the security administrator too.
    if url_name == "audit:alerts":
        return user.has_role(Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
    if url_name.startswith("audit:"):
        return user.has_role(Role.AUDIT_ADMIN)
    if url_name in ADMIN_SECTIONS:
        return user.has_role(ADMIN_SECTIONS[url_name])
    # Registers with their own readers: each app's policy says who (the nav only hides).
    if url_name == "classified:list":
        from zhengban.classified.policies import can_read

        return can_read(user)
    if url_name == "instructions:ledger":
        from zhengban.instructions.policies import may_open_ledger

        return may_open_ledger(user)
    if url_name == "documents:archive":
        from zhengban.documents.policies import may_open_archive

        return may_open_archive(user)
    if url_name == "approvals:categories":
        from zhengban.approvals.policies import can_edit_categories

        return can_edit_categories(user)
    return True


def is_administrator(user) -> bool:
    return bool(user.role_set & ADMIN_ROLES)
