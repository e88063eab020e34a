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


@pytest.fixture
def key_file(settings, tmp_path):
    """A personal-data key file of the test's own, so rotation tests never touch var/keys."""
    from zhengban.security import crypto

    settings.PERSONAL_DATA_KEY_FILE = tmp_path / "keys" / "personal-data.json"
    crypto.reset_cache()
    yield settings.PERSONAL_DATA_KEY_FILE
    crypto.reset_cache()
