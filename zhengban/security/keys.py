"""Key rotation for personal data: re-encrypt every encrypted column under the current key.

`rotate_personal_data_key` adds a new current key to the key file (or, when keys come from
the environment, uses the current one there), then re-encrypts, in batches of one
transaction each, every value whose key id is not the current one. Old keys stay in the
file until `retire=True` finds no value left under them. Interrupted, it can simply be run
again: values already under the current key are skipped.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

from zhengban.audit.services import audit_record

from . import crypto
from .fields import EncryptedTextField

BATCH = 500


@dataclass
class RotationResult:
    key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def encrypted_fields() -> list:
    return [
        (model, model_field)
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, EncryptedTextField)
    ]


def _raw_values(model, model_field, after_pk, batch):
    """(pk, stored text) straight from the column: no decryption on the way."""
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(model_field.column)
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' "
            f"ORDER BY {pk} LIMIT %s",
            [after_pk, batch],
        )
        return cursor.fetchall()


def key_ids_in_use() -> set[str]:
    used = set()
    for model, model_field in encrypted_fields():
        after = 0
        while rows := _raw_values(model, model_field, after, 5000):
            used.update(crypto.key_id_of(value) for _pk, value in rows)
            after = rows[-1][0]
    used.discard(None)
    return used


def rotate_personal_data_key(*, actor=None, new_key: bool = True, retire: bool = False):
    ring = crypto.keyring()
    key_id = crypto.key_file_add_key() if new_key and ring.source != "environment" else ring.current
    result = RotationResult(key_id=key_id)
    for model, model_field in encrypted_fields():
        label = f"{model._meta.label_lower}.{model_field.name}"
        count = 0
        after = 0
        quote = connection.ops.quote_name
        table, column = quote(model._meta.db_table), quote(model_field.column)
        pk_column = quote(model._meta.pk.column)
        while rows := _raw_values(model, model_field, after, BATCH):
            after = rows[-1][0]
            stale = [(pk, value) for pk, value in rows if crypto.key_id_of(value) != key_id]
            if not stale:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                for pk, value in stale:
                    plain = crypto.decrypt(value, context=label)
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s AND "
                        f"{column} = %s",
                        [crypto.encrypt(plain, context=label, key_id=key_id), pk, value],
                    )
                    count += cursor.rowcount
        result.reencrypted[label] = count
    if retire and ring.source != "environment":
        unused = set(crypto.keyring().keys) - key_ids_in_use() - {key_id}
        crypto.key_file_retire(unused)
        result.retired = sorted(unused)
    audit_record(
        actor=actor,
        action="security.rotate_key",
        summary=f"个人信息加密密钥轮换为 {key_id}，重新加密 {result.total} 项",
        changes={"key_id": key_id, "reencrypted": result.reencrypted, "retired": result.retired},
    )
    return result
