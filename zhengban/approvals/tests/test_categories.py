"""The office's 请示事项类别: kept by the system administrator (audited), offered on the form
while in use, kept on the 签报 that name one after it is retired."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.approvals.models import ApprovalCategory
from zhengban.approvals.services import category_save
from zhengban.audit.models import AuditRecord

from .conftest import draft


def test_the_system_administrator_keeps_the_list(client, office):
    admin = user_create(
        username="sysadmin",
        password="x",
        display_name="系统管理员",
        roles=(Role.SYSTEM_ADMIN,),
        validate_password=False,
    )
    with pytest.raises(PermissionDenied):
        category_save(category=ApprovalCategory(code="x", name="外事"), actor=office.head)
    foreign = category_save(
        category=ApprovalCategory(code="foreign", name="外事", order=5), actor=admin
    )
    record = AuditRecord.objects.get(action="approvals.category_save")
    assert record.object_id == str(foreign.pk) and record.changes["name"] == [None, "外事"]
    client.force_login(office.drafter)
    form = client.get(reverse("cases:create") + "?type=approval").content.decode()
    assert "外事" in form

    # Retired: no longer offered, still shown on the 签报 that has it.
    case = draft(office, category="foreign")
    foreign.active = False
    category_save(category=foreign, actor=admin)
    record = AuditRecord.objects.filter(action="approvals.category_save").last()
    assert record.changes == {"active": [True, False]}
    form = client.get(reverse("cases:create") + "?type=approval").content.decode()
    assert "外事" not in form
    edit = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert "外事" in edit
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<dd data-testid="approval-category">外事</dd>' in page
