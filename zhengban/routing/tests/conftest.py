import pytest

from zhengban.accounts.choices import Role
from zhengban.routing import selectors

from .factories import load_office, make_user


@pytest.fixture(autouse=True)
def _fresh_index():
    # The index is cached per process; each test starts from its own database.
    selectors.invalidate()
    yield
    selectors.invalidate()


@pytest.fixture
def office(db):
    return load_office()


@pytest.fixture
def clerk(db):
    return make_user(Role.CLERK, username="wendian")


@pytest.fixture
def staff(db):
    return make_user(Role.STAFF, username="keyuan")


@pytest.fixture
def other_staff(db):
    return make_user(Role.STAFF, username="keyuan2")


@pytest.fixture
def sysadmin(db):
    return make_user(Role.SYSTEM_ADMIN, username="xitong")
