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

# Every role a grant may name: the built-in ones, and those business apps register when they
# start (机要员 for 收文, 印章管理员 for seals …). Business roles only: the 三员 are fixed.
ROLES: dict[str, object] = dict(Role.choices)


def register_role(code: str, label) -> str:
    """A business app declares a role of its own (code ≤ 24 characters)."""
    if len(code) > 24 or not code.replace("_", "").isalnum() or not code.isascii():
        raise ValueError(f"invalid role code {code!r}")
    if code in ROLES and str(ROLES[code]) != str(label):
        raise ValueError(f"role {code!r} is declared twice")
    ROLES[code] = label
    return code


def role_label(code: str) -> str:
    return str(ROLES.get(code, code))


def role_choices() -> list[tuple[str, object]]:
    return list(ROLES.items())


LEADER_ROLES = frozenset({Role.OFFICE_LEADER, Role.CITY_LEADER})


class Clearance(models.IntegerChoices):
    """Sensitivity of content and clearance of people, in one ordered scale."""

    PUBLIC = 0, _("公开")
    INTERNAL = 1, _("内部")
    SECRET = 2, _("秘密")
    CONFIDENTIAL = 3, _("机密")
    TOP_SECRET = 4, _("绝密")
