"""Project-wide test fixtures."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    # Tests marked `postgres` need a real PostgreSQL server (CI starts one).
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://…"))


@pytest.fixture(autouse=True)
def _audit_alert_spool(settings, tmp_path):
    # Alerts raised in a rolled-back transaction wait in a spool file: never the real var/.
    settings.AUDIT_ALERT_SPOOL = tmp_path / "alerts.spool"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at Django's production cost makes every test that creates a user slow; the
    # hasher is not what the suite tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
