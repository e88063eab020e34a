"""Sign-in, one's own account, and the system and security administrators' pages."""

from . import INVALID, METHOD, OK, PAGE, REDIRECT, Row, expect, only

SYSADMIN = only(OK, "system_admin")
SECADMIN = only(OK, "security_admin")
# Writes refused to everyone but the administrator; for them the empty form is shown again
# with its errors (200) or refused as invalid (400), or the act is done (302).
SYSADMIN_WRITE = only(OK, "system_admin")

ROWS = [
    Row("accounts:login", lambda w: "/accounts/login/", get=expect(OK)),
    Row("accounts:logout", lambda w: "/accounts/logout/", get=expect(METHOD)),
    Row("accounts:profile", lambda w: "/accounts/me/", get=PAGE),
    Row("accounts:password_change", lambda w: "/accounts/me/password/", get=PAGE),
    Row("accounts:totp_enrol", lambda w: "/accounts/me/totp/", get=PAGE),
    Row("accounts:users", lambda w: "/accounts/users/", get=SYSADMIN),
    Row(
        "accounts:user_create",
        lambda w: "/accounts/users/new/",
        get=SYSADMIN,
        unsafe=SYSADMIN_WRITE,
    ),
    Row(
        "accounts:user_edit",
        lambda w: f"/accounts/users/{w.target.pk}/",
        get=SYSADMIN,
        unsafe=SYSADMIN_WRITE,
    ),
    Row(
        "accounts:user_reset_password",
        lambda w: f"/accounts/users/{w.target.pk}/reset-password/",
        get=expect(METHOD),
        unsafe=only(OK, "system_admin"),
    ),
    Row("accounts:configuration", lambda w: "/accounts/configuration/", get=SYSADMIN),
    Row("accounts:security", lambda w: "/accounts/security/", get=SECADMIN),
    Row(
        "accounts:security_policy",
        lambda w: "/accounts/security/policy/",
        get=SECADMIN,
        unsafe=only(INVALID, "security_admin"),
    ),
    Row(
        "accounts:address_unblock",
        lambda w: "/accounts/security/addresses/unblock/",
        get=expect(METHOD),
        unsafe=only(REDIRECT, "security_admin"),
    ),
    Row(
        "accounts:security_user",
        lambda w: f"/accounts/security/users/{w.target.pk}/",
        get=SECADMIN,
    ),
    Row(
        "accounts:security_user_act",
        lambda w: f"/accounts/security/users/{w.target.pk}/unlock/",
        get=expect(METHOD),
        unsafe=only(INVALID, "security_admin"),
    ),
]
