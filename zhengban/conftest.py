"""Project-wide test fixtures."""

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    # Tests marked `postgres` need a real PostgreSQL server (CI starts one).
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://…"))
