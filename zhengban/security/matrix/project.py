"""Project-level pages: home, language switch, the API schema and docs.

Django's admin site is not mounted (a superuser there would bypass 三员分立 and the audit
chain); `tests/test_no_admin_site.py` holds `/django-admin/` to a 404."""

from . import FORBIDDEN, LOGIN, OK, PAGE, REDIRECT, Row, expect

# Behind login (issue 11): the schema is a DRF view (403 without a session), the docs
# pages send to the login page.
SCHEMA = expect(OK, anonymous=FORBIDDEN)
DOCS = expect(OK, anonymous=LOGIN)

ROWS = [
    Row("home", lambda w: "/", get=PAGE),
    # Django's set_language: GET only redirects back; POST switches and redirects, for anyone.
    Row(
        "i18n:set_language",
        lambda w: "/i18n/setlang/",
        get=expect(REDIRECT),
        unsafe=expect(REDIRECT),
        data=lambda w: {"language": "en", "next": "/"},
    ),
    Row("api-schema", lambda w: "/api/schema/", get=SCHEMA),
    Row("api-docs", lambda w: "/api/docs/", get=DOCS),
    Row("api-redoc", lambda w: "/api/redoc/", get=DOCS),
]
