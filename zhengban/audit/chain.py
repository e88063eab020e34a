"""SM3 hashing of audit records in a canonical form (pure functions, shared by writer and verifier)."""

import hashlib
import json

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


def canonical(values: dict) -> str:
    data = {name: values.get(name) for name in HASHED_FIELDS}
    data["time"] = values["time"].isoformat(timespec="microseconds")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record_hash(prev_hash: str, values: dict) -> str:
    return hashlib.new("sm3", (prev_hash + canonical(values)).encode("utf-8")).hexdigest()
