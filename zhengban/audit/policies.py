"""Who may use the audit log. 三员分立: only the audit administrator (安全审计员) reads it;
the system and security administrators, whose actions it records, may not."""

from zhengban.accounts.choices import Role


def can_read_audit_log(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.AUDIT_ADMIN)


def can_verify_chain(user) -> bool:
    return can_read_audit_log(user)


def can_export_audit_log(user) -> bool:
    return can_read_audit_log(user)
