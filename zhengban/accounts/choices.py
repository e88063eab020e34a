from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("文书")
    STAFF = "staff", _("处室工作人员")
    DIVISION_HEAD = "division_head", _("处室负责人")
    OFFICE_LEADER = "office_leader", _("办公厅领导")
    CITY_LEADER = "city_leader", _("市政府领导")
    UNIT_CONTACT = "unit_contact", _("承办单位联络员")
    DUTY_OFFICER = "duty_officer", _("值班员")
    # 三员: separate people with separate powers; no account holds two of these.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全保密管理员")
    AUDIT_ADMIN = "audit_admin", _("安全审计员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
LEADER_ROLES = frozenset({Role.OFFICE_LEADER, Role.CITY_LEADER})


class Clearance(models.IntegerChoices):
    """Sensitivity of content and clearance of people, in one ordered scale."""

    PUBLIC = 0, _("公开")
    INTERNAL = 1, _("内部")
    SECRET = 2, _("秘密")
    CONFIDENTIAL = 3, _("机密")
    TOP_SECRET = 4, _("绝密")
