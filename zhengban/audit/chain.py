"""SM3 hashing of audit records in a canonical form.

Pure functions, shared by the writer (services) and the verifier.
"""

import hashlib
import json

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
