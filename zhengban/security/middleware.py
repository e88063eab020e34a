"""Two guards around every view, for pages as well as the API.

Bad input never yields a 500. A view that forgets to check a number or a date raises
ValueError ("²" passed to int()), OverflowError (an id larger than the database column, a
date past 9999) or a database range error. Those are the client's mistake, not the server's:
answer 400 with a clear message (JSON under /api/, a page otherwise) and log a warning so the
view gets fixed. `InvalidParameter` from `security.validation` raised in an ordinary view is
answered the same way, with its own message.

Errors under /api/ are JSON: Django's own pages (no URL matched, a CSRF failure) are
replaced by `{"detail": …, "code": …}` like every DRF error.

An action whose audit record cannot be written (`audit.services.AuditWriteFailed`) has been
rolled back: answer 503 with a clear message; the audit app has alerted the administrators.

Denied writes leave an audit record (等保 2.0 8.1.4.3 a). A signed-in user's POST/PUT/PATCH/
DELETE answered 401, 403 or 404 is recorded as `audit.denied` unless the view already recorded
the refusal itself (services and policies do, with the precise action; this catches every
view that does not). Anonymous requests are not recorded (see `_denied`).
"""

import logging

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengban.api import BAD_INPUT_ERRORS, bad_input_response_data
from zhengban.audit.context import current_request_info

from .validation import InvalidParameter

logger = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DENIED_STATUSES = frozenset({401, 403, 404})
# Signing in or out is no refusal, whatever it answers.
NOT_A_REFUSAL = frozenset({"accounts:logout", "accounts:login"})
AUDIT_UNAVAILABLE = gettext_lazy(
    "审计记录暂时无法写入，本次操作未执行，已向安全保密管理员和安全审计员告警。请稍后重试。"
)
JSON_ERRORS = {
    400: ("invalid", gettext_lazy("请求无效。")),
    403: ("permission_denied", gettext_lazy("没有权限执行该操作。")),
    404: ("not_found", gettext_lazy("未找到。")),
    405: ("method_not_allowed", gettext_lazy("不允许该请求方法。")),
    413: ("too_large", gettext_lazy("请求体过大。")),
}


class GuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS and self._denied(request, response):
            self._audit_denial(request, response)
        if request.path.startswith("/api/") and response.status_code >= 400:
            response = self._as_json(response)
        return response

    @staticmethod
    def _as_json(response):
        """Django's own error pages (no URL matched, a CSRF failure) as the API's JSON."""
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, detail = JSON_ERRORS.get(response.status_code, ("error", _("请求失败。")))
        replacement = JsonResponse(
            {"detail": str(detail), "code": code},
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "X-Request-ID"):
            if header in response:
                replacement[header] = response[header]
        return replacement

    # --- bad input ---------------------------------------------------------------------------

    def process_exception(self, request, exception):
        from zhengban.audit.services import AuditWriteFailed

        if isinstance(exception, AuditWriteFailed):
            return self._audit_unavailable(request)
        if isinstance(exception, InvalidParameter):
            data = {"detail": str(exception.detail), "code": exception.detail.code}
        elif isinstance(exception, BAD_INPUT_ERRORS):
            logger.warning("bad input reached %s: %r", request.path, exception, exc_info=exception)
            data = bad_input_response_data()
            data["detail"] = _("请求参数无效或超出允许范围。")
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(data, status=400, json_dumps_params={"ensure_ascii": False})
        try:
            return render(
                request, "security/bad_request.html", {"message": data["detail"]}, status=400
            )
        except Exception:  # the page itself failed: still not a 500
            logger.exception("bad request page failed")
            return HttpResponseBadRequest(data["detail"], content_type="text/plain; charset=utf-8")

    @staticmethod
    def _audit_unavailable(request):
        """The action's audit record could not be written, so the action was rolled back
        (and the administrators alerted): a clear 503, not a traceback."""
        message = str(AUDIT_UNAVAILABLE)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "code": "audit_unavailable"},
                status=503,
                json_dumps_params={"ensure_ascii": False},
            )
        try:
            return render(
                request,
                "security/bad_request.html",
                {"message": message, "title": _("操作未执行")},
                status=503,
            )
        except Exception:
            logger.exception("audit unavailable page failed")
            return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")

    # --- denied writes -----------------------------------------------------------------------

    @staticmethod
    def _denied(request, response) -> bool:
        # Anonymous requests are sent to the login page (or get a 403 from the API) and are
        # not recorded: the audit log records what known people attempted, and anyone on the
        # network must not be able to fill it (the audit app holds this too).
        if not getattr(getattr(request, "user", None), "is_authenticated", False):
            return False
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in NOT_A_REFUSAL:
            return False
        return response.status_code in DENIED_STATUSES

    @staticmethod
    def _audit_denial(request, response) -> None:
        from zhengban.audit.models import AuditRecord
        from zhengban.audit.services import audit_denied

        info = current_request_info()
        if (
            info is not None
            and AuditRecord.objects.filter(
                request_id=info.request_id, action="audit.denied"
            ).exists()
        ):
            return
        match = getattr(request, "resolver_match", None)
        attempted = f"http.{request.method.lower()}"
        if match is not None and match.view_name:
            attempted += f":{match.view_name}"
        try:
            audit_denied(
                actor=getattr(request, "user", None),
                action=attempted[:64],
                summary=f"{response.status_code} {request.path}"[:200],
            )
        except Exception:  # never turn a refusal into a server error
            logger.exception("could not audit a denied %s %s", request.method, request.path)
