"""Who may see and change the working-day calendar."""

from zhengban.accounts.choices import Role


def can_view_calendar(user) -> bool:
    return bool(user and user.is_authenticated)


def can_edit_calendar(user) -> bool:
    # The holiday table is system configuration: the system administrator (系统管理员)
    # enters each year's 国务院办公厅 notice. Deadlines of every case depend on it.
    return bool(user and user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN))
