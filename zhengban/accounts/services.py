"""Writes for accounts: logins, lockout, role grants (三员分立), memberships."""

from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.audit.services import audit_record

from .choices import ADMIN_ROLES, Clearance, Role
from .models import RoleGrant, UnitMembership, User


class LoginRefused(Exception):
    """A login attempt that must fail with a message the user may see."""


def user_authenticate(*, username: str, password: str, otp: str = "") -> User:
    """Check credentials, lockout and TOTP; record success and failure in the audit chain."""
    user = User.objects.filter(username=username).first()
    now = timezone.now()
    if user is not None and user.locked_until and user.locked_until > now:
        audit_record(actor=None, actor_name=username, action="accounts.login_locked", target=user)
        raise LoginRefused(_("账号已被锁定，请稍后再试或联系安全保密管理员。"))
    authenticated = authenticate(username=username, password=password)
    totp_secret = authenticated.totp_secret if authenticated is not None else ""
    if totp_secret and not pyotp.TOTP(totp_secret).verify(otp or "", valid_window=1):
        authenticated = None
    if authenticated is None:
        _register_failure(username, user, now)
        raise LoginRefused(_("用户名、密码或动态口令不正确。"))
    User.objects.filter(pk=authenticated.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=authenticated, action="accounts.login", target=authenticated)
    return authenticated


def _register_failure(username: str, user: User | None, now) -> None:
    summary = ""
    if user is not None:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            locked.failed_logins += 1
            if locked.failed_logins >= settings.LOGIN_MAX_FAILURES:
                locked.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                summary = _("连续失败%(n)d次，锁定%(m)d分钟") % {
                    "n": locked.failed_logins,
                    "m": settings.LOGIN_LOCKOUT_MINUTES,
                }
            locked.save(update_fields=["failed_logins", "locked_until"])
    audit_record(
        actor=None,
        actor_name=username,
        action="accounts.login_failed",
        target=user,
        summary=summary,
    )


def user_logged_out(*, user: User) -> None:
    audit_record(actor=user, action="accounts.logout", target=user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    clearance: int = Clearance.INTERNAL,
    roles: tuple[str, ...] = (),
    units: tuple = (),
    head_of: tuple = (),
    person=None,
    actor: User | None = None,
    validate_password: bool = True,
) -> User:
    user = User(username=username, display_name=display_name, clearance=clearance, person=person)
    if validate_password:
        from django.contrib.auth.password_validation import validate_password as check

        check(password, user)
    user.set_password(password)
    user.save()
    for role in roles:
        role_grant(user=user, role=role, actor=actor)
    for unit in units:
        UnitMembership.objects.create(user=user, unit=unit, is_head=unit in head_of)
    audit_record(actor=actor, action="accounts.user_create", target=user, summary=username)
    return user


@transaction.atomic
def role_grant(*, user: User, role: str, actor: User | None) -> RoleGrant:
    """Grant a role. One account may hold at most one of the three administrator roles."""
    if role not in Role.values:
        raise ValidationError(_("未知角色：%(role)s") % {"role": role})
    # Lock the user row so two concurrent grants cannot both pass the check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    if role in ADMIN_ROLES and (held & ADMIN_ROLES) - {role}:
        other = Role((held & ADMIN_ROLES - {role}).pop()).label
        raise ValidationError(
            _("三员分立：该账号已是%(other)s，不能再授予%(role)s。")
            % {"other": other, "role": Role(role).label},
            code="separation_of_duties",
        )
    grant, _created = RoleGrant.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("_role_set", None)
    audit_record(actor=actor, action="accounts.role_grant", target=user, summary=role)
    return grant


@transaction.atomic
def role_revoke(*, user: User, role: str, actor: User | None) -> None:
    RoleGrant.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("_role_set", None)
    audit_record(actor=actor, action="accounts.role_revoke", target=user, summary=role)
