"""Reads for accounts: the effective security policy, user lists for the administrators."""

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import LoginThrottle, RoleGrant, SecurityPolicy, UnitMembership, User

POLICY_PK = 1


def policy_defaults() -> dict:
    """The values settings.py (and its environment variables) give until the security
    administrator changes them."""
    return {
        "password_min_length": settings.PASSWORD_MIN_LENGTH,
        "password_min_classes": settings.PASSWORD_MIN_CLASSES,
        "password_history": settings.PASSWORD_HISTORY,
        "password_max_age_days": settings.PASSWORD_MAX_AGE_DAYS,
        "login_max_failures": settings.LOGIN_MAX_FAILURES,
        "address_max_failures": settings.LOGIN_ADDRESS_MAX_FAILURES,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
        "idle_timeout_minutes": max(1, settings.IDLE_TIMEOUT_SECONDS // 60),
        "session_max_hours": settings.SESSION_MAX_HOURS,
        "single_session": settings.SINGLE_SESSION,
        "totp_roles": list(settings.TOTP_REQUIRED_ROLES),
        "audit_max_rows": max(settings.AUDIT_STORAGE_MAX_ROWS, 0),
        "audit_max_mib": max(settings.AUDIT_STORAGE_MAX_BYTES, 0) // 1024**2,
        "audit_warn_percent": settings.AUDIT_STORAGE_WARN_PERCENT,
        "dormant_days": max(settings.ACCOUNT_DORMANT_DAYS, 0),
    }


def security_policy() -> SecurityPolicy:
    """The stored policy, or an unsaved one holding the defaults. One query; read at login
    and by the password validators, never on every request."""
    stored = SecurityPolicy.objects.filter(pk=POLICY_PK).first()
    return stored if stored is not None else SecurityPolicy(pk=POLICY_PK, **policy_defaults())


def users_for_administration() -> QuerySet[User]:
    """Every account with its roles and units, for the administrators' lists."""
    return (
        User.objects.order_by("username")
        .prefetch_related(
            Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")),
            Prefetch("memberships", queryset=UnitMembership.objects.select_related("unit")),
        )
        .only(
            "pk",
            "username",
            "display_name",
            "clearance",
            "clearance_tag",
            "is_active",
            "dormant_disabled_at",
            "locked_until",
            "totp_secret",
            "last_login",
        )
    )


def locked_users() -> QuerySet[User]:
    return User.objects.filter(locked_until__gt=timezone.now()).order_by("username")


def blocked_addresses() -> QuerySet[LoginThrottle]:
    return LoginThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("address")
