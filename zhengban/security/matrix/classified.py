"""The classified register: its keepers (机要员, 文电处's 文书 and head) register and act,
leaders read and decide destruction requests, nobody else sees it. The test office has no
文电处, so only the leaders' cells are open; zhengban/classified/tests walk the keepers."""

from . import FORBIDDEN, METHOD, MISSING, OK, Row, expect, only

LEADERS = ("office_leader", "city_leader")
NOBODY = only(FORBIDDEN, denied=FORBIDDEN)
POST_ONLY_ANY = expect(METHOD)
NONE = 999999


def _post(name, url):
    return Row(name, url, get=POST_ONLY_ANY, unsafe=NOBODY)


ROWS = [
    Row("classified:list", lambda w: "/classified/", get=only(OK, *LEADERS)),
    Row("classified:create", lambda w: "/classified/new/", get=NOBODY, unsafe=NOBODY),
    Row("classified:detail", lambda w: f"/classified/{NONE}/", get=only(MISSING, *LEADERS)),
    Row("classified:edit", lambda w: f"/classified/{NONE}/edit/", get=NOBODY, unsafe=NOBODY),
    _post("classified:circulate", lambda w: f"/classified/{NONE}/circulate/"),
    _post(
        "classified:circulation_return",
        lambda w: f"/classified/{NONE}/circulations/{NONE}/return/",
    ),
    _post("classified:return", lambda w: f"/classified/{NONE}/return/"),
    _post("classified:destruction_request", lambda w: f"/classified/{NONE}/destruction/"),
    Row(
        "classified:destruction_decide",
        lambda w: f"/classified/{NONE}/destruction/{NONE}/decide/",
        get=POST_ONLY_ANY,
        unsafe=only(MISSING, *LEADERS),
    ),
    _post("classified:destroyed", lambda w: f"/classified/{NONE}/destroyed/"),
    Row(
        "api-classified:list",
        lambda w: "/api/classified/",
        get=only(OK, *LEADERS, anonymous=FORBIDDEN),
        unsafe=only(FORBIDDEN, anonymous=FORBIDDEN),
        json=True,
    ),
]
