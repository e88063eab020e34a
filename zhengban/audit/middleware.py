import logging

from django.template.loader import render_to_string
from django.urls import reverse

from .context import reset_request_info, set_request_info

logger = logging.getLogger(__name__)

# Where the banner goes in base.html: at the top of the page's main content.
BANNER_MARK = b'<main class="content">'


class RequestContextMiddleware:
    """Makes the client address and a request id available to audit records, and returns
    the id in an X-Request-ID header so a user's report can be matched to the records.

    After the view it also stores audit alerts the request raised while its transaction had
    failed (they wait in the spool until then), and shows open alerts as a banner on every
    page of the security and audit administrators (`alerts`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_info(request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
            response.setdefault("X-Request-ID", token.var.get().request_id)
            _store_pending_alerts()
            return _with_alert_banner(request, response)
        finally:
            reset_request_info(token)


def _store_pending_alerts() -> None:
    from .alerts import alert_pending, import_spool

    if not alert_pending():
        return
    try:
        import_spool()
    except Exception:  # the alert is logged and spooled; never fail the response for it
        logger.exception("could not store audit alerts after the request")


def _with_alert_banner(request, response):
    if (
        request.method != "GET"
        or response.status_code != 200
        or getattr(response, "streaming", False)
        or not response.get("Content-Type", "").startswith("text/html")
        or request.headers.get("HX-Request")
        or BANNER_MARK not in response.content
    ):
        return response
    from .alerts import may_see_alerts, open_alerts

    user = getattr(request, "user", None)
    if not may_see_alerts(user) or request.path == reverse("audit:alerts"):
        return response
    try:
        alerts = list(open_alerts()[:4])
    except Exception:
        logger.exception("could not read audit alerts for the banner")
        return response
    if not alerts:
        return response
    banner = render_to_string(
        "audit/_alert_banner.html",
        {"alerts": alerts[:3], "more": len(alerts) > 3},
        request=request,
    ).encode(response.charset or "utf-8")
    response.content = response.content.replace(BANNER_MARK, BANNER_MARK + banner, 1)
    return response
