import pytest

from zhengban.accounts.choices import Role

from .factories import load_sample, make_user, unit_named


@pytest.fixture
def main_org(db):
    return load_sample()


@pytest.fixture
def reader(db):
    return make_user(Role.STAFF, username="reader")


@pytest.fixture
def hr_user(main_org):
    return make_user(Role.STAFF, username="renshi", units=[unit_named("人事处")])


@pytest.fixture
def leader(db):
    return make_user(Role.OFFICE_LEADER, username="lingdao")


@pytest.fixture
def sysadmin(db):
    return make_user(Role.SYSTEM_ADMIN, username="xitong")
