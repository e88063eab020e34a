"""Who may do what in the 签报 app outside the kernel's case permissions (those are the
workflow's `Permit`s and `cases.access`)."""

from zhengban.accounts.choices import Role


def can_edit_categories(user) -> bool:
    """The office's list of 请示事项类别 is system configuration: the system administrator
    (系统管理员) keeps it — the page, the service and the sidebar all ask here."""
    return bool(
        user and user.is_authenticated and user.is_active and user.has_role(Role.SYSTEM_ADMIN)
    )
