import pytest

from .world import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return build_world()


@pytest.fixture(autouse=True)
def _own_key_file(key_file):
    """Every security test runs on a key file of its own (the project's `key_file`)."""
    return key_file


@pytest.fixture(autouse=True)
def alert_spool(settings, tmp_path):
    """Audit alerts raised by a test are spooled in a file of its own, never in var/."""
    settings.AUDIT_ALERT_SPOOL = tmp_path / "audit-alerts.spool"
    return settings.AUDIT_ALERT_SPOOL
