"""Bad input never yields a 5xx: limits, offsets, ids, dates and JSON bodies (issue 11)."""

import json
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from zhengban.api import BoundedJSONParser, json_depth
from zhengban.security.validation import (
    MAX_DB_INT,
    InvalidParameter,
    parse_date,
    parse_id,
    parse_int,
    parse_positive_int,
)

HUGE = "99999999999999999999"
LONG = "9" * 5000
SUPERSCRIPT_TWO = "²"  # str.isdigit() is True, int() raises ValueError


def api_list_urls() -> list[str]:
    """Every paginated API list without path parameters, from the resolver."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/"):
                view = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None) or {}
                paginated = view is not None and getattr(view, "pagination_class", None)
                detail = getattr(pattern.callback, "initkwargs", {}).get("detail")
                is_list = actions.get("get", "list") == "list" and not detail
                if paginated and "<" not in route and is_list:
                    found.append("/" + route.replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_login(world.users["office_leader"])
    return client


def assert_clear_400(response):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    assert isinstance(body.get("code"), str) and body["code"]


def test_the_walk_finds_the_lists():
    urls = api_list_urls()
    assert "/api/org/units/" in urls and "/api/org/people/" in urls
    assert "/api/cases/" in urls


@pytest.mark.parametrize("value", [HUGE, "1000000"])
def test_huge_limit_is_clamped_on_every_list(api, value, settings):
    settings.API_MAX_LIMIT = 3
    for url in api_list_urls():
        response = api.get(url, {"limit": value})
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        assert len(response.json()["results"]) <= 3, url


BAD_PAGING = [
    {"limit": "-1"},
    {"limit": "0"},
    {"limit": "abc"},
    {"limit": SUPERSCRIPT_TWO},
    {"limit": LONG + "x"},
    {"offset": "-5"},
    {"offset": HUGE},
    {"offset": LONG},
    {"offset": SUPERSCRIPT_TWO},
]


def test_bad_limit_or_offset_is_a_clear_400_on_every_list(api):
    for url in api_list_urls():
        for params in BAD_PAGING:
            assert_clear_400(api.get(url, params))


def test_a_huge_offset_within_range_is_an_empty_page(api):
    response = api.get("/api/org/units/", {"offset": "1000000"})
    assert response.status_code == 200
    assert response.json()["results"] == []


FILTERS = [
    ("/api/org/units/", "organization"),
    ("/api/org/duties/", "unit"),
    ("/api/org/appointments/", "person"),
    ("/api/org/appointments/", "unit"),
]


def test_bad_ids_in_filters_are_a_clear_400(api):
    for url, name in FILTERS:
        for value in [LONG, SUPERSCRIPT_TWO, "1e5"]:
            assert_clear_400(api.get(url, {name: value}))
        # Out of the column's range: PostgreSQL matches nothing, SQLite overflows (a 400 from
        # the safety net); never a 500.
        response = api.get(url, {name: HUGE})
        if response.status_code == 200:
            assert response.json()["results"] == []
        else:
            assert_clear_400(response)
        # -1 is no id: a clear 400 like any other value that cannot be one.
        assert api.get(url, {name: "-1"}).status_code == 400


def test_huge_ids_in_paths_are_not_found(api):
    for url in [
        f"/api/org/people/{HUGE}/",
        f"/api/org/people/{LONG}/",
        f"/api/org/people/{SUPERSCRIPT_TWO}/",
        f"/api/org/units/{HUGE}/",
        f"/api/cases/{HUGE}/",
        f"/api/cases/{LONG}/",
        f"/org/people/{HUGE}/",
        f"/org/people/{LONG}/",
        f"/cases/{HUGE}/",
    ]:
        assert api.get(url).status_code == 404, url


def test_dates_out_of_range_in_the_calendar_api_are_a_400(api):
    for params in [
        {"start": "9999-12-31", "n": "10000"},
        {"start": "0001-01-01", "n": "-10000"},
        {"start": "2025-02-30", "n": "1"},
        {"start": "2025-01-01", "n": HUGE},
    ]:
        assert_clear_400(api.get("/api/workcalendar/add-workdays/", params))


def test_audit_log_keyset_parameters_never_500(client, world):
    client.force_login(world.users["audit_admin"])
    for value in [SUPERSCRIPT_TWO, HUGE, LONG]:
        for name in ("before", "after"):
            response = client.get("/audit/", {name: value})
            assert response.status_code in (200, 400), (name, response.status_code)


def test_a_page_that_raises_on_bad_input_answers_400_as_a_page(client, world):
    client.force_login(world.users["audit_admin"])
    response = client.get("/audit/", {"before": SUPERSCRIPT_TWO})
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "参数before须为整数" in response.content.decode()


# --- JSON bodies ---------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_5000_deep_is_a_400(api):
    response = api.post("/api/routing/route/", nested(5000), content_type="application/json")
    assert_clear_400(response)
    assert response.json()["code"] == "too_deep"


def test_json_nested_in_an_object_is_measured_too(api):
    body = '{"text": ' + '{"a": ' * 100 + "1" + "}" * 100 + "}"
    response = api.post("/api/routing/route/", body, content_type="application/json")
    assert response.json()["code"] == "too_deep"


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert json_depth(json.dumps({"text": "[[[[{{{{" * 100})) == 1
    assert json_depth(json.dumps({"a": [{"b": ['"[']}]})) == 4
    assert json_depth(nested(40)) == 40


def test_oversized_json_is_a_400(api, settings):
    settings.API_JSON_MAX_BYTES = 64 * 1024
    body = json.dumps({"text": "政" * 40000})
    response = api.post("/api/routing/route/", body, content_type="application/json")
    assert_clear_400(response)
    assert response.json()["code"] == "body_too_large"


def test_malformed_json_and_nan_are_a_400(api):
    for body in ["{", '{"text": NaN}', "\xff", '{"text": "a"']:
        response = api.post("/api/routing/route/", body, content_type="application/json")
        assert_clear_400(response)


def test_parser_accepts_ordinary_json():
    import io

    parser = BoundedJSONParser()
    data = parser.parse(io.BytesIO(json.dumps({"a": [1, {"b": "中文"}]}).encode()))
    assert data == {"a": [1, {"b": "中文"}]}


# --- validators ----------------------------------------------------------------------------------


def test_parse_id():
    assert parse_id("42") == 42
    assert parse_id(" 7 ") == 7
    assert parse_id(None) is None and parse_id("") is None
    assert parse_id(str(MAX_DB_INT)) == MAX_DB_INT
    for bad in [SUPERSCRIPT_TWO, HUGE, LONG, "0", "-3", "1.0", "0x10", "١٢", "1_000", True]:
        with pytest.raises(InvalidParameter) as error:
            parse_id(bad, name="person")
        assert error.value.status_code == 400
        assert "person" in str(error.value.detail)
    with pytest.raises(InvalidParameter):
        parse_id(None, required=True)


def test_parse_int_and_positive_int():
    assert parse_int("-5", name="n", minimum=-10, maximum=10) == -5
    with pytest.raises(InvalidParameter):
        parse_int("11", name="n", minimum=-10, maximum=10)
    assert parse_positive_int("0", name="offset") == 0
    assert parse_positive_int(None, name="offset", default=3) == 3
    with pytest.raises(InvalidParameter):
        parse_positive_int("0", name="limit", allow_zero=False)
    with pytest.raises(InvalidParameter):
        parse_positive_int("-1", name="offset")


def test_parse_date():
    assert parse_date("2025-10-01", name="start") == date(2025, 10, 1)
    assert parse_date(None, name="start") is None
    for bad in ["9999-12-31", "0001-01-01", "2025-02-30", "20251001", "2025-1-1", "２０２５-01-01"]:
        with pytest.raises(InvalidParameter):
            parse_date(bad, name="start")


# --- injection strings in every filter and search box --------------------------------------------

INJECTIONS = [
    "' OR '1'='1",
    "1 OR 1=1",
    "1; DROP TABLE org_person;--",
    '" OR ""="',
    "%' OR '%'='",
    "1 UNION SELECT username, password FROM accounts_user--",
    "<script>alert(1)</script>",
    "“><img src=x onerror=alert('政办')>",
    "\x00",
    "İ" * 50,
]
API_FILTERS = [
    ("/api/org/units/", ["organization", "kind"]),
    ("/api/org/duties/", ["unit"]),
    ("/api/org/appointments/", ["organization", "unit", "person", "active"]),
    ("/api/org/people/", ["phone", "id_number"]),
    (
        "/api/cases/",
        ["q", "case_type", "state", "urgency", "sensitivity", "unit", "created_from", "due_to"],
    ),
]
SEARCH_PAGES = [
    ("/cases/", "q"),
    ("/cases/search/", "q"),
    ("/org/external/", "q"),
    ("/routing/", "text"),
    ("/routing/suggest/", "text"),
    ("/audit/", "action"),
    ("/audit/", "actor"),
]


def test_injection_strings_in_api_filters_are_inert(world):
    client = APIClient()
    client.force_login(world.users["hr"])
    baseline = {url: client.get(url).json()["count"] for url, _names in API_FILTERS}
    people = world.person.__class__.objects.count()
    for url, names in API_FILTERS:
        for name in names:
            for payload in INJECTIONS:
                response = client.get(url, {name: payload})
                where = f"{url}?{name}={payload!r}"
                assert response.status_code in (200, 400), (where, response.status_code)
                body = response.json()
                if response.status_code == 200:
                    # A filter may narrow a list, never widen it.
                    assert body["count"] <= baseline[url], where
                else:
                    assert body["detail"] and body["code"], where
    assert world.person.__class__.objects.count() == people


def test_injection_strings_in_search_boxes_are_inert_and_escaped(client, world):
    for subject in ("office_leader", "audit_admin"):
        client.force_login(world.users[subject])
        for url, name in SEARCH_PAGES:
            for payload in INJECTIONS:
                response = client.get(url, {name: payload})
                where = f"{url}?{name}={payload!r} as {subject}"
                assert response.status_code in (200, 400, 403), (where, response.status_code)
                html = response.content.decode()
                assert "<script>alert(1)</script>" not in html, where
                assert "<img src=x onerror" not in html, where
