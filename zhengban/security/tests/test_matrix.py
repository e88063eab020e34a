"""The permission matrix: every URL pattern has a row, every cell holds against the app."""

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from zhengban.audit.models import AuditRecord
from zhengban.security import matrix
from zhengban.security.matrix import DENIED, LOGIN, MODULES, REDIRECT, SUBJECTS

# Business tables a denied request must leave as they were.
COUNTED = [
    "cases.Case",
    "cases.CaseEvent",
    "cases.Comment",
    "cases.Attachment",
    "cases.Task",
    "cases.Assignment",
    "cases.Delegation",
    "org.Person",
    "org.Appointment",
    "org.Unit",
    "accounts.User",
    "accounts.RoleGrant",
    "routing.RoutingCorrection",
    "security.SpentFormToken",
]


def url_patterns():
    """(key, route) of every URL pattern: key is "namespace:name", or the route if unnamed."""
    found = []

    def walk(patterns, prefix, namespaces):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ([pattern.namespace] if pattern.namespace else [])
                walk(pattern.url_patterns, route, spaces)
            elif isinstance(pattern, URLPattern):
                key = ":".join([*namespaces, pattern.name]) if pattern.name else route
                found.append((key, route))

    walk(get_resolver().url_patterns, "", [])
    return found


def test_every_url_pattern_has_a_row():
    rows = matrix.rows()
    names = {row.name for row in rows if not row.prefix}
    prefixes = [row.name for row in rows if row.prefix]
    missing = [
        f"  {route}   (URL name {key!r})"
        for key, route in url_patterns()
        if key not in names and not any(route.startswith(p) for p in prefixes)
    ]
    assert not missing, (
        "these URL patterns have no row in the permission matrix; add one to "
        "zhengban/security/matrix/<app>.py for each:\n" + "\n".join(missing)
    )


def test_every_row_names_an_existing_pattern():
    keys = {key for key, _route in url_patterns()}
    routes = [route for _key, route in url_patterns()]
    stale = [
        row.name
        for row in matrix.rows()
        if (row.prefix and not any(r.startswith(row.name) for r in routes))
        or (not row.prefix and row.name not in keys)
    ]
    assert not stale, f"matrix rows for URL names that no longer exist: {stale}"


def test_every_row_covers_every_subject():
    for row in matrix.rows():
        for table in filter(None, (row.get, row.unsafe)):
            assert set(table) == set(SUBJECTS), row.name


# --- the cells -------------------------------------------------------------------------------


def outcome(response) -> str:
    if response.status_code == 302:
        login = resolve_url(settings.LOGIN_URL)
        return LOGIN if response["Location"].startswith(login) else REDIRECT
    return str(response.status_code)


def counts() -> dict[str, int]:
    result = {}
    for label in COUNTED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        result[label] = model.objects.count()
    return result


def denials() -> int:
    return AuditRecord.objects.filter(action="audit.denied").count()


@pytest.fixture
def clients(world):
    result = {}
    for subject in SUBJECTS:
        client = Client()
        client.raise_request_exception = False
        user = world.users[subject]
        if user is not None:
            client.force_login(user)
        result[subject] = client
    return result


def send(client, row, world, method):
    url = row.url(world)
    if method == "get":
        return client.get(url)
    data = row.data(world) if row.data else {}
    if row.json:
        return client.generic(
            method.upper(), url, json.dumps(data), content_type="application/json"
        )
    return getattr(client, method)(url, data)


def check_module(module, world, clients):
    """(cells checked, failures) of every row of one matrix module."""
    cells, failures = 0, []
    rows = __import__(f"zhengban.security.matrix.{module}", fromlist=["ROWS"]).ROWS
    for row in rows:
        for method, table in (("get", row.get), (row.method, row.unsafe)):
            if table is None:
                continue
            for subject in SUBJECTS:
                if (method, subject) in row.findings or subject in row.findings:
                    continue
                before, denied_before = (counts(), denials()) if method != "get" else (None, 0)
                got = outcome(send(clients[subject], row, world, method))
                cells += 1
                wanted = table[subject]
                where = f"{method.upper()} {row.url(world)} ({row.name}) as {subject}"
                if got != wanted:
                    failures.append(f"{where}: expected {wanted}, got {got}")
                    continue
                if method != "get" and wanted in DENIED:
                    after = counts()
                    if after != before:
                        changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
                        failures.append(f"{where}: denied, yet rows changed {changed}")
                    # The signed-in are recorded; anonymous attempts are not (middleware).
                    if subject != "anonymous" and denials() <= denied_before:
                        failures.append(f"{where}: denied without an audit.denied record")
    return cells, failures


@pytest.mark.parametrize("module", MODULES)
def test_matrix_cells(module, world, clients, record_property):
    cells, failures = check_module(module, world, clients)
    record_property("matrix_cells", cells)
    print(f"matrix {module}: {cells} cells")
    assert not failures, f"{len(failures)} of {cells} cells differ:\n" + "\n".join(failures)


def test_known_findings_still_fail(world, clients):
    """Cells recorded as findings must still differ from what they should be; once fixed,
    move them into the row's table."""
    fixed = []
    for row in matrix.rows():
        for key, (wanted, what) in row.findings.items():
            method, subject = key if isinstance(key, tuple) else ("get", key)
            got = outcome(send(clients[subject], row, world, method))
            if got == wanted:
                fixed.append(f"{row.name} as {subject}: {what} — fixed, move it into the table")
    assert not fixed, "\n".join(fixed)
