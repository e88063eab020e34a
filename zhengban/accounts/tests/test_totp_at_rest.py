"""The authenticator secret at rest: SM4-GCM under the personal-data key outside the database,
re-encrypted by `zhengban security rotate-key` (GB/T 39786-2021 8.4 e; GB/T 22239-2019
8.1.4.8 confidentiality of authentication data)."""

from datetime import timedelta

import pyotp
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts import services
from zhengban.accounts.choices import Role
from zhengban.accounts.models import User
from zhengban.security import crypto
from zhengban.security.keys import rotate_personal_data_key

from .conftest import login, make

CONTEXT = "accounts.user.totp_secret"


pytestmark = pytest.mark.usefixtures("key_file")


def raw_secret(user) -> str:
    """The column as stored, read past the model field."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def enrol_through_the_service(user) -> pyotp.TOTP:
    """Enrol as the enrolment page does, with the previous step's code (drift allows it), so
    the current code is still unused for the login that follows."""
    totp = pyotp.TOTP(services.totp_new_secret())
    previous = totp.at(timezone.now() - timedelta(seconds=30))
    assert services.totp_enrol(user=user, secret=totp.secret, code=previous) is not None
    return totp


def test_the_user_row_holds_no_plain_totp_secret(leader):
    totp = enrol_through_the_service(leader)
    stored = raw_secret(leader)
    assert stored.startswith("sm4gcm:") and totp.secret not in stored
    assert crypto.decrypt(stored, context=CONTEXT) == totp.secret
    # Through the model the secret reads in clear, for the code check.
    assert User.objects.get(pk=leader.pk).totp_secret == totp.secret
    # A reset stores nothing at all.
    secadmin = make("secadmin", Role.SECURITY_ADMIN)
    services.totp_reset(user=leader, actor=secadmin, reason="手机丢失")
    assert raw_secret(leader) == ""


def test_a_secret_copied_to_another_account_does_not_decrypt_as_a_different_column(leader):
    enrol_through_the_service(leader)
    stored = raw_secret(leader)
    # Bound to its column: the same ciphertext fails under another column's context.
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored, context="org.person.phone")


def test_login_with_totp_works_with_the_encrypted_secret(client, leader):
    totp = enrol_through_the_service(leader)
    refused = login(client, "leader", otp="000000")
    assert refused.status_code == 200 and "动态口令不正确" in refused.content.decode()
    assert login(client, "leader", otp=totp.now())["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_rotate_key_reencrypts_the_totp_secret_and_login_still_works(client, leader, key_file):
    totp = enrol_through_the_service(leader)
    old_key = crypto.key_id_of(raw_secret(leader))
    result = rotate_personal_data_key(retire=True)
    stored = raw_secret(leader)
    assert result.reencrypted[CONTEXT] == 1
    assert crypto.key_id_of(stored) == result.key_id != old_key
    assert old_key in result.retired and old_key not in crypto.keyring().keys
    assert totp.secret not in stored
    assert login(client, "leader", otp=totp.now())["Location"] == reverse("home")


def test_the_rotate_key_command_covers_the_totp_secret(leader, key_file):
    enrol_through_the_service(leader)
    old_key = crypto.key_id_of(raw_secret(leader))
    call_command("security", "rotate-key")
    assert crypto.key_id_of(raw_secret(leader)) != old_key


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_plain_secrets_and_decrypts_them_back():
    before = [("accounts", "0003_security_policy_audit_storage")]
    after = [("accounts", "0004_user_totp_secret_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    # The model as it was: a plain 64-character column.
    old_user_model = executor.loader.project_state(before[0]).apps.get_model("accounts", "User")
    secret = pyotp.random_base32()
    user = old_user_model.objects.create(username="old", totp_secret=secret)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        stored = raw_secret(user)
        assert stored.startswith("sm4gcm:") and secret not in stored
        assert crypto.decrypt(stored, context=CONTEXT) == secret
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        assert raw_secret(user) == secret
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(pk=user.pk).totp_secret == secret
