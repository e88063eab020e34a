"""Checked parsing of request input: ids, counts and dates become values or a clear 400.

Python's `int()` accepts what a URL must not carry: "²" passes `str.isdigit()` but fails
`int()`, "99999999999999999999" converts but overflows every database integer column, and a
5,000-digit string trips the interpreter's conversion limit. These helpers accept only ASCII
digits within the range the database can hold, and raise `InvalidParameter` (an HTTP 400
with `detail` and `code`) otherwise. Views and API views use them the same way:

    before = parse_id(request.GET.get("before"), name="before")          # None when absent
    limit = parse_positive_int(request.GET.get("limit"), name="limit", maximum=200)
    start = parse_date(request.GET.get("start"), name="start", required=True)
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException

# The largest value of a 64-bit signed integer column (BigAutoField, SQLite INTEGER).
MAX_DB_INT = 2**63 - 1
# Digits beyond this cannot be a database id; checked before any conversion.
MAX_DIGITS = len(str(MAX_DB_INT))
# The dates the office's business can mean; arithmetic on them stays far from date.max.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


class InvalidParameter(APIException):
    """A query parameter, path segment or field that is not a valid value: HTTP 400.

    An APIException, so DRF renders it as `{"detail": …, "code": …}`; the bad-input
    middleware renders the same for ordinary pages.
    """

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"
    default_detail = "请求参数无效。"

    def __init__(self, detail=None, code=None, *, name: str = ""):
        self.parameter = name
        super().__init__(detail=detail, code=code)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _digits(value, name: str) -> int:
    """An int from an int or a string of ASCII digits (no sign, no spaces inside)."""
    if isinstance(value, bool):
        raise InvalidParameter(_("参数%(name)s须为整数。") % {"name": name}, name=name)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    negative = text.startswith("-")
    body = text[1:] if negative else text
    if not (body.isascii() and body.isdigit()):
        raise InvalidParameter(
            _("参数%(name)s须为整数。") % {"name": name}, code="not_an_integer", name=name
        )
    if len(body.lstrip("0")) > MAX_DIGITS:
        raise InvalidParameter(
            _("参数%(name)s超出允许范围。") % {"name": name}, code="out_of_range", name=name
        )
    number = int(body)
    return -number if negative else number


def parse_int(
    value,
    *,
    name: str,
    minimum: int = -MAX_DB_INT,
    maximum: int = MAX_DB_INT,
    default: int | None = None,
    required: bool = False,
) -> int | None:
    """An integer in [minimum, maximum]; `default` when absent (or 400 when required)."""
    if _blank(value):
        if required:
            raise InvalidParameter(
                _("缺少参数%(name)s。") % {"name": name}, code="required", name=name
            )
        return default
    number = _digits(value, name)
    if not minimum <= number <= maximum:
        raise InvalidParameter(
            _("参数%(name)s须在%(min)d到%(max)d之间。")
            % {"name": name, "min": minimum, "max": maximum},
            code="out_of_range",
            name=name,
        )
    return number


def parse_positive_int(
    value,
    *,
    name: str,
    maximum: int = MAX_DB_INT,
    default: int | None = None,
    required: bool = False,
    allow_zero: bool = True,
) -> int | None:
    """A count, limit or offset: 0 (or 1 with allow_zero=False) up to `maximum`."""
    return parse_int(
        value,
        name=name,
        minimum=0 if allow_zero else 1,
        maximum=maximum,
        default=default,
        required=required,
    )


def parse_id(value, *, name: str = "id", required: bool = False) -> int | None:
    """A database id: 1 up to the largest 64-bit integer."""
    return parse_int(value, name=name, minimum=1, maximum=MAX_DB_INT, required=required)


def parse_date(
    value,
    *,
    name: str,
    minimum: date = MIN_DATE,
    maximum: date = MAX_DATE,
    default: date | None = None,
    required: bool = False,
) -> date | None:
    """A date written YYYY-MM-DD, within [minimum, maximum]."""
    if isinstance(value, date):
        parsed = value
    elif _blank(value):
        if required:
            raise InvalidParameter(
                _("缺少参数%(name)s。") % {"name": name}, code="required", name=name
            )
        return default
    else:
        text = str(value).strip()
        try:
            if len(text) != 10 or not text.isascii():
                raise ValueError(text)
            parsed = date.fromisoformat(text)
        except ValueError as error:
            raise InvalidParameter(
                _("参数%(name)s须为日期，格式为YYYY-MM-DD。") % {"name": name},
                code="invalid_date",
                name=name,
            ) from error
    if not minimum <= parsed <= maximum:
        raise InvalidParameter(
            _("参数%(name)s须在%(min)s到%(max)s之间。")
            % {"name": name, "min": minimum.isoformat(), "max": maximum.isoformat()},
            code="out_of_range",
            name=name,
        )
    return parsed
