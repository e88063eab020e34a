"""Writes of the 签报 app outside the kernel's case services: the office's list of 请示事项类别
(system configuration, kept by the system administrator; every change audited), and the
归档 effect (the 签报单 becomes an archive item of the documents library)."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policies
from .models import ApprovalCategory

CATEGORY_FIELDS = ("code", "name", "order", "active")
# 排序 is a small number: the column holds 0–32767 everywhere; the list needs far fewer.
ORDER_MAX = 9999


class CategoryChanged(Exception):
    """The category changed since the editor's form was rendered (a stale edit)."""

    code = "category_changed"

    def __init__(self, current: dict | None):
        self.current = current
        self.message = _("该类别在您编辑期间已被他人修改，未保存。请核对当前内容后重新修改。")
        super().__init__(self.message)


def category_fingerprint(values: dict) -> str:
    """What an edit form carries of the values it was rendered with: a stale submission is
    told apart from a current one by comparing it with the row's values under the lock."""
    raw = json.dumps([values.get(name) for name in CATEGORY_FIELDS], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def category_values(category: ApprovalCategory) -> dict:
    return {name: getattr(category, name) for name in CATEGORY_FIELDS}


@transaction.atomic
def category_save(
    *, category: ApprovalCategory, actor, expected: str | None = None
) -> ApprovalCategory:
    """Create or change a category (a category in use is retired with `active`, never
    deleted: the 签报 that name it keep it). The code is fixed once created. `expected`, the
    `category_fingerprint` of the values the editor started from, refuses a stale edit
    (`CategoryChanged`). Bad values raise ValidationError, nothing saved."""
    from zhengban.audit.services import audit_record

    if not policies.can_edit_categories(actor):
        raise PermissionDenied(_("只有系统管理员可以维护请示事项类别。"))
    before = (
        ApprovalCategory.objects.select_for_update()
        .filter(pk=category.pk)
        .values(*CATEGORY_FIELDS)
        .first()
        if category.pk
        else None
    )
    if expected is not None and (before is None or category_fingerprint(before) != expected):
        raise CategoryChanged(before)
    category.name = (category.name or "").strip()
    category.code = (category.code or "").strip().lower()
    if before and before["code"] != category.code:
        raise ValidationError({"code": _("类别代码创建后不可修改。")})
    category.full_clean()
    if not 0 <= category.order <= ORDER_MAX:
        raise ValidationError({"order": _("排序须为0至%(max)d之间的整数。") % {"max": ORDER_MAX}})
    try:
        with transaction.atomic():  # a savepoint: a lost race on a unique value is a refusal
            category.save()
    except IntegrityError as error:
        raise ValidationError(_("名称或代码已被其他类别使用。")) from error
    after = category_values(category)
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
