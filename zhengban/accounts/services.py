"""Writes for accounts: logins (lockout, TOTP, recovery codes), passwords, sessions, role
grants and clearances (三员分立), the security policy, memberships."""

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.audit.services import audit_record

from . import integrity
from .choices import ADMIN_ROLES, ROLES, Clearance, Role, role_label
from .models import (
    LoginThrottle,
    PasswordHistory,
    RecoveryCode,
    RoleGrant,
    SecurityPolicy,
    UnitMembership,
    User,
)
from .selectors import POLICY_PK, policy_defaults, security_policy


class LoginRefused(Exception):
    """A login attempt that must fail with a message the user may see."""


# One message for every refusal: wrong password, unknown user, wrong or missing code, a
# locked account, a blocked address. Anything more specific tells which usernames exist.
def refusal_message() -> str:
    return _("用户名、密码或动态口令不正确。")


# Steps a session must complete before it may reach anything else.
STEP_TOTP = "totp_enrol"
STEP_PASSWORD = "password_change"

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
_SIX_DIGITS = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class Login:
    user: User
    policy: SecurityPolicy
    steps: tuple[str, ...]


# --- login -----------------------------------------------------------------------------------


def user_authenticate(*, username: str, password: str, otp: str = "", address: str = "") -> User:
    """Check credentials, lockouts and the second factor; audit success and failure."""
    return user_login(username=username, password=password, otp=otp, address=address).user


def user_login(*, username: str, password: str, otp: str = "", address: str = "") -> Login:
    now = timezone.now()
    policy = security_policy()
    user = User.objects.filter(username=username).first()
    throttle = LoginThrottle.objects.filter(address=address).first() if address else None
    address_blocked = bool(throttle and throttle.locked_until and throttle.locked_until > now)
    account_locked = bool(user and user.locked_until and user.locked_until > now)
    # The password is checked even when the answer is already "no", so a locked account or
    # a blocked address takes as long to refuse as a wrong password.
    authenticated = authenticate(username=username, password=password)
    second_factor_ok = authenticated is not None and (
        not authenticated.totp_secret
        or (not (address_blocked or account_locked) and _second_factor(authenticated, otp, now))
    )
    if address_blocked or account_locked:
        audit_record(
            actor=None,
            actor_name=username,
            action="accounts.login_locked",
            target=user if account_locked else None,
            summary=_("来源地址已锁定") if address_blocked else "",
        )
        raise LoginRefused(refusal_message())
    if not second_factor_ok:
        _register_failure(username, user, address, policy, now)
        raise LoginRefused(refusal_message())
    User.objects.filter(pk=authenticated.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=authenticated, action="accounts.login", target=authenticated)
    return Login(user=authenticated, policy=policy, steps=login_steps(authenticated, policy, now))


def login_steps(user: User, policy: SecurityPolicy, now=None) -> tuple[str, ...]:
    """What the user must do before working: enrol an authenticator (roles that need the
    dynamic code), change the password (expired, or set by an administrator)."""
    now = now or timezone.now()
    steps = []
    if not user.totp_secret and user.has_role(*policy.totp_roles):
        steps.append(STEP_TOTP)
    expired = policy.password_max_age_days and (
        user.password_changed_at <= now - timedelta(days=policy.password_max_age_days)
    )
    if user.must_change_password or expired:
        steps.append(STEP_PASSWORD)
    return tuple(steps)


def _register_failure(username, user, address, policy, now) -> None:
    summary = ""
    if user is not None:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            locked.failed_logins += 1
            if locked.failed_logins >= policy.login_max_failures:
                locked.locked_until = now + timedelta(minutes=policy.lockout_minutes)
                summary = _("连续失败%(n)d次，锁定%(m)d分钟") % {
                    "n": locked.failed_logins,
                    "m": policy.lockout_minutes,
                }
            locked.save(update_fields=["failed_logins", "locked_until"])
    if address:
        blocked = _count_address_failure(address, policy, now)
        if blocked:
            summary = "；".join(filter(None, [summary, _("来源地址已锁定")]))
    audit_record(
        actor=None,
        actor_name=username,
        action="accounts.login_failed",
        target=user,
        summary=summary,
    )


def _count_address_failure(address: str, policy: SecurityPolicy, now) -> bool:
    """Count a failure from `address` within the lockout window; True when it blocks it."""
    window = timedelta(minutes=policy.lockout_minutes)
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
            address=address[:64], defaults={"window_start": now}
        )
        if throttle.window_start < now - window:
            throttle.failures, throttle.window_start = 0, now
        throttle.failures += 1
        blocked = throttle.failures >= policy.address_max_failures
        if blocked:
            throttle.locked_until = now + window
        throttle.save()
    return blocked


def _second_factor(user: User, code: str, now) -> bool:
    code = (code or "").strip()
    if _SIX_DIGITS.fullmatch(code):
        return totp_accept(user=user, secret=user.totp_secret, code=code, now=now)
    return recovery_code_use(user=user, code=code, now=now)


def totp_step(secret: str, code: str, now=None) -> int | None:
    """The time step `code` belongs to (now, or one step either side for clock drift)."""
    if not secret or not _SIX_DIGITS.fullmatch(code or ""):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or timezone.now())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def totp_accept(*, user: User, secret: str, code: str, now=None) -> bool:
    """A valid code for a step later than the last one accepted: each code works once."""
    step = totp_step(secret, code, now)
    if step is None:
        return False
    return bool(
        User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    )


# --- TOTP enrolment and recovery codes -------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.TOTP_ISSUER)


def _recovery_digest(user_pk: int, code: str) -> str:
    normalized = re.sub(r"[\s-]", "", code.lower())
    message = f"{user_pk}:{normalized}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, "sm3").hexdigest()


@transaction.atomic
def totp_enrol(*, user: User, secret: str, code: str) -> list[str] | None:
    """Enrol `secret` once the user proved they hold it with a current code. Returns the new
    recovery codes (shown once, stored as digests), or None for a wrong code."""
    step = totp_step(secret, code)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if step is None or locked.totp_secret:
        return None
    locked.totp_secret = secret
    locked.totp_last_step = step
    locked.totp_enrolled_at = timezone.now()
    locked.save(update_fields=["totp_secret", "totp_last_step", "totp_enrolled_at"])
    user.totp_secret = secret
    codes = _recovery_codes_replace(locked)
    audit_record(actor=user, action="accounts.totp_enrol", target=user)
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _c in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=_recovery_digest(user.pk, code)) for code in codes
    )
    return codes


def recovery_code_use(*, user: User, code: str, now=None) -> bool:
    if not code or len(code) > 20:
        return False
    used = RecoveryCode.objects.filter(
        user=user, digest=_recovery_digest(user.pk, code), used_at=None
    ).update(used_at=now or timezone.now())
    if used:
        left = RecoveryCode.objects.filter(user=user, used_at=None).count()
        audit_record(
            actor=user,
            action="accounts.recovery_code_used",
            target=user,
            summary=_("剩余%(n)d个") % {"n": left},
        )
    return bool(used)


@transaction.atomic
def totp_reset(*, user: User, actor: User, reason: str) -> None:
    """Remove an enrolment (lost phone): the next login enrols again. Security administrator
    only, with a reason, audited."""
    _require_security_admin(actor, user, reason, "accounts.totp_reset")
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_enrolled_at=None)
    RecoveryCode.objects.filter(user=user).delete()
    user.totp_secret = ""
    _end_session(user)
    audit_record(actor=actor, action="accounts.totp_reset", target=user, changes={"reason": reason})


# --- sessions --------------------------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _end_session(user: User) -> None:
    key = User.objects.filter(pk=user.pk).values_list("current_session_key", flat=True).first()
    if key:
        _session_store()(session_key=key).delete()
        User.objects.filter(pk=user.pk).update(current_session_key="")


def session_begin(*, user: User, session_key: str, policy: SecurityPolicy) -> bool:
    """Remember the session of this login; with one session per account, end the previous
    one. Returns whether a session was ended."""
    previous = User.objects.filter(pk=user.pk).values_list("current_session_key", flat=True).first()
    ended = bool(policy.single_session and previous and previous != session_key)
    if ended:
        _session_store()(session_key=previous).delete()
        audit_record(actor=user, action="accounts.session_replaced", target=user)
    User.objects.filter(pk=user.pk).update(current_session_key=session_key or "")
    return ended


def user_logged_out(*, user: User, session_key: str = "") -> None:
    if session_key:
        User.objects.filter(pk=user.pk, current_session_key=session_key).update(
            current_session_key=""
        )
    audit_record(actor=user, action="accounts.logout", target=user)


# --- passwords -------------------------------------------------------------------------------


def _remember_password(user: User, policy: SecurityPolicy | None = None) -> None:
    if not user.has_usable_password():
        return
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = max((policy or security_policy()).password_history, 1)
    stale = user.password_history.order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """The user sets their own password (validated by the form against the policy)."""
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)
    audit_record(actor=user, action="accounts.password_change", target=user)


def random_password(min_length: int | None = None) -> str:
    """A random password for accounts created or reset by an administrator: groups of four
    letters and digits (no look-alikes) joined by "-", so it mixes all four classes, at least
    14 characters or the policy's minimum length."""
    length = max(14, min_length or security_policy().password_min_length)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    size = length - length // 5  # room for the separators
    while True:
        body = "".join(secrets.choice(alphabet) for _n in range(size))
        if (
            any(c.isupper() for c in body)
            and any(c.islower() for c in body)
            and any(c.isdigit() for c in body)
        ):
            break
    password = "-".join(body[i : i + 4] for i in range(0, size, 4))
    while len(password) < length:
        password += secrets.choice("23456789")
    return password


@transaction.atomic
def password_reset(*, user: User, actor: User) -> str:
    """A system administrator gives the user a new random password, shown once; the user must
    change it at the next login. Their sessions end."""
    _require_role(actor, Role.SYSTEM_ADMIN, "accounts.password_reset", user)
    if actor.pk == user.pk:
        raise ValidationError(_("不能重置自己的密码，请在“我的账号”中修改。"), code="self")
    password = random_password()
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    _remember_password(user)
    _end_session(user)
    audit_record(actor=actor, action="accounts.password_reset", target=user)
    return password


# --- accounts --------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    display_name: str = "",
    clearance: int = Clearance.INTERNAL,
    roles: tuple[str, ...] = (),
    units: tuple = (),
    head_of: tuple = (),
    person=None,
    actor: User | None = None,
    validate_password: bool = True,
    must_change_password: bool = False,
) -> User:
    """Create an account. From the UI only the system administrator creates accounts, and
    without roles: roles and clearances are the security administrator's (三员分立)."""
    if actor is not None:
        _require_role(actor, Role.SYSTEM_ADMIN, "accounts.user_create")
        if roles or clearance > Clearance.INTERNAL:
            raise ValidationError(
                _("角色和知悉范围由安全保密管理员授予。"), code="separation_of_duties"
            )
    user = User(
        username=username,
        display_name=display_name,
        clearance=clearance,
        person=person,
        must_change_password=must_change_password,
    )
    if validate_password and password is not None:
        from django.contrib.auth.password_validation import validate_password as check

        check(password, user)
    user.set_password(password)
    user.save()
    # The clearance's integrity tag needs the id the row just got.
    user.clearance_tag = integrity.clearance_tag(user.pk, clearance)
    user.save(update_fields=["clearance_tag"])
    user.clearance_verified, user.stored_clearance = True, clearance
    _remember_password(user)
    for role in roles:
        role_grant(user=user, role=role, actor=None)
    for unit in units:
        UnitMembership.objects.create(user=user, unit=unit, is_head=unit in head_of)
    audit_record(actor=actor, action="accounts.user_create", target=user, summary=username)
    return user


@transaction.atomic
def user_update(
    *, user: User, actor: User, display_name: str, is_active: bool, units=(), head_of=()
) -> User:
    """The system administrator edits an account: name, units, enabled or not."""
    _require_role(actor, Role.SYSTEM_ADMIN, "accounts.user_update", user)
    if actor.pk == user.pk and not is_active:
        raise ValidationError(_("不能停用自己的账号。"), code="self")
    was_active, dormant_since = user.is_active, user.dormant_disabled_at
    before = {
        "display_name": user.display_name,
        "is_active": user.is_active,
        "units": sorted(m.unit.name for m in user.memberships.select_related("unit")),
        "heads": sorted(m.unit.name for m in user.memberships.select_related("unit") if m.is_head),
    }
    user.display_name = display_name
    user.is_active = is_active
    fields = ["display_name", "is_active"]
    if is_active and not was_active:
        # Enabled again: dormancy counts afresh from now, and the dormant mark goes.
        user.reenabled_at, user.dormant_disabled_at = timezone.now(), None
        fields += ["reenabled_at", "dormant_disabled_at"]
    user.save(update_fields=fields)
    wanted = {unit.pk: unit for unit in units}
    head_ids = {unit.pk for unit in head_of}
    UnitMembership.objects.filter(user=user).exclude(unit_id__in=wanted).delete()
    for pk, unit in wanted.items():
        UnitMembership.objects.update_or_create(
            user=user, unit=unit, defaults={"is_head": pk in head_ids}
        )
    if not is_active:
        _end_session(user)
    after = {
        "display_name": display_name,
        "is_active": is_active,
        "units": sorted(u.name for u in wanted.values()),
        "heads": sorted(u.name for u in wanted.values() if u.pk in head_ids),
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if is_active and not was_active and dormant_since is not None:
        changes["dormant_disabled_at"] = [dormant_since.isoformat(), None]
    user.__dict__.pop("_unit_ids", None)
    user.__dict__.pop("_led_unit_ids", None)
    if changes:
        audit_record(actor=actor, action="accounts.user_update", target=user, changes=changes)
    return user


# --- 三员分立: roles, clearances, locks ---------------------------------------------------


def _require_role(actor: User, role: str, attempted: str, target=None) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.has_role(role)):
        raise PermissionDenied(attempted)


def _require_security_admin(actor: User, user: User, reason: str, attempted: str) -> None:
    _require_role(actor, Role.SECURITY_ADMIN, attempted, user)
    if actor.pk == user.pk:
        raise ValidationError(_("不能对自己的账号执行此操作。"), code="self")
    if not (reason or "").strip():
        raise ValidationError(_("请填写理由。"), code="reason_required")


@transaction.atomic
def role_grant(*, user: User, role: str, actor: User | None, reason: str = "") -> RoleGrant:
    """Grant a role. One account holds at most one of the three administrator roles and no
    business role beside it. From the UI (`actor` given) only the security administrator
    grants, never to themselves, always with a reason; `actor=None` is setup and tests."""
    if role not in ROLES:
        raise ValidationError(_("未知角色：%(role)s") % {"role": role})
    if actor is not None:
        _require_security_admin(actor, user, reason, "accounts.role_grant")
    # Lock the user row so two concurrent grants cannot both pass the check.
    User.objects.select_for_update().filter(pk=user.pk).first()
    # Only grants whose integrity tag verifies are held (a DBA's row counts as absent).
    held = set(
        integrity.verified_roles(
            user.pk, RoleGrant.objects.filter(user=user).values_list("pk", "role", "tag")
        )
    )
    if role in ADMIN_ROLES and (held & ADMIN_ROLES) - {role}:
        other = role_label((held & ADMIN_ROLES - {role}).pop())
        raise ValidationError(
            _("三员分立：该账号已是%(other)s，不能再授予%(role)s。")
            % {"other": other, "role": role_label(role)},
            code="separation_of_duties",
        )
    if (role in ADMIN_ROLES and held - ADMIN_ROLES) or (
        role not in ADMIN_ROLES and held & ADMIN_ROLES
    ):
        raise ValidationError(
            _("三员分立：管理员账号不能同时担任业务角色，请为业务工作另设账号。"),
            code="separation_of_duties",
        )
    tag = integrity.grant_tag(user.pk, role)
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, defaults={"tag": tag})
    retagged = not created and role not in held
    if retagged:
        # A row that failed its check (so the role was not held) becomes the grant made now.
        RoleGrant.objects.filter(pk=grant.pk).update(tag=tag)
        grant.tag = tag
    user.__dict__.pop("_role_set", None)
    if created or retagged:
        changes = {"reason": reason} if reason else {}
        if retagged:
            changes["replaced_unverified_grant"] = grant.pk
        audit_record(
            actor=actor,
            action="accounts.role_grant",
            target=user,
            summary=role,
            changes=changes or None,
        )
    return grant


@transaction.atomic
def role_revoke(*, user: User, role: str, actor: User | None, reason: str = "") -> None:
    if actor is not None:
        _require_security_admin(actor, user, reason, "accounts.role_revoke")
    deleted, _rows = RoleGrant.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("_role_set", None)
    if deleted:
        audit_record(
            actor=actor,
            action="accounts.role_revoke",
            target=user,
            summary=role,
            changes={"reason": reason} if reason else None,
        )


@transaction.atomic
def clearance_set(*, user: User, clearance: int, actor: User, reason: str) -> None:
    _require_security_admin(actor, user, reason, "accounts.clearance_set")
    if clearance not in Clearance.values:
        raise ValidationError(_("未知的知悉范围。"), code="invalid")
    if clearance > max(Clearance.INTERNAL, settings.CLASSIFIED_SYSTEM_LEVEL):
        raise ValidationError(
            _("本系统未获批处理该密级的内容，不能授予该知悉范围。"), code="not_approved"
        )
    old = user.clearance  # the lowest when the stored value failed its integrity check
    verified = getattr(user, "clearance_verified", True)
    stored = getattr(user, "stored_clearance", old)
    if old == clearance and verified:
        return
    User.objects.filter(pk=user.pk).update(
        clearance=clearance, clearance_tag=integrity.clearance_tag(user.pk, clearance)
    )
    user.clearance = user.stored_clearance = clearance
    user.clearance_verified = True
    changes = {"clearance": [old, clearance], "reason": reason}
    if not verified:
        changes["replaced_unverified_clearance"] = stored
    audit_record(
        actor=actor,
        action="accounts.clearance_set",
        target=user,
        summary=str(Clearance(clearance).label),
        changes=changes,
    )


@transaction.atomic
def user_unlock(*, user: User, actor: User, reason: str) -> None:
    _require_security_admin(actor, user, reason, "accounts.unlock")
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_record(actor=actor, action="accounts.unlock", target=user, changes={"reason": reason})


@transaction.atomic
def address_unblock(*, address: str, actor: User, reason: str) -> None:
    _require_role(actor, Role.SECURITY_ADMIN, "accounts.address_unblock")
    if not (reason or "").strip():
        raise ValidationError(_("请填写理由。"), code="reason_required")
    LoginThrottle.objects.filter(address=address).delete()
    audit_record(
        actor=actor,
        action="accounts.address_unblock",
        summary=address,
        changes={"reason": reason},
    )


POLICY_FIELDS = tuple(policy_defaults())


@transaction.atomic
def security_policy_change(*, actor: User, reason: str = "", **values) -> SecurityPolicy:
    """The security administrator sets the policy; every changed value is audited."""
    _require_role(actor, Role.SECURITY_ADMIN, "accounts.security_policy")
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(f"unknown policy fields: {sorted(unknown)}")
    current = security_policy()
    changes = {}
    for field, value in values.items():
        old = getattr(current, field)
        if field == "totp_roles":
            value = sorted(value)
            old = sorted(old)
        if old != value:
            changes[field] = [old, value]
            setattr(current, field, value)
    if not changes:
        return current
    SecurityPolicy.objects.update_or_create(
        pk=POLICY_PK, defaults={f: getattr(current, f) for f in POLICY_FIELDS}
    )
    if reason:
        changes["reason"] = reason
    audit_record(actor=actor, action="accounts.security_policy", changes=changes)
    return security_policy()


# --- dormant accounts (等保 2.0 8.1.4.2 c: 及时删除或停用多余的、过期的账户) -------------------


def _last_activity(user: User):
    return max(t for t in (user.last_login, user.reenabled_at, user.date_joined) if t)


def dormant_accounts(now=None, days: int | None = None) -> list[User]:
    """Enabled accounts not signed in for `days` (the policy's `dormant_days`): neither a
    login, nor being enabled again, nor the account's creation is that recent. Oldest first."""
    now = now or timezone.now()
    days = security_policy().dormant_days if days is None else days
    if not days:
        return []
    cutoff = now - timedelta(days=days)
    from django.db.models import Q

    rows = User.objects.filter(
        Q(last_login__isnull=True) | Q(last_login__lt=cutoff),
        Q(reenabled_at__isnull=True) | Q(reenabled_at__lt=cutoff),
        is_active=True,
        date_joined__lt=cutoff,
    )
    return sorted(rows, key=lambda u: (_last_activity(u), u.pk))


def _active_admin_holders() -> dict[str, set[int]]:
    """Enabled accounts holding each of the 三员 roles by a grant that verifies."""
    holders: dict[str, set[int]] = {role: set() for role in ADMIN_ROLES}
    rows = RoleGrant.objects.filter(role__in=ADMIN_ROLES, user__is_active=True).values_list(
        "pk", "user_id", "role", "tag"
    )
    for pk, user_id, role, tag in rows:
        if integrity.verified_roles(user_id, [(pk, role, tag)]):
            holders[role].add(user_id)
    return holders


def accounts_disable_dormant(*, today=None, now=None) -> dict:
    """The daily sweep (`zhengban tick`): disable every dormant account, each in its own
    transaction and audited with the reason — the three administrators' accounts too, except
    the last enabled account of each 三员 role, which is kept (and the keeping audited) so
    the system can never lock its administrators out."""
    now = now or timezone.now()
    days = security_policy().dormant_days
    disabled = kept = 0
    if not days:
        return {"停用": 0, "保留": 0}
    holders = _active_admin_holders()
    for candidate in dormant_accounts(now, days):
        admin_roles = [role for role, ids in holders.items() if candidate.pk in ids]
        if any(holders[role] == {candidate.pk} for role in admin_roles):
            kept += 1
            audit_record(
                actor=None,
                action="accounts.dormant_kept",
                target=candidate,
                summary=admin_roles[0],
                changes={"days": days, "last_login": _iso(candidate.last_login)},
            )
            continue
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=candidate.pk).first()
            if (
                user is None
                or not user.is_active
                or _last_activity(user) >= now - timedelta(days=days)
            ):
                continue  # signed in or changed meanwhile
            User.objects.filter(pk=user.pk).update(is_active=False, dormant_disabled_at=now)
            user.is_active, user.dormant_disabled_at = False, now
            _end_session(user)
            audit_record(
                actor=None,
                action="accounts.dormant_disable",
                target=user,
                summary=str(days),
                changes={
                    "reason": _("连续%(days)d天未登录，自动停用") % {"days": days},
                    "days": days,
                    "last_login": _iso(user.last_login),
                    "is_active": [True, False],
                },
            )
        disabled += 1
        for role in admin_roles:
            holders[role].discard(candidate.pk)
    return {"停用": disabled, "保留": kept}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
