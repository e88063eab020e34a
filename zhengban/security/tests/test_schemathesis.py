"""The API fuzzed against its own OpenAPI schema (issue 11): every operation of /api/schema/,
a few generated requests each, sent to a live server as a signed-in user. No response may be
a server error, and every error response is JSON carrying a message under `detail`.

The budget is ZHENGBAN_FUZZ_EXAMPLES examples per operation (default 5); CI's runtime stays
within a minute or two. Run with a larger value to dig deeper:

    ZHENGBAN_FUZZ_EXAMPLES=200 .venv/bin/python -m pytest \
        zhengban/security/tests/test_schemathesis.py
"""

import os

import pytest
import requests
import schemathesis
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from .world import build_world

EXAMPLES = int(os.environ.get("ZHENGBAN_FUZZ_EXAMPLES", "5"))


@pytest.fixture(autouse=True)
def key_file():
    """The module's own key file (fuzz_session) stays in force for every test here."""
    yield None


@pytest.fixture(scope="module")
def fuzz_session(django_db_setup, django_db_blocker, live_server, tmp_path_factory):
    """A signed-in session (an office leader in 人事处, who reaches the most endpoints) and
    the data the lists and details need; both live for the whole module."""
    from zhengban.security import crypto

    keys = tmp_path_factory.mktemp("keys") / "personal-data.json"
    storage = tmp_path_factory.mktemp("private")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PERSONAL_DATA_KEY_FILE=keys,
            PRIVATE_STORAGE_DIR=storage,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        crypto.reset_cache()
        world = build_world()
        user = world.users["office_leader"]
        from zhengban.accounts.models import UnitMembership

        UnitMembership.objects.get_or_create(user=user, unit=world.hr_unit)
        client = Client()
        client.force_login(user)
        session = requests.Session()
        csrf = _get_new_csrf_string()
        session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies["sessionid"].value)
        session.cookies.set(settings.CSRF_COOKIE_NAME, csrf)
        session.headers["X-CSRFToken"] = csrf
        session.headers["Referer"] = live_server.url + "/"
        yield session
        # live_server's database is not rolled back between tests of a module: clean up.
        from django.core.management import call_command

        call_command("flush", verbosity=0, interactive=False)
        crypto.reset_cache()
        if connection.vendor == "postgresql":
            # The live server's request threads keep their connections (CONN_MAX_AGE): end
            # them, or the test database cannot be dropped at the end of the session.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(scope="module")
def api_schema(fuzz_session, live_server):
    response = fuzz_session.get(f"{live_server.url}/api/schema/?format=json")
    assert response.status_code == 200, response.text[:300]
    schema = schemathesis.openapi.from_dict(response.json())
    schema.config.update(base_url=live_server.url)
    return schema


def operations(api_schema):
    return [result.ok() for result in api_schema.get_all_operations()]


def check_response(case, response) -> None:
    where = f"{case.method} {case.formatted_path} {case.query or ''}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers.get("content-type", "")
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/json"), f"{where}: {content_type}"
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("detail"), str), (where, body)
        assert body["detail"], where


def test_api_never_fails_with_a_server_error(api_schema, fuzz_session):
    """Every operation, EXAMPLES generated requests each; all failures are reported."""
    failures, statuses, sent = [], {}, 0
    for operation in operations(api_schema):

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            nonlocal sent
            response = case.call(session=fuzz_session)
            sent += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            check_response(case, response)

        try:
            fuzz()
        except AssertionError as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    print(
        f"schemathesis: {len(operations(api_schema))} operations, {sent} requests, "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert sent >= len(operations(api_schema))
    assert not failures, "\n".join(failures)
