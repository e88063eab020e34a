"""Routing ("who is responsible?"): asking is open to the office; confirming a choice
teaches the router and is for business users, not the administrators."""

from . import (
    ADMINS,
    FORBIDDEN,
    INVALID,
    LOGIN,
    METHOD,
    MISSING,
    PAGE,
    POST_ONLY,
    REDIRECT,
    Row,
    expect,
)

NOT_ADMINS_WRITE = expect(REDIRECT, anonymous=LOGIN, **dict.fromkeys(ADMINS, FORBIDDEN))

ROWS = [
    Row("routing:ask", lambda w: "/routing/", get=PAGE),
    Row("routing:suggest", lambda w: "/routing/suggest/?text=防汛", get=PAGE),
    # The form redirects back with a message when the choice is missing.
    Row("routing:confirm", lambda w: "/routing/confirm/", get=POST_ONLY, unsafe=NOT_ADMINS_WRITE),
    Row(
        "routing:undo",
        lambda w: "/routing/corrections/999999/undo/",
        get=POST_ONLY,
        unsafe=expect(MISSING, anonymous=LOGIN),
    ),
    Row(
        "api-routing:route",
        lambda w: "/api/routing/route/",
        get=expect(METHOD, anonymous=FORBIDDEN),
        unsafe=expect(INVALID, anonymous=FORBIDDEN),
        json=True,
    ),
    Row(
        "api-routing:confirm",
        lambda w: "/api/routing/confirm/",
        get=expect(METHOD, anonymous=FORBIDDEN),
        unsafe=expect(INVALID, anonymous=FORBIDDEN),
        json=True,
    ),
]
