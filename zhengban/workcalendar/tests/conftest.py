import pytest

from zhengban.accounts.choices import Role
from zhengban.workcalendar import calendar

from .factories import make_user


@pytest.fixture(autouse=True)
def fresh_calendar():
    # The process-wide calendar may hold rows of a rolled-back test transaction.
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at full strength costs ~0.5 s per test user; strength is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system_admin(db):
    return make_user(Role.SYSTEM_ADMIN, username="xitong")


@pytest.fixture
def clerk(db):
    return make_user(Role.CLERK, username="wenshu")
