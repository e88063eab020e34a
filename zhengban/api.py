"""Project-wide API conventions: errors carry a stable code and a message under `detail`."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.views import exception_handler as drf_exception_handler

# Django's own exceptions reach the handler unconverted; give them DRF's codes.
DJANGO_CODES = {Http404: "not_found", PermissionDenied: "permission_denied"}


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        code = DJANGO_CODES.get(type(exc)) or getattr(exc, "default_code", "error")
        if hasattr(exc, "get_codes"):
            codes = exc.get_codes()
            if isinstance(codes, str):
                code = codes
        response.data.setdefault("code", code)
    return response
