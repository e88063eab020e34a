"""The permission matrix every URL must join (等保 2.0 8.1.4.2; issue 11).

One module of rows per app (`matrix/org.py`, `matrix/cases.py`, …). A row names a URL
pattern by its URL name ("org:person", "api-org:person-list"; the route itself for an unnamed
pattern), says how to build a concrete URL from the test office (`World` in
`security/tests/world.py`), and gives, for every subject, the expected outcome of a GET and
— for pages and endpoints that write — of an unsafe request:

    Row("org:person", lambda w: f"/org/people/{w.other_person.pk}/", get=PAGE)

`zhengban/security/tests/test_matrix.py` walks every pattern of the resolver, fails naming
each pattern without a row, and checks every cell against the running app. For a denied
unsafe request it also checks that no business row changed and, for a signed-in subject, that
an `audit.denied` record was written (anonymous attempts are not recorded).

A new app adds `matrix/<app>.py` with its rows and lists the module in `MODULES`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

# The subjects: anonymous, each business role, another unit's user, an external handling
# unit's contact, a lower clearance, and each of the three administrators.
SUBJECTS = (
    "anonymous",
    "clerk",  # 督查室 文书: created the case, the roster entry `world.person` is theirs
    "division_head",  # 督查室 负责人
    "staff",  # 农经处 staff: the case's lead unit once it is assigned
    "office_leader",
    "city_leader",
    "duty_officer",
    "hr",  # 人事处 staff: keeps the roster
    "other_unit",  # 保卫处 staff, no relation to the case
    "external",  # 市教育局 liaison (an external handling unit)
    "low_clearance",  # 督查室 staff cleared only for 公开 (the case is 内部)
    "system_admin",
    "security_admin",
    "audit_admin",
)
BUSINESS = SUBJECTS[1:11]
ADMINS = ("system_admin", "security_admin", "audit_admin")

# Outcomes.
OK = "200"
INVALID = "400"  # allowed, but the (deliberately empty) request is refused as invalid
FORBIDDEN = "403"
MISSING = "404"
METHOD = "405"
LOGIN = "302 login"  # redirected to the login page
REDIRECT = "302"  # redirected elsewhere (a write done, or a page moved)
DENIED = frozenset({FORBIDDEN, MISSING, LOGIN})

MODULES = [
    "project",
    "accounts",
    "org",
    "audit",
    "workcalendar",
    "cases",
    "routing",
    "security",
    "classified",
    "approvals",
    "instructions",
    "supervision",
    "meetings",
    "documents_outgoing",
    "documents_archive",
]


def expect(default: str, **subjects: str) -> dict[str, str]:
    unknown = set(subjects) - set(SUBJECTS)
    if unknown:
        raise ValueError(f"unknown subjects: {sorted(unknown)}")
    return {subject: subjects.get(subject, default) for subject in SUBJECTS}


def only(allowed: str, *who: str, denied: str = FORBIDDEN, anonymous: str = LOGIN):
    """`allowed` for the subjects named, `denied` for every other signed-in subject."""
    table = {subject: (allowed if subject in who else denied) for subject in SUBJECTS}
    table["anonymous"] = anonymous
    return table


# Common shapes.
PAGE = expect(OK, anonymous=LOGIN)  # any signed-in user
API = expect(OK, anonymous=FORBIDDEN)  # DRF: session auth, IsAuthenticated
POST_ONLY = expect(METHOD, anonymous=LOGIN)  # @login_required outside @require_POST
POST_ONLY_ANY = expect(METHOD)  # @require_POST outside @login_required


@dataclass(frozen=True)
class Row:
    name: str
    url: Callable
    get: dict[str, str]
    unsafe: dict[str, str] | None = None
    method: str = "post"
    data: Callable | None = None  # body of the unsafe request (default: empty)
    json: bool = False
    note: str = ""
    # Cells the app gets wrong today: {subject: (expected, "what is wrong")}. The suite
    # asserts they still differ, so a fix is noticed and the cell moves into `get`/`unsafe`.
    findings: dict = field(default_factory=dict)
    # A prefix row covers every pattern under it (third-party mounts such as Django's admin).
    prefix: bool = False


def rows() -> list[Row]:
    found = []
    for module in MODULES:
        found.extend(import_module(f"{__name__}.{module}").ROWS)
    return found
