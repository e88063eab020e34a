import pyotp
import pytest
from django.urls import reverse

from zhengban.accounts import services
from zhengban.accounts.choices import Role

PASSWORD = "Zhengban-2026"


def login(client, username, password=PASSWORD, otp="", address="127.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password, "otp": otp},
        REMOTE_ADDR=address,
    )


def make(username, *roles, **kwargs):
    return services.user_create(
        username=username,
        password=PASSWORD,
        display_name=kwargs.pop("display_name", username),
        roles=roles,
        validate_password=False,
        **kwargs,
    )


def enrol(user):
    """Give `user` an authenticator; returns a function for its codes of the moment."""
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    totp = pyotp.TOTP(user.totp_secret)
    return totp


@pytest.fixture
def clerk(db):
    return make("clerk", Role.CLERK, display_name="王文书")


@pytest.fixture
def sysadmin(db):
    return make("sysadmin", Role.SYSTEM_ADMIN, display_name="系统管理员甲")


@pytest.fixture
def secadmin(db):
    return make("secadmin", Role.SECURITY_ADMIN, display_name="安全管理员乙")


@pytest.fixture
def auditadmin(db):
    return make("auditadmin", Role.AUDIT_ADMIN, display_name="审计员丙")


@pytest.fixture
def leader(db):
    return make("leader", Role.OFFICE_LEADER, display_name="秘书长")
