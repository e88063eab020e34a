import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengban.audit.services import audit_denied

from . import forms, policies, selectors, services
from .choices import ADMIN_ROLES, ROLES, Clearance, role_choices, role_label
from .middleware import (
    SESSION_IDLE,
    SESSION_LOGIN_AT,
    SESSION_MAX_AGE,
    SESSION_STEPS,
    STEP_URLS,
)
from .models import User

SESSION_TOTP_SECRET = "totp_pending_secret"


def _deny_unless(allowed: bool, request, attempted: str) -> None:
    """Refuse with 403 and record the refusal; the record commits although the request fails."""
    if not allowed:
        audit_denied(actor=request.user, action=attempted, summary=request.path)
        raise PermissionDenied


def _safe_next(request) -> str:
    next_url = request.GET.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return ""


# --- signing in and out ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = forms.LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.user_login(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data.get("otp", ""),
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except services.LoginRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return _start_session(request, result)
    timeout = request.GET.get("timeout") == "1"
    return render(
        request,
        "accounts/login.html",
        {"form": form, "notice": _("长时间未操作，已自动退出。") if timeout else ""},
    )


def _start_session(request, result: services.Login):
    login(request, result.user)
    policy = result.policy
    session = request.session
    now = int(time.time())
    session[SESSION_LOGIN_AT] = now
    session["last_seen"] = now
    session[SESSION_IDLE] = policy.idle_timeout_minutes * 60
    session[SESSION_MAX_AGE] = policy.session_max_hours * 3600
    if result.steps:
        session[SESSION_STEPS] = list(result.steps)
    session.save()
    services.session_begin(user=result.user, session_key=session.session_key, policy=policy)
    if result.steps:
        return redirect(STEP_URLS[result.steps[0]])
    return redirect(_safe_next(request) or "home")


def _step_done(request, step: str):
    steps = [s for s in request.session.get(SESSION_STEPS, []) if s != step]
    if steps:
        request.session[SESSION_STEPS] = steps
    else:
        request.session.pop(SESSION_STEPS, None)
    return steps


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.user_logged_out(user=request.user, session_key=request.session.session_key or "")
    logout(request)  # flushes the session: its data is deleted, not just forgotten
    return redirect("accounts:login")


# --- the user's own account ------------------------------------------------------------------


def _qr_svg(uri: str) -> str:
    # Rendered here, as inline SVG: no image service, no CDN.
    return segno.make(uri, error="m").svg_inline(scale=4, border=2, title="TOTP")


@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request):
    user = request.user
    if user.totp_secret:
        messages.info(request, _("已绑定身份验证器。如需更换，请联系安全保密管理员重置。"))
        return redirect("accounts:profile")
    secret = request.session.get(SESSION_TOTP_SECRET)
    if not secret:
        secret = services.totp_new_secret()
        request.session[SESSION_TOTP_SECRET] = secret
    form = forms.TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_enrol(user=user, secret=secret, code=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(SESSION_TOTP_SECRET, None)
            remaining = _step_done(request, services.STEP_TOTP)
            next_url = STEP_URLS[remaining[0]] if remaining else "home"
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url}
            )
        form.add_error("code", _("动态口令不正确，请核对手机时间后重试。"))
    uri = services.totp_uri(user, secret)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "accounts/totp_enrol.html",
        {
            "form": form,
            "qr": mark_safe(_qr_svg(uri)),  # segno's own SVG of our URI
            "secret": grouped,
            "uri": uri,
            "required": services.STEP_TOTP in request.session.get(SESSION_STEPS, []),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = forms.PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, password=form.cleaned_data["new_password"])
        update_session_auth_hash(request, request.user)  # other sessions of the user end
        services.session_begin(
            user=request.user,
            session_key=request.session.session_key,
            policy=selectors.security_policy(),
        )
        remaining = _step_done(request, services.STEP_PASSWORD)
        messages.success(request, _("密码已修改。"))
        return redirect(STEP_URLS[remaining[0]] if remaining else "accounts:profile")
    policy = selectors.security_policy()
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "policy": policy,
            "required": services.STEP_PASSWORD in request.session.get(SESSION_STEPS, []),
        },
    )


@require_GET
@login_required
def profile(request):
    user = request.user
    policy = selectors.security_policy()
    return render(
        request,
        "accounts/profile.html",
        {
            "account": user,
            "roles": [role_label(r) for r in sorted(user.role_set)],
            "units": [m.unit.name for m in user.memberships.select_related("unit")],
            "recovery_left": user.recovery_codes.filter(used_at=None).count(),
            "totp_required": user.has_role(*policy.totp_roles),
        },
    )


# --- system administrator: accounts, units, configuration ------------------------------------


@require_GET
@login_required
def users(request):
    _deny_unless(policies.can_manage_users(request.user), request, "accounts.users")
    return render(
        request,
        "accounts/users.html",
        {"accounts": selectors.users_for_administration(), "role_labels": dict(ROLES)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    _deny_unless(policies.can_manage_users(request.user), request, "accounts.user_create")
    form = forms.UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = services.random_password()
        user = services.user_create(
            username=form.cleaned_data["username"],
            password=password,
            display_name=form.cleaned_data["display_name"],
            units=tuple(form.cleaned_data["units"]),
            actor=request.user,
            validate_password=False,
            must_change_password=True,
        )
        return render(
            request, "accounts/one_time_password.html", {"account": user, "password": password}
        )
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request, pk: int):
    _deny_unless(policies.can_manage_users(request.user), request, "accounts.user_update")
    user = get_object_or_404(User, pk=pk)
    memberships = list(user.memberships.select_related("unit"))
    initial = {
        "display_name": user.display_name,
        "is_active": user.is_active,
        "units": [m.unit for m in memberships],
        "head_of": [m.unit for m in memberships if m.is_head],
    }
    form = forms.UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                user=user,
                actor=request.user,
                display_name=form.cleaned_data["display_name"],
                is_active=form.cleaned_data["is_active"],
                units=tuple(form.cleaned_data["units"]),
                head_of=tuple(form.cleaned_data["head_of"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "account": user})


@require_POST
@login_required
def user_reset_password(request, pk: int):
    _deny_unless(policies.can_manage_users(request.user), request, "accounts.password_reset")
    user = get_object_or_404(User, pk=pk)
    try:
        password = services.password_reset(user=user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:user_edit", pk=user.pk)
    return render(
        request, "accounts/one_time_password.html", {"account": user, "password": password}
    )


@require_GET
@login_required
def configuration(request):
    _deny_unless(policies.can_view_configuration(request.user), request, "accounts.configuration")
    database = settings.DATABASES["default"]
    rows = [
        (_("数据库"), f"{connection.vendor} · {database.get('NAME', '')}"),
        (_("调试模式"), _("开启") if settings.DEBUG else _("关闭")),
        (_("HTTPS（安全Cookie、HSTS）"), _("开启") if settings.HTTPS else _("关闭")),
        (_("HSTS有效期（秒）"), settings.SECURE_HSTS_SECONDS),
        (_("可信反向代理层数"), settings.TRUSTED_PROXIES),
        (_("允许的主机名"), ", ".join(settings.ALLOWED_HOSTS)),
        (_("涉密系统级别"), settings.CLASSIFIED_SYSTEM_LEVEL or _("非涉密系统")),
        (_("附件存储目录"), settings.PRIVATE_STORAGE_DIR),
        (_("附件大小上限（字节）"), settings.ATTACHMENT_MAX_BYTES),
        (_("审计记录保存天数（不少于）"), settings.AUDIT_RETENTION_DAYS),
        (_("邮件发送方式"), settings.MAILERS["default"]["BACKEND"]),
    ]
    return render(request, "accounts/configuration.html", {"rows": rows})


# --- security administrator: roles, clearances, locks, TOTP resets, policy -------------------


@require_GET
@login_required
def security(request):
    _deny_unless(policies.can_manage_security(request.user), request, "accounts.security")
    return render(
        request,
        "accounts/security.html",
        {
            "accounts": selectors.users_for_administration(),
            "locked": selectors.locked_users(),
            "blocked": selectors.blocked_addresses(),
            "unblock_form": forms.AddressUnblockForm(),
        },
    )


def _security_user_page(request, user, **bound):
    held = sorted(user.role_set)
    if set(held) & ADMIN_ROLES:
        grantable = []  # an administrator holds exactly one role
    else:
        grantable = [
            (value, label)
            for value, label in role_choices()
            if value not in held and not (held and value in ADMIN_ROLES)
        ]
    grant_form = bound.get("grant") or forms.RoleGrantForm()
    grant_form.fields["role"].choices = grantable
    unverified = [
        (grant.role, role_label(grant.role))
        for grant in user.role_grants.order_by("role")
        if not grant.verified
    ]
    return render(
        request,
        "accounts/security_user.html",
        {
            "account": user,
            "held": [(role, role_label(role)) for role in held],
            "unverified": unverified,
            "grant_form": grant_form if grantable else None,
            "clearance_form": bound.get("clearance")
            or forms.ClearanceForm(initial={"clearance": user.clearance}),
            "reason_form": bound.get("reason") or forms.ReasonForm(),
            "clearance_label": Clearance(user.clearance).label,
            "locked": bool(user.locked_until and user.locked_until > timezone.now()),
            "is_self": user.pk == request.user.pk,
        },
        status=400 if bound else 200,
    )


@require_GET
@login_required
def security_user(request, pk: int):
    _deny_unless(policies.can_manage_security(request.user), request, "accounts.security")
    return _security_user_page(request, get_object_or_404(User, pk=pk))


SECURITY_ACTIONS = {
    "grant": (forms.RoleGrantForm, "accounts.role_grant"),
    "revoke": (forms.RoleRevokeForm, "accounts.role_revoke"),
    "clearance": (forms.ClearanceForm, "accounts.clearance_set"),
    "unlock": (forms.ReasonForm, "accounts.unlock"),
    "totp_reset": (forms.ReasonForm, "accounts.totp_reset"),
}


@require_POST
@login_required
def security_user_act(request, pk: int, act: str):
    form_class, attempted = SECURITY_ACTIONS.get(act, (None, "accounts.security"))
    _deny_unless(policies.can_manage_security(request.user), request, attempted)
    user = get_object_or_404(User, pk=pk)
    if form_class is None:
        raise PermissionDenied
    form = form_class(request.POST)
    key = {"grant": "grant", "clearance": "clearance"}.get(act, "reason")
    if not form.is_valid():
        return _security_user_page(request, user, **{key: form})
    data, actor = form.cleaned_data, request.user
    try:
        if act == "grant":
            services.role_grant(user=user, role=data["role"], actor=actor, reason=data["reason"])
        elif act == "revoke":
            services.role_revoke(user=user, role=data["role"], actor=actor, reason=data["reason"])
        elif act == "clearance":
            services.clearance_set(
                user=user, clearance=data["clearance"], actor=actor, reason=data["reason"]
            )
        elif act == "unlock":
            services.user_unlock(user=user, actor=actor, reason=data["reason"])
        else:
            services.totp_reset(user=user, actor=actor, reason=data["reason"])
    except ValidationError as error:
        form.add_error(None, error)
        return _security_user_page(request, user, **{key: form})
    messages.success(request, _("已完成，并记入审计日志。"))
    return redirect("accounts:security_user", pk=user.pk)


@require_POST
@login_required
def address_unblock(request):
    _deny_unless(policies.can_manage_security(request.user), request, "accounts.address_unblock")
    form = forms.AddressUnblockForm(request.POST)
    if form.is_valid():
        services.address_unblock(
            address=form.cleaned_data["address"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("已解除该地址的登录限制。"))
    else:
        messages.error(request, _("请填写理由。"))
    return redirect("accounts:security")


@login_required
@require_http_methods(["GET", "POST"])
def security_policy(request):
    _deny_unless(policies.can_manage_security(request.user), request, "accounts.security_policy")
    current = selectors.security_policy()
    initial = {field: getattr(current, field) for field in services.POLICY_FIELDS}
    form = forms.SecurityPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {field: form.cleaned_data[field] for field in services.POLICY_FIELDS}
        services.security_policy_change(
            actor=request.user, reason=form.cleaned_data["reason"], **values
        )
        messages.success(request, _("安全策略已保存，并记入审计日志。"))
        return redirect("accounts:security_policy")
    return render(
        request,
        "accounts/security_policy.html",
        {"form": form, "defaults": selectors.policy_defaults()},
        status=400 if request.method == "POST" else 200,
    )
