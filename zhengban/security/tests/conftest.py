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
