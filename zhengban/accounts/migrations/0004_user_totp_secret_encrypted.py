import zhengban.security.fields
from django.db import migrations, models

# This migration imports application code on purpose: the secrets must be encrypted exactly
# as the field does it (the same cipher, key file and column context), and a copy of that
# code here would drift from it.
from zhengban.security import crypto

CONTEXT = "accounts.user.totp_secret"


def encrypt_secrets(apps, schema_editor):
    """Encrypt the authenticator secrets stored in clear before this migration."""
    connection = schema_editor.connection
    table = connection.ops.quote_name("accounts_user")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, totp_secret FROM {table} WHERE totp_secret <> ''")
        rows = [
            (pk, secret)
            for pk, secret in cursor.fetchall()
            if secret and crypto.key_id_of(secret) is None
        ]
        for pk, secret in rows:
            cursor.execute(
                f"UPDATE {table} SET totp_secret = %s WHERE id = %s",
                [crypto.encrypt(secret, context=CONTEXT), pk],
            )


def decrypt_secrets(apps, schema_editor):
    """Back to clear text, for the 64-character column of the previous migration."""
    connection = schema_editor.connection
    table = connection.ops.quote_name("accounts_user")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, totp_secret FROM {table} WHERE totp_secret <> ''")
        for pk, stored in cursor.fetchall():
            if stored and crypto.key_id_of(stored) is not None:
                plain = crypto.decrypt(stored, context=CONTEXT)
                cursor.execute(f"UPDATE {table} SET totp_secret = %s WHERE id = %s", [plain, pk])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_security_policy_audit_storage"),
    ]

    operations = [
        # The column widens first (a ciphertext is longer than 64 characters); on the way
        # back the secrets are decrypted before it narrows again.
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=zhengban.security.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
