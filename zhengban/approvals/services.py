"""Writes of the 签报 app outside the kernel's case services: the office's list of 请示事项类别
(system configuration, kept by the system administrator; every change audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from zhengban.accounts.choices import Role

from .models import ApprovalCategory

CATEGORY_FIELDS = ("code", "name", "order", "active")


def can_edit_categories(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.SYSTEM_ADMIN))


@transaction.atomic
def category_save(*, category: ApprovalCategory, actor) -> ApprovalCategory:
    """Create or change a category (a category in use is retired with `active`, never
    deleted: the 签报 that name it keep it)."""
    from zhengban.audit.services import audit_record

    if not can_edit_categories(actor):
        raise PermissionDenied(_("只有系统管理员可以维护请示事项类别。"))
    before = (
        ApprovalCategory.objects.filter(pk=category.pk).values(*CATEGORY_FIELDS).first()
        if category.pk
        else None
    )
    category.full_clean()
    category.save()
    after = {name: getattr(category, name) for name in CATEGORY_FIELDS}
    changes = {
        name: [before.get(name) if before else None, value]
        for name, value in after.items()
        if not before or before.get(name) != value
    }
    audit_record(actor=actor, action="approvals.category_save", target=category, changes=changes)
    return category
