import pytest

from zhengban.accounts.choices import Role

from .factories import make_audit_admin, make_user


@pytest.fixture
def audit_admin(db):
    return make_audit_admin(username="shenji", display_name="审计员甲")


@pytest.fixture
def system_admin(db):
    return make_user(Role.SYSTEM_ADMIN, username="xitong")


@pytest.fixture
def security_admin(db):
    return make_user(Role.SECURITY_ADMIN, username="baomi")


@pytest.fixture
def staff(db):
    return make_user(Role.STAFF, username="keyuan", display_name="科员乙")


@pytest.fixture(autouse=True)
def alert_spool(settings, tmp_path):
    """Each test spools its audit alerts in a file of its own, never in var/."""
    settings.AUDIT_ALERT_SPOOL = tmp_path / "audit-alerts.spool"
    return settings.AUDIT_ALERT_SPOOL
