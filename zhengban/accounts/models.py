"""Accounts: who a user is in the office (units, roles, clearance)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengban.security.fields import EncryptedTextField

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
    # HMAC-SM3 over (id, clearance) under a key outside the database, written by the services
    # only (`accounts.integrity`): a clearance whose tag fails counts as the lowest.
    clearance_tag = models.CharField(max_length=64, blank=True, editable=False)
    units = models.ManyToManyField(
        "org.Unit", through="UnitMembership", related_name="members", blank=True
    )
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    # The authenticator's shared secret (base32): SM4-GCM at rest under the personal-data key
    # kept outside the database, so `zhengban security rotate-key` re-encrypts it too.
    totp_secret = EncryptedTextField(blank=True)
    # The last TOTP time step accepted, so one code cannot be used twice (replay).
    totp_last_step = models.BigIntegerField(default=0)
    totp_enrolled_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(default=timezone.now)
    # Set when someone else chose the password (a reset): the user must change it at login.
    must_change_password = models.BooleanField(default=False)
    # The session of the latest login, ended by the next one when only one session is allowed.
    current_session_key = models.CharField(max_length=64, blank=True)
    # Set when the daily sweep disabled the account for not signing in for `dormant_days`
    # (等保 2.0 8.1.4.2 c); cleared when the system administrator enables it again.
    dormant_disabled_at = models.DateTimeField(_("因长期未登录停用于"), null=True, blank=True)
    # When the system administrator last enabled the account again: dormancy counts from the
    # latest of this, the last login and the account's creation.
    reenabled_at = models.DateTimeField(null=True, blank=True)

    # Set for each row loaded (`accounts.integrity.check_loaded_clearance`): whether the
    # stored clearance verified, and the stored value when it did not (the field then holds
    # the lowest clearance).
    clearance_verified = True
    stored_clearance = None

    class Meta:
        verbose_name = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        from .integrity import check_loaded_clearance

        check_loaded_clearance(instance)  # no query: the tag came with the row
        return instance

    @property
    def role_set(self) -> frozenset[str]:
        """The roles whose grant's integrity tag verifies — the same one query as before;
        a grant that fails counts as absent and is alerted (`accounts.integrity`). Cached
        per instance: policies ask this many times per request."""
        if not hasattr(self, "_role_set"):
            from .integrity import verified_roles

            rows = self.role_grants.values_list("pk", "role", "tag")
            self._role_set = verified_roles(self.pk, rows)
        return self._role_set

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def unit_memberships(self) -> list[tuple[int, str, bool, str]]:
        """(unit id, unit name, is head, unit kind) of each membership — one query a request
        for the unit checks of every policy (the sidebar asks several)."""
        if not hasattr(self, "_unit_memberships"):
            self._unit_memberships = list(
                self.memberships.values_list("unit_id", "unit__name", "is_head", "unit__kind")
            )
        return self._unit_memberships

    @property
    def unit_ids(self) -> frozenset[int]:
        if not hasattr(self, "_unit_ids"):
            self._unit_ids = frozenset(row[0] for row in self.unit_memberships)
        return self._unit_ids

    @property
    def led_unit_ids(self) -> frozenset[int]:
        if not hasattr(self, "_led_unit_ids"):
            self._led_unit_ids = frozenset(row[0] for row in self.unit_memberships if row[2])
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
    # HMAC-SM3 over (user id, role) under a key outside the database, written by
    # `accounts.services.role_grant` only: a grant whose tag fails is not honoured.
    tag = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_role_unique")
        ]

    @property
    def verified(self) -> bool:
        from .integrity import grant_verifies

        return grant_verifies(self.user_id, self.role, self.tag)


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords (never the passwords), for "no reuse of the
    last N"."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_pwhist_user")]


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator once. Only a keyed SM3 digest
    is stored; the code itself is shown to its owner once, at enrolment."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="accounts_recovery_unique")
        ]


class LoginThrottle(models.Model):
    """Failed logins from one client address, whatever the usernames tried."""

    address = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败限制")


class SecurityPolicy(models.Model):
    """The values 等保 2.0 leaves to the operator, set by the security administrator.

    One row (pk=1), created on first change; until then `accounts.selectors.security_policy`
    returns the defaults from settings.py."""

    password_min_length = models.PositiveSmallIntegerField(_("密码最短长度"))
    password_min_classes = models.PositiveSmallIntegerField(_("密码至少包含的字符类别数"))
    password_history = models.PositiveSmallIntegerField(_("不得与最近几次密码相同"))
    password_max_age_days = models.PositiveSmallIntegerField(_("密码有效期（天，0为不过期）"))
    login_max_failures = models.PositiveSmallIntegerField(_("账号连续登录失败锁定次数"))
    address_max_failures = models.PositiveSmallIntegerField(_("同一地址登录失败锁定次数"))
    lockout_minutes = models.PositiveSmallIntegerField(_("锁定时长（分钟）"))
    idle_timeout_minutes = models.PositiveSmallIntegerField(_("无操作自动退出（分钟）"))
    session_max_hours = models.PositiveSmallIntegerField(_("会话最长有效期（小时）"))
    single_session = models.BooleanField(_("每个账号只允许一个会话"))
    totp_roles = models.JSONField(_("须使用动态口令的角色"), default=list)
    # The audit storage's bounds (审计记录的存储保护): alerts come before a full disk refuses
    # every audited act. 0: no limit.
    audit_max_rows = models.PositiveBigIntegerField(_("审计记录条数上限（0为不限）"), default=0)
    audit_max_mib = models.PositiveIntegerField(
        _("审计存储容量上限（MiB，0为不限）"), default=10 * 1024
    )
    audit_warn_percent = models.PositiveSmallIntegerField(_("审计存储告警阈值（%）"), default=80)
    # Accounts not signed in for this many days are disabled by the daily sweep. 0: never.
    dormant_days = models.PositiveSmallIntegerField(
        _("长期未登录自动停用（天，0为不停用）"), default=90
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("安全策略")
