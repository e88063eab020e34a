"""One settings module for every deployment, driven by environment variables.

DATABASE_URL selects the database (default: SQLite under var/). Secrets have no default
when ZHENGBAN_DEBUG is off, so a production deployment fails fast instead of running
with a known key.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("ZHENGBAN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None else int(value)


# Off unless asked for: DEBUG pages list every URL and show settings with each traceback.
DEBUG = env_bool("ZHENGBAN_DEBUG", False)


def _secret_key() -> str:
    """ZHENGBAN_SECRET_KEY, or a random key kept in var/secret_key (created once, readable by
    the owner only), so no installation runs with a key known from the source. Several
    application servers must share one: set the variable (docs/deploy.md)."""
    key = os.environ.get("ZHENGBAN_SECRET_KEY", "")
    if key:
        return key
    if env_bool("ZHENGBAN_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("ZHENGBAN_SECRET_KEY must be set.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ZHENGBAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "zhengban.accounts",
    "zhengban.audit",
    "zhengban.org",
    "zhengban.workcalendar",
    "zhengban.cases",
    "zhengban.routing",
    "zhengban.security",
    "zhengban.documents",
    "zhengban.classified",
    "zhengban.supervision",
    "zhengban.approvals",
    "zhengban.instructions",
    "zhengban.meetings",
]

MIDDLEWARE = [
    "zhengban.accounts.middleware.ReverseProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhengban.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhengban.accounts.middleware.IdleTimeoutMiddleware",
    "zhengban.accounts.middleware.PendingStepMiddleware",
    "zhengban.accounts.middleware.NoStoreMiddleware",
    "zhengban.audit.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhengban.security.middleware.GuardMiddleware",
]

ROOT_URLCONF = "zhengban.urls"
WSGI_APPLICATION = "zhengban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "zhengban.accounts.context_processors.navigation",
                "zhengban.cases.context_processors.notifications",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhengban.sqlite3'}")
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs its folder
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work during a write; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing halfway through a transaction.
    # A page cache of its own per connection (filled as used) and memory-mapped reads: the
    # default 2 MB cache made a busy 处长's 待办 at 10^5 cases ten times slower.
    cache_mb = env_int("ZHENGBAN_SQLITE_CACHE_MB", 128)
    mmap_mb = env_int("ZHENGBAN_SQLITE_MMAP_MB", 1024)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        f"PRAGMA cache_size=-{cache_mb * 1024}; PRAGMA mmap_size={mmap_mb * 1024 * 1024};",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ZHENGBAN_TEST_DB") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password rules come from the security policy (accounts.SecurityPolicy, set by the
# security administrator); the values below are its defaults.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "zhengban.accounts.validators.PolicyLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhengban.accounts.validators.CharacterClassValidator"},
    {"NAME": "zhengban.accounts.validators.PasswordHistoryValidator"},
]

# 等保 2.0 level 3 (GB/T 22239-2019 8.1.4.1): the standard leaves these values open. They are
# the defaults of the security settings page; the security administrator changes them there.
PASSWORD_MIN_LENGTH = env_int("ZHENGBAN_PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CLASSES = env_int("ZHENGBAN_PASSWORD_MIN_CLASSES", 3)
PASSWORD_HISTORY = env_int("ZHENGBAN_PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("ZHENGBAN_PASSWORD_MAX_AGE_DAYS", 90)
# Accounts not signed in for this many days are disabled by the daily sweep (0: never).
ACCOUNT_DORMANT_DAYS = env_int("ZHENGBAN_ACCOUNT_DORMANT_DAYS", 90)
LOGIN_MAX_FAILURES = env_int("ZHENGBAN_LOGIN_MAX_FAILURES", 5)
LOGIN_ADDRESS_MAX_FAILURES = env_int("ZHENGBAN_LOGIN_ADDRESS_MAX_FAILURES", 20)
LOGIN_LOCKOUT_MINUTES = env_int("ZHENGBAN_LOGIN_LOCKOUT_MINUTES", 15)
IDLE_TIMEOUT_SECONDS = env_int("ZHENGBAN_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_MAX_HOURS = env_int("ZHENGBAN_SESSION_MAX_HOURS", 10)
SINGLE_SESSION = env_bool("ZHENGBAN_SINGLE_SESSION", True)
TOTP_REQUIRED_ROLES = env_list(
    "ZHENGBAN_TOTP_REQUIRED_ROLES",
    ["office_leader", "city_leader", "system_admin", "security_admin", "audit_admin"],
)
TOTP_ISSUER = os.environ.get("ZHENGBAN_TOTP_ISSUER", "政办")
# Sessions end when the browser closes, after the idle timeout, and at the latest
# SESSION_MAX_HOURS after login (accounts.middleware); never a 14-day cookie.
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the template, never from the cookie

# HTTPS behind a reverse proxy (docs/deploy.md). nginx terminates TLS and forwards
# X-Forwarded-Proto and X-Forwarded-For; ZHENGBAN_HTTPS=1 makes the cookies Secure and
# sends HSTS; ZHENGBAN_TRUSTED_PROXIES is how many proxies stand in front of the app (their
# X-Forwarded-* headers are believed, nobody else's).
HTTPS = env_bool("ZHENGBAN_HTTPS", False)
TRUSTED_PROXIES = env_int("ZHENGBAN_TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("ZHENGBAN_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("ZHENGBAN_SSL_REDIRECT", False)  # nginx usually redirects
SECURE_HSTS_SECONDS = env_int("ZHENGBAN_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHENGBAN_HSTS_SUBDOMAINS", False)
CSRF_TRUSTED_ORIGINS = env_list("ZHENGBAN_CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy on every response (django.middleware.csp): scripts only from this
# server, never inline; no frames, plugins or foreign form targets. Style attributes remain
# allowed (templates and ECharts tooltips use them); style and script files are local.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(
    parents=True, exist_ok=True
)  # WhiteNoise expects it even when serving via finders
STATICFILES_DIRS = [BASE_DIR / "static"]
# npm installs front-end packages here at setup time; they are served locally, never from a CDN.
NODE_MODULES_DIR = PROJECT_DIR / "node_modules"
# Only the packages' dist folders: with DEBUG off WhiteNoise indexes every file at start-up
# (each test client too), and the rest of node_modules is sources nobody serves.
for _package in ("echarts", "htmx.org"):
    if (NODE_MODULES_DIR / _package / "dist").is_dir():
        STATICFILES_DIRS.append((f"vendor/{_package}/dist", NODE_MODULES_DIR / _package / "dist"))
WHITENOISE_USE_FINDERS = True

# Uploaded attachments live outside the web root and are served only through a view that
# applies the permission policy.
PRIVATE_STORAGE_DIR = Path(os.environ.get("ZHENGBAN_PRIVATE_STORAGE", VAR_DIR / "private"))
ATTACHMENT_MAX_BYTES = env_int("ZHENGBAN_ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# What this deployment is approved for (保守国家秘密法 2024 arts. 29–31). An ordinary office
# system holds 公开/内部 content and only a metadata register of classified paper documents.
# 0 = not a classified system; 2/3/4 = approved up to 秘密/机密/绝密.
CLASSIFIED_SYSTEM_LEVEL = env_int("ZHENGBAN_CLASSIFIED_SYSTEM_LEVEL", 0)
# Cap on the text of a case body, comment, opinion or report (characters).
CASE_TEXT_MAX_CHARS = env_int("ZHENGBAN_CASE_TEXT_MAX_CHARS", 20_000)

MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "ZHENGBAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        )
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("ZHENGBAN_FROM_EMAIL", "zhengban@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "zhengban.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "zhengban.api.exception_handler",
    # JSON bodies are bounded (size, nesting); forms and uploads keep DRF's parsers.
    "DEFAULT_PARSER_CLASSES": [
        "zhengban.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# Bad input is a 400, never a 500 (zhengban/api.py): the most rows one API page returns,
# the largest offset, the largest JSON body and its deepest nesting.
API_MAX_LIMIT = env_int("ZHENGBAN_API_MAX_LIMIT", 200)
API_MAX_OFFSET = env_int("ZHENGBAN_API_MAX_OFFSET", 10**9)
API_JSON_MAX_BYTES = env_int("ZHENGBAN_API_JSON_MAX_BYTES", 1024 * 1024)
API_JSON_MAX_DEPTH = env_int("ZHENGBAN_API_JSON_MAX_DEPTH", 32)
SPECTACULAR_SETTINGS = {
    "TITLE": "zhengban API",
    "DESCRIPTION": "政办 — 市政府办公厅业务平台接口",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs are for signed-in users only (the docs pages also redirect to login).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# 等保 2.0: audit records are kept at least 180 days; the application never deletes them.
AUDIT_RETENTION_DAYS = env_int("ZHENGBAN_AUDIT_RETENTION_DAYS", 180)
# Alert the security and audit administrators when the audit store nears its limit (0: none).
AUDIT_STORAGE_MAX_ROWS = env_int("ZHENGBAN_AUDIT_STORAGE_MAX_ROWS", 0)
AUDIT_STORAGE_MAX_BYTES = env_int("ZHENGBAN_AUDIT_STORAGE_MAX_BYTES", 10 * 1024**3)
AUDIT_STORAGE_WARN_PERCENT = env_int("ZHENGBAN_AUDIT_STORAGE_WARN_PERCENT", 80)

# `zhengban tick`: remind this many working days before a due date; escalate to office
# leaders when a case is overdue by more than this many working days.
CASES_REMIND_WORKDAYS = env_int("ZHENGBAN_REMIND_WORKDAYS", 3)
CASES_ESCALATE_LEADER_WORKDAYS = env_int("ZHENGBAN_ESCALATE_LEADER_WORKDAYS", 5)

# Periodic work (reminders, escalation) runs in-process from `zhengban tick`; a
# multi-machine deployment points Celery at Redis and schedules the same task.
CELERY_BROKER_URL = os.environ.get("ZHENGBAN_CELERY_BROKER_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHENGBAN_LOG_LEVEL", "WARNING")},
}
