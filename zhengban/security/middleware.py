"""The last line against 500s from unchecked input, for pages as well as the API.

A view that forgets to check a number or a date raises ValueError ("²" passed to int()),
OverflowError (an id larger than the database column, a date past 9999) or a database
range error. Those are the client's mistake, not the server's: answer 400 with a clear
message (JSON under /api/, a page otherwise) and log a warning so the view gets fixed.
`InvalidParameter` from `security.validation` raised in an ordinary view is answered the
same way, with its own message.
"""

import logging

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhengban.api import BAD_INPUT_ERRORS, bad_input_response_data

from .validation import InvalidParameter

logger = logging.getLogger(__name__)


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
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
