"""Who may reach which part of the office. Case-level decisions live in cases.policies."""

from .choices import Role


def can_see_section(user, url_name: str) -> bool:
    # The audit log belongs to the audit administrator alone (三员分立); the system
    # administrator must not read it.
    if url_name.startswith("audit:"):
        return user.has_role(Role.AUDIT_ADMIN)
    return True
