"""Project-wide API conventions.

- Errors carry a stable `code` and a message under `detail`, whatever raised them.
- Lists page with `limit`/`offset`, checked strictly: garbage or negative values are a 400,
  a limit above `API_MAX_LIMIT` is clamped, an offset beyond `API_MAX_OFFSET` is a 400.
- JSON bodies are bounded in size (`API_JSON_MAX_BYTES`) and nesting (`API_JSON_MAX_DEPTH`).
- Bad input never becomes a 500: ValueError/OverflowError/RecursionError escaping a view
  (a number or date the code forgot to check) and database range errors answer 400.
"""

import codecs
import json
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from zhengban.security.validation import InvalidParameter, parse_positive_int

logger = logging.getLogger(__name__)

# Django's own exceptions reach the handler unconverted; give them DRF's codes.
DJANGO_CODES = {Http404: "not_found", PermissionDenied: "permission_denied"}
# Exceptions that mean "the input was out of range or malformed" when they escape a view.
BAD_INPUT_ERRORS = (ValueError, OverflowError, RecursionError, DataError)
BAD_INPUT_DETAIL = "请求参数无效或超出允许范围。"


def bad_input_response_data() -> dict:
    return {"detail": BAD_INPUT_DETAIL, "code": "invalid_input"}


def exception_handler(exc, context):
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which names this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, BAD_INPUT_ERRORS):
        view = context.get("view")
        logger.warning(
            "bad input reached %s: %r", type(view).__name__ if view else "?", exc, exc_info=exc
        )
        return Response(bad_input_response_data(), status=status.HTTP_400_BAD_REQUEST)
    if response is not None and isinstance(response.data, dict):
        code = DJANGO_CODES.get(type(exc)) or getattr(exc, "default_code", "error")
        if hasattr(exc, "get_codes"):
            codes = exc.get_codes()
            if isinstance(codes, str):
                code = codes
        response.data.setdefault("code", code)
        if "detail" not in response.data:
            # A serializer's field errors: keep them, and say in one line what failed.
            response.data = {"detail": _first_message(response.data), **response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {
            "detail": _first_message(response.data),
            "code": getattr(exc, "default_code", "invalid"),
            "errors": response.data,
        }
    return response


def _first_message(data) -> str:
    """The first message in a DRF error structure, prefixed with its field name."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "code":
                continue
            message = _first_message(value)
            if message:
                return message if key in ("non_field_errors", "detail") else f"{key}：{message}"
        return ""
    if isinstance(data, list | tuple):
        for item in data:
            message = _first_message(item)
            if message:
                return message
        return ""
    return str(data)


# --- pagination --------------------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    """LimitOffsetPagination with checked parameters (DRF silently falls back on garbage and
    passes a huge offset to the database, which overflows)."""

    @property
    def max_limit(self):
        return getattr(settings, "API_MAX_LIMIT", 200)

    def get_limit(self, request):
        value = request.query_params.get(self.limit_query_param)
        if value is None or value == "":
            return self.default_limit
        # Any digit string is accepted and clamped: a client asking for "everything" gets
        # the most one page holds, as DRF's max_limit documents.
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidParameter(
                f"参数{self.limit_query_param}须为正整数。", code="invalid_limit", name="limit"
            )
        if len(text.lstrip("0")) > 6:
            return self.max_limit
        limit = int(text)
        if limit < 1:
            raise InvalidParameter(
                f"参数{self.limit_query_param}须为正整数。", code="invalid_limit", name="limit"
            )
        return min(limit, self.max_limit)

    def get_offset(self, request):
        return parse_positive_int(
            request.query_params.get(self.offset_query_param),
            name=self.offset_query_param,
            maximum=getattr(settings, "API_MAX_OFFSET", 10**9),
            default=0,
        )


# --- parsing -----------------------------------------------------------------------------------

# Strings (with their escapes) and everything that is not a bracket, removed before the
# nesting depth is measured.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings do not count)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON with a size and a nesting limit; both refusals are a 400 with a clear message."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = getattr(settings, "API_JSON_MAX_BYTES", 1024 * 1024)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise exceptions.ParseError(
                f"JSON请求体过大：不得超过{limit // 1024} KB。", code="body_too_large"
            )
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError("JSON请求体编码无效。", code="parse_error") from error
        max_depth = getattr(settings, "API_JSON_MAX_DEPTH", 32)
        if text.count("[") + text.count("{") > max_depth and json_depth(text) > max_depth:
            raise exceptions.ParseError(f"JSON嵌套过深：不得超过{max_depth}层。", code="too_deep")
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(f"JSON格式错误：{error}", code="parse_error") from error


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; Python's json accepts them by default.
    raise ValueError(f"不支持的数值 {name}")
