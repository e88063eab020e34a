import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

# Session keys written at login (accounts.views.login_view).
SESSION_LOGIN_AT = "login_at"
SESSION_IDLE = "idle_timeout"
SESSION_MAX_AGE = "max_age"
SESSION_STEPS = "pending_steps"


class ReverseProxyMiddleware:
    """Behind ZHENGBAN_TRUSTED_PROXIES reverse proxies, the client's address is the one the
    outermost trusted proxy saw: counted from the right of X-Forwarded-For, since a client can
    put anything on its left. Audit records and the per-address lockout read REMOTE_ADDR."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        proxies = settings.TRUSTED_PROXIES
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if proxies and forwarded:
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            if hops:
                request.META["REMOTE_ADDR"] = hops[-min(proxies, len(hops))][:64]
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Ends a session idle longer than the policy's idle timeout, or older than its absolute
    lifetime (等保 2.0 8.1.4.1 b). Both values were stored in the session at login, so this
    costs no query; sessions made without the login form use the settings defaults."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            last = session.get("last_seen") or now
            idle = session.get(SESSION_IDLE) or settings.IDLE_TIMEOUT_SECONDS
            login_at = session.get(SESSION_LOGIN_AT)
            max_age = session.get(SESSION_MAX_AGE) or settings.SESSION_MAX_HOURS * 3600
            if now - last > idle or (login_at and now - login_at > max_age):
                logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?timeout=1")
            session["last_seen"] = now
        return self.get_response(request)


# Where a session with pending steps may go: the step pages, signing out, the language.
STEP_URLS = {
    "totp_enrol": "accounts:totp_enrol",
    "password_change": "accounts:password_change",
}
OPEN_DURING_STEPS = {*STEP_URLS.values(), "accounts:logout", "i18n:set_language"}


class PendingStepMiddleware:
    """A login that still has to enrol an authenticator or change its password reaches
    nothing but those pages (and signing out) until it has done so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        steps = request.session.get(SESSION_STEPS) if hasattr(request, "session") else None
        if steps and request.user.is_authenticated:
            try:
                match = resolve(request.path_info)
                name = f"{match.namespace}:{match.url_name}" if match.namespace else ""
            except Resolver404:
                name = ""
            if name not in OPEN_DURING_STEPS:
                if request.path_info.startswith("/api/"):
                    message = _("请先完成身份验证器绑定或修改密码。")
                    return JsonResponse({"detail": message}, status=403)
                return redirect(STEP_URLS.get(steps[0], "accounts:login"))
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user are never kept by the browser or a proxy
    (residual information on shared office PCs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response


class LanguageMiddleware:
    """Simplified Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with
    an English browser would get English; here only the explicit choice (the cookie set by
    i18n:set_language) counts."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()  # the thread may serve a request in another language next
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
