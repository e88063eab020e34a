import pytest

from .world import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return build_world()


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path):
    """A key file of the test's own, so rotation tests never touch var/keys."""
    from zhengban.security import crypto

    settings.PERSONAL_DATA_KEY_FILE = tmp_path / "keys" / "personal-data.json"
    crypto.reset_cache()
    yield settings.PERSONAL_DATA_KEY_FILE
    crypto.reset_cache()


@pytest.fixture(autouse=True)
def alert_spool(settings, tmp_path):
    """Audit alerts raised by a test are spooled in a file of its own, never in var/."""
    settings.AUDIT_ALERT_SPOOL = tmp_path / "audit-alerts.spool"
    return settings.AUDIT_ALERT_SPOOL
