"""Accounts: who a user is in the office (units, roles, clearance)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ADMIN_ROLES, Clearance, Role


class User(AbstractUser):
    """A login. Business permissions come from role grants, unit memberships and clearance,
    never from Django's superuser flag (the 三员 are ordinary roles here)."""

    display_name = models.CharField(_("姓名"), max_length=40, blank=True)
    person = models.OneToOneField(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="user"
    )
    clearance = models.IntegerField(
        _("知悉范围"), choices=Clearance.choices, default=Clearance.INTERNAL
    )
    units = models.ManyToManyField(
        "org.Unit", through="UnitMembership", related_name="members", blank=True
    )
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        # Cached per instance: policies ask this many times per request.
        if not hasattr(self, "_role_set"):
            self._role_set = frozenset(self.role_grants.values_list("role", flat=True))
        return self._role_set

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def unit_ids(self) -> frozenset[int]:
        if not hasattr(self, "_unit_ids"):
            self._unit_ids = frozenset(self.memberships.values_list("unit_id", flat=True))
        return self._unit_ids

    @property
    def led_unit_ids(self) -> frozenset[int]:
        if not hasattr(self, "_led_unit_ids"):
            self._led_unit_ids = frozenset(
                self.memberships.filter(is_head=True).values_list("unit_id", flat=True)
            )
        return self._led_unit_ids

    @property
    def is_admin_role(self) -> bool:
        return bool(self.role_set & ADMIN_ROLES)


class UnitMembership(models.Model):
    """A user belongs to a unit; `is_head` marks its 负责人 (escalation goes there)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="memberships")
    is_head = models.BooleanField(_("负责人"), default=False)

    class Meta:
        verbose_name = _("所属单位")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="accounts_membership_unique")
        ]


class RoleGrant(models.Model):
    """A role held by a user. At most one of the three administrator roles per user is
    enforced by `accounts.services.role_grant` under a row lock on the user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_role_unique")
        ]
