"""Model fields for personal data: `EncryptedTextField` (SM4-GCM at rest) and
`DigestField` (HMAC-SM3 of another field, for exact-match search).

    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_digest = DigestField(source="id_number")

    Person.objects.filter(id_number_digest=lookup_digest(Person, "id_number", "110101…"))

The instance attribute holds the plaintext; only the database column is encrypted. An
encrypted column cannot be filtered on (each encryption is different): lookups other than
isnull raise. `QuerySet.update()` bypasses `pre_save`, so it must not set a digested field
(use save()).

While the digest key rotates (`zhengban security rotate-digest-key`) a row's digest is under
the new key or, not yet recomputed, under the old one: `lookup_digest` returns a value that
an exact filter on a `DigestField` matches under either key, so call sites need no change.
"""

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, In

from . import crypto


def _context(field) -> str:
    return f"{field.model._meta.label_lower}.{field.name}"


class EncryptedTextField(models.TextField):
    """Text stored as `sm4gcm:<key id>:<base64>`; "" is stored as "" (nothing to hide)."""

    description = "Text encrypted with SM4-GCM"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value, context=_context(self))

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if crypto.key_id_of(value) is not None:
            return value  # already encrypted (a raw copy, e.g. during rotation)
        return crypto.encrypt(value, context=_context(self))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull",):
            raise FieldError(
                f"{_context(self)} is encrypted: search it through its digest field, not "
                f"with __{lookup_name}"
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        raise FieldError(f"{_context(self)} is encrypted and has no transforms")


class DigestField(models.CharField):
    """HMAC-SM3 (hex) of the normalized value of `source`, set on every save."""

    description = "Keyed SM3 digest of another field"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        if kwargs.get("db_index") is True:
            kwargs.pop("db_index")
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source) or ""
        source_field = model_instance._meta.get_field(self.source)
        result = crypto.digest(str(value), context=_context(source_field))
        setattr(model_instance, self.attname, result)
        return result


class DigestValue(str):
    """The current digest of a searched value (as a str), carrying the digests under every
    key in force; an exact filter on a DigestField matches any of them."""

    alternatives: tuple[str, ...]

    def __new__(cls, alternatives):
        value = super().__new__(cls, alternatives[0])
        value.alternatives = tuple(alternatives)
        return value


@DigestField.register_lookup
class DigestExact(Exact):
    """`digest_field=DigestValue(...)` → `IN (current, previous)` during a key rotation."""

    lookup_name = "exact"

    def as_sql(self, compiler, connection):
        alternatives = getattr(self.rhs, "alternatives", ())
        if len(alternatives) > 1:
            return In(self.lhs, list(alternatives)).as_sql(compiler, connection)
        return super().as_sql(compiler, connection)


def lookup_digest(model, field_name: str, value: str) -> DigestValue:
    """The digest to filter `<field_name>_digest` by for an exact-match search."""
    context = _context(model._meta.get_field(field_name))
    return DigestValue(crypto.digests(value, context=context))


def digest_fields() -> list:
    """(model, digest field, source field) of every DigestField of the installed models."""
    from django.apps import apps

    return [
        (model, model_field, model._meta.get_field(model_field.source))
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, DigestField)
    ]
