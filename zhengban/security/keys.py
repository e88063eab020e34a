"""Key rotation for personal data: re-encrypt every encrypted column under the current key
(`rotate_personal_data_key`), and recompute every search digest under a new digest key
(`rotate_digest_key`, below).

`rotate_personal_data_key` adds a new current key to the key file (or, when keys come from
the environment, uses the current one there), then re-encrypts, in batches of one
transaction each, every value whose key id is not the current one. Old keys stay in the
file until `retire=True` finds no value left under them. Interrupted, it can simply be run
again: values already under the current key are skipped.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from zhengban.audit.services import audit_record

from . import crypto
from .fields import EncryptedTextField, digest_fields

BATCH = 500

# Tags that hang on the digest key (integrity tags of access-control rows): name → a callable
# (batch=…) re-tagging under the current key what verifies under the current or previous one,
# returning its counts by label. Run by `rotate_digest_key` before the previous key is dropped.
_RETAGGERS: dict[str, object] = {}


def register_retagger(name: str, retag) -> None:
    _RETAGGERS[name] = retag


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


# --- the digest key ------------------------------------------------------------------------------


@dataclass
class DigestRotationResult:
    started: bool  # False: an interrupted rotation was continued
    finished: bool
    recomputed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.recomputed.values())


def _raw_rows(model, digest_field, source_field, after_pk, batch):
    """(pk, stored source, stored digest) straight from the columns."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    source, digest = quote(source_field.column), quote(digest_field.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {source}, {digest} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s",
            [after_pk, batch],
        )
        return cursor.fetchall()


def _plain(source_field, stored, context: str, ring) -> str:
    if stored is None:
        return ""
    if isinstance(source_field, EncryptedTextField) and stored:
        return crypto.decrypt(stored, context=context, ring=ring)
    return str(stored)


def rotate_digest_key(*, actor=None, batch: int = BATCH, stop_after: int | None = None):
    """Recompute every keyed SM3 digest under a new digest key, in batches of one
    transaction each.

    The first run makes a fresh key current and keeps the old one as previous (both are
    accepted for lookups meanwhile, `fields.lookup_digest`); an interrupted run is resumed
    by running it again, which keeps the new key and skips rows already recomputed. When
    every digest is under the new key, the previous key is forgotten. Start and end are
    audited. `stop_after` (batches) is for tests and for spreading the work over nights.
    """
    ring = crypto.keyring()
    if ring.source == "environment":
        # The operator sets the new key and the previous one in the environment.
        started = False
        if ring.previous_digest_key is None:
            raise ImproperlyConfigured(
                "with keys from the environment, set ZHENGBAN_PERSONAL_DATA_DIGEST_KEY to the "
                "new key and ZHENGBAN_PERSONAL_DATA_PREVIOUS_DIGEST_KEY to the old one first"
            )
    else:
        started = crypto.key_file_begin_digest_rotation()
    if started:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="security.rotate_digest_key_start",
                summary="生成新的检索摘要密钥，新旧密钥在轮换期间均可用于检索",
                changes={"fields": [_label(f) for _m, f, _s in digest_fields()]},
            )
    result = DigestRotationResult(started=started, finished=False)
    batches = 0
    for model, digest_field, source_field in digest_fields():
        label = _label(digest_field)
        context = f"{model._meta.label_lower}.{source_field.name}"
        quote = connection.ops.quote_name
        table, pk_column = quote(model._meta.db_table), quote(model._meta.pk.column)
        column = quote(digest_field.column)
        count = 0
        after = 0
        while rows := _raw_rows(model, digest_field, source_field, after, batch):
            if stop_after is not None and batches >= stop_after:
                result.recomputed[label] = count
                return result
            after = rows[-1][0]
            keys = crypto.keyring()  # once a batch: it stats the key file
            changes = []
            for pk, stored, old in rows:
                plain = _plain(source_field, stored, context, keys)
                new = crypto.digest(plain, context=context, key=keys.digest_key)
                if new != (old or ""):
                    changes.append([new, pk, old])
            if changes:
                # One statement per batch (pipelined by psycopg), each row only if it did not
                # change meanwhile: a save writes the new key's digest itself.
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s AND "
                        f"{column} = %s",
                        changes,
                    )
                    count += max(cursor.rowcount, 0)
            batches += 1
        result.recomputed[label] = count
    for retag in _RETAGGERS.values():
        result.recomputed.update(retag(batch=batch))
    if ring.source != "environment":
        crypto.key_file_end_digest_rotation()
    result.finished = True
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="security.rotate_digest_key",
            summary=f"检索摘要已全部改用新密钥，本次重算 {result.total} 项；旧密钥已停用",
            changes={"recomputed": result.recomputed, "resumed": not started},
        )
    return result


def _label(model_field) -> str:
    return f"{model_field.model._meta.label_lower}.{model_field.name}"
