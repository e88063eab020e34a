"""Writes of the 签报 app outside the kernel's case services: the office's list of 请示事项类别
(system configuration, kept by the system administrator; every change audited), and the
归档 effect (the 签报单 becomes an archive item of the documents library)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
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


def archive(ctx) -> None:
    """归档: the 签报单 — the request with the head's and the leaders' opinions and the 正文 —
    becomes one archive item (件, DA/T 22) with its 档号 and 归档章, in the action's
    transaction."""
    from zhengban.documents.archive_services import SECRECY, archive_case_file
    from zhengban.documents.content import OfficialDocument, chinese_date

    from .models import ApprovalRequest
    from .selectors import slip_cases
    from .slip import render_slip, slip_data

    detail = ApprovalRequest.objects.select_for_update().get(case=ctx.case)
    case = slip_cases().get(pk=ctx.case.pk)
    decided = detail.decided_at or ctx.case.updated_at
    document = OfficialDocument(
        doc_type="签报",
        title=case.title,
        number=case.number,
        # 责任者: the division that drafted it (the organ's own internal document).
        signature=[case.owner_unit.name],
        secrecy=SECRECY.get(case.sensitivity, ""),
        date_text=chinese_date(timezone.localtime(decided).date()),
    )
    item = archive_case_file(ctx, document=document, pdf=render_slip(slip_data(case)))
    detail.archive_item = item
    detail.save(update_fields=["archive_item"])
