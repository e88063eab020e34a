"""Who may open the archive (归档文件目录, the archived files, transfer packages) — the one
place of the documents app that says so. Case-bound pages (发文 downloads, the 收文处理笺)
follow the kernel's access to the case instead.

- The archive is kept by 文电处 (the units named in `DOCUMENTS_OFFICE_UNITS`): its 文书
  (`Role.CLERK`) and its head, who already act on every 发文's 审核, 编号, 用印 and 归档.
- The office's leaders (`Role.OFFICE_LEADER`: 秘书长, 副秘书长) oversee it.
- Nobody else: other divisions' staff, external handling units' contacts, the city leaders
  (who read a document through its case) and the three administrators (三员) are refused.
- Nobody reads an item above their clearance (its 密级).
"""

from __future__ import annotations

from django.db.models import QuerySet

from zhengban.accounts.choices import Role

from .models import ArchiveItem


def _keeps_archive(user) -> bool:
    """A 文书 of 文电处, or its head."""
    from zhengban.org.choices import UnitKind

    from .outgoing import office_unit_names

    names = office_unit_names()
    clerk = user.has_role(Role.CLERK)
    return any(
        name in names and kind != UnitKind.EXTERNAL and (clerk or is_head)
        for _pk, name, is_head, kind in user.unit_memberships
    )


def may_open_archive(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_admin_role:
        return False
    if user.has_role(Role.OFFICE_LEADER):
        return True
    return user.has_role(Role.CLERK, Role.DIVISION_HEAD) and _keeps_archive(user)


def archive_items_visible_to(user, queryset: QuerySet[ArchiveItem] | None = None):
    """The archive items `user` may list and download (none unless `may_open_archive`)."""
    from .archive_services import SECRECY_LEVEL

    queryset = ArchiveItem.objects.all() if queryset is None else queryset
    if not may_open_archive(user):
        return queryset.none()
    above = [name for name, level in SECRECY_LEVEL.items() if level > user.clearance]
    return queryset.exclude(secrecy__in=above) if above else queryset
