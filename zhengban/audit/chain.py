"""SM3 hashing of audit records in a canonical form.

Pure functions, shared by the writer (services) and the verifier. The canonical form of a
record is `json.dumps` of its hashed fields with sorted keys, compact separators and
unescaped Chinese; `canonical` says exactly that, `canonical_text` builds the same string
faster from database values for the verifier (tests hold the two equal).
"""

import hashlib
import json
from json.encoder import encode_basestring

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64

# The fields that are hashed, in a fixed order; adding one is a chain format change.
HASHED_FIELDS = (
    "seq",
    "time",
    "actor_id",
    "actor_name",
    "on_behalf_of_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "summary",
    "changes",
    "client_address",
    "request_id",
)

_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
).encode


def normalize_changes(changes: dict | None) -> dict:
    """The JSON value exactly as the database will give it back (dates and decimals as
    strings, tuples as lists, keys as strings), so the hash of the stored row matches."""
    if not changes:
        return {}
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical(values: dict) -> str:
    data = {name: values.get(name) for name in HASHED_FIELDS}
    data["time"] = values["time"].isoformat(timespec="microseconds")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record_hash(prev_hash: str, values: dict) -> str:
    return hashlib.new("sm3", (prev_hash + canonical(values)).encode("utf-8")).hexdigest()


def iso_time(value) -> str:
    """The canonical time text from what the database returns: an aware datetime
    (PostgreSQL), a naive UTC datetime (SQLite through Django's connection) or the stored
    text "YYYY-MM-DD HH:MM:SS[.ffffff]"; anything unreadable hashes as nothing."""
    if isinstance(value, str):
        if "." not in value:
            value += ".000000"
        return value.replace(" ", "T", 1) + "+00:00"
    if value is None:
        return ""
    if value.tzinfo is None:
        return value.isoformat(timespec="microseconds") + "+00:00"
    return value.isoformat(timespec="microseconds")


def _fast_dumps():
    """`_dumps` without its per-call setup, through the json module's C encoder when the
    interpreter has it (same output: it is what json.dumps uses for one-shot encoding)."""
    try:
        from json.decoder import JSONDecoder
        from json.encoder import c_make_encoder
        from json.scanner import c_make_scanner
    except ImportError:
        return _dumps, json.loads
    if c_make_encoder is None or c_make_scanner is None:
        return _dumps, json.loads
    encoder = c_make_encoder(None, str, encode_basestring, None, ":", ",", True, False, True)
    scanner = c_make_scanner(JSONDecoder())

    def dumps(value) -> str:
        return "".join(encoder(value, 0))

    def loads(text: str):
        text = text.strip(" \t\n\r")  # JSON whitespace, as json.loads allows
        try:
            value, end = scanner(text, 0)
        except StopIteration as error:
            raise ValueError("not a JSON value") from error
        if end != len(text):
            raise ValueError("extra data after the JSON value")
        return value

    return dumps, loads


_changes_dumps, _changes_loads = _fast_dumps()


def canonical_changes(value) -> str:
    """Canonical JSON of the `changes` column, stored as text (SQLite, PostgreSQL through
    Django's connection) or already decoded."""
    if isinstance(value, str):
        if value == "{}":
            return value
        value = _changes_loads(value)
    return _changes_dumps(value)


# `canonical` spelled out: keys in sorted order, compact separators.
_TEMPLATE = (
    '{"action":%s,"actor_id":%s,"actor_name":%s,"changes":%s,"client_address":%s,'
    '"object_id":%s,"object_repr":%s,"object_type":%s,"on_behalf_of_name":%s,'
    '"request_id":%s,"seq":%s,"summary":%s,"time":%s}'
)


def canonical_text(
    seq: int,
    time_text: str,
    actor_id: int | None,
    actor_name: str,
    on_behalf_of_name: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    summary: str,
    changes_text: str,
    client_address: str,
    request_id: str,
) -> str:
    """`canonical` built directly from database values for the verifier's hot loop;
    `time_text` and `changes_text` come from iso_time and canonical_changes. Raises
    TypeError when a column holds something other than its type (a tampered row)."""
    return _TEMPLATE % (
        encode_basestring(action),
        "null" if actor_id is None else int.__repr__(actor_id),
        encode_basestring(actor_name),
        changes_text,
        encode_basestring(client_address),
        encode_basestring(object_id),
        encode_basestring(object_repr),
        encode_basestring(object_type),
        encode_basestring(on_behalf_of_name),
        encode_basestring(request_id),
        int.__repr__(seq),
        encode_basestring(summary),
        encode_basestring(time_text),
    )
