import pytest

from .world import build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    return build_world()
