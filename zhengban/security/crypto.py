"""Personal data at rest: SM4-GCM encryption and keyed SM3 digests (GB/T 39786-2021 8.4 e).

Keys live outside the database, in this order of precedence:

- `ZHENGBAN_PERSONAL_DATA_KEYS`: "id:base64key,id:base64key,…" (first = current) plus
  `ZHENGBAN_PERSONAL_DATA_DIGEST_KEY` (base64), for deployments that inject secrets;
- otherwise the key file `PERSONAL_DATA_KEY_FILE` (default `var/keys/personal-data.json`,
  mode 0600), created with fresh random keys the first time it is needed (`zhengban security
  init-keys` creates it explicitly at setup). It is never in the repository (var/ is ignored).

A stored value reads `sm4gcm:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The key id says
which key decrypts it, so `zhengban security rotate-key` can add a new current key and
re-encrypt row by row while old values stay readable. The associated data binds a value to
its column ("org.person.id_number"): a ciphertext copied into another column fails.

Exact-match search uses HMAC-SM3 under the digest key over the normalized value. The digest
key is kept when the encryption keys rotate; it rotates on its own (`zhengban security
rotate-digest-key`, see `keys.rotate_digest_key`): the key file then holds the new key as
`digest_key` and the old one as `previous_digest_key` until every digest is recomputed, and
lookups accept a digest under either (`digests`). From the environment the previous key is
`ZHENGBAN_PERSONAL_DATA_PREVIOUS_DIGEST_KEY`, set for the time of the rotation.
"""

from __future__ import annotations

import base64
import binascii
import hmac as std_hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

PREFIX = "sm4gcm"
KEY_BYTES = 16  # SM4: 128-bit key and block
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionFailed(Exception):
    """A stored value could not be decrypted (unknown key id, tampered or misplaced)."""


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]
    digest_key: bytes
    source: str  # "environment" or the key file's path
    # The digest key being replaced, while a digest key rotation runs; else None.
    previous_digest_key: bytes | None = None

    @property
    def digest_keys(self) -> tuple[bytes, ...]:
        """The keys a stored digest may be under: the current one first."""
        if self.previous_digest_key is None:
            return (self.digest_key,)
        return (self.digest_key, self.previous_digest_key)


_lock = threading.Lock()
_cached: tuple[tuple, KeyRing] | None = None


def key_file() -> Path:
    configured = getattr(settings, "PERSONAL_DATA_KEY_FILE", None)
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "keys" / "personal-data.json"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ImproperlyConfigured(f"{what} is not valid base64") from error


def new_key_id() -> str:
    return timezone.now().strftime("k%Y%m%d") + secrets.token_hex(2)


def _from_environment() -> KeyRing | None:
    spec = os.environ.get("ZHENGBAN_PERSONAL_DATA_KEYS", "").strip()
    if not spec:
        return None
    keys: dict[str, bytes] = {}
    order = []
    for item in spec.split(","):
        key_id, _sep, value = item.strip().partition(":")
        key = _unb64(value, f"personal data key {key_id}")
        if len(key) != KEY_BYTES or not key_id:
            raise ImproperlyConfigured(f"personal data key {key_id!r} must be 16 bytes")
        keys[key_id] = key
        order.append(key_id)
    digest = os.environ.get("ZHENGBAN_PERSONAL_DATA_DIGEST_KEY", "")
    if not digest:
        raise ImproperlyConfigured("ZHENGBAN_PERSONAL_DATA_DIGEST_KEY must accompany the keys")
    previous = os.environ.get("ZHENGBAN_PERSONAL_DATA_PREVIOUS_DIGEST_KEY", "")
    return KeyRing(
        order[0],
        keys,
        _unb64(digest, "digest key"),
        "environment",
        _unb64(previous, "previous digest key") if previous else None,
    )


def _write_temporary(path: Path, data: dict) -> Path:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def _write_key_file(path: Path, data: dict) -> None:
    os.replace(_write_temporary(path, data), path)


def _read_key_file(path: Path) -> dict:
    with open(path) as handle:
        return json.load(handle)


def key_file_create(path: Path | None = None) -> Path:
    """Create the key file with a fresh current key and digest key; keeps an existing file.
    Two processes starting at once cannot both create one: the file is linked into place,
    which fails for the second, and the second then reads the first's keys."""
    path = path or key_file()
    if path.exists():
        return path
    key_id = new_key_id()
    data = {
        "current": key_id,
        "keys": {key_id: _b64(secrets.token_bytes(KEY_BYTES))},
        "digest_key": _b64(secrets.token_bytes(32)),
    }
    temporary = _write_temporary(path, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path


def key_file_add_key(path: Path | None = None) -> str:
    """Add a new key to the key file and make it current; returns its id."""
    path = path or key_file()
    data = _read_key_file(key_file_create(path))
    key_id = new_key_id()
    while key_id in data["keys"]:
        key_id = new_key_id()
    data["keys"][key_id] = _b64(secrets.token_bytes(KEY_BYTES))
    data["current"] = key_id
    _write_key_file(path, data)
    reset_cache()
    return key_id


def key_file_retire(key_ids: set[str], path: Path | None = None) -> None:
    """Remove keys no value uses any more (after a rotation has finished)."""
    path = path or key_file()
    data = _read_key_file(path)
    for key_id in key_ids:
        if key_id != data["current"]:
            data["keys"].pop(key_id, None)
    _write_key_file(path, data)
    reset_cache()


def key_file_begin_digest_rotation(path: Path | None = None) -> bool:
    """Make a fresh digest key current and keep the old one as previous; a rotation already
    under way is continued (False), never stacked on another."""
    path = path or key_file()
    data = _read_key_file(key_file_create(path))
    if data.get("previous_digest_key"):
        return False
    data["previous_digest_key"] = data["digest_key"]
    data["digest_key"] = _b64(secrets.token_bytes(32))
    _write_key_file(path, data)
    reset_cache()
    return True


def key_file_end_digest_rotation(path: Path | None = None) -> None:
    """Forget the previous digest key once no stored digest is under it."""
    path = path or key_file()
    data = _read_key_file(path)
    data.pop("previous_digest_key", None)
    _write_key_file(path, data)
    reset_cache()


def _from_file(path: Path) -> KeyRing:
    data = _read_key_file(key_file_create(path))
    keys = {key_id: _unb64(value, f"key {key_id}") for key_id, value in data["keys"].items()}
    if data["current"] not in keys or any(len(k) != KEY_BYTES for k in keys.values()):
        raise ImproperlyConfigured(f"{path}: the current key is missing or a key is not 16 bytes")
    previous = data.get("previous_digest_key")
    return KeyRing(
        data["current"],
        keys,
        _unb64(data["digest_key"], "digest key"),
        str(path),
        _unb64(previous, "previous digest key") if previous else None,
    )


def keyring() -> KeyRing:
    """The keys in force; re-read when the key file changes (a rotation in another process)."""
    global _cached
    environment = _from_environment()
    if environment is not None:
        return environment
    path = key_file()
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        stamp = None
    with _lock:
        if _cached is not None and stamp is not None and _cached[0] == stamp:
            return _cached[1]
        ring = _from_file(path)
        _cached = ((str(path), path.stat().st_mtime_ns), ring)
        return ring


def reset_cache() -> None:
    global _cached
    with _lock:
        _cached = None


# --- values ------------------------------------------------------------------------------------


def encrypt(plaintext: str, *, context: str, key_id: str | None = None) -> str:
    ring = keyring()
    key_id = key_id or ring.current
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.keys[key_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode("utf-8"))
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return f"{PREFIX}:{key_id}:{_b64(nonce + body + encryptor.tag)}"


def key_id_of(stored: str) -> str | None:
    parts = stored.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def decrypt(stored: str, *, context: str, ring: KeyRing | None = None) -> str:
    """The plaintext of a stored value; `ring` saves looking the keys up for each value
    of a batch."""
    parts = stored.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionFailed("not an encrypted value")
    _prefix, key_id, payload = parts
    key = (ring or keyring()).keys.get(key_id)
    if key is None:
        raise DecryptionFailed(f"unknown key id {key_id}")
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as error:
        raise DecryptionFailed("malformed value") from error
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("malformed value")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode("utf-8"))
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError) as error:
        raise DecryptionFailed("value does not authenticate under its key and column") from error


def normalize(value: str) -> str:
    """The form digests are computed on: no spaces or dashes, full-width digits and letters
    folded, upper case (the X of an ID number)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", value or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-—－()（）").upper()


def _hmac(key: bytes, text: str, context: str) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(context.encode("utf-8") + b"\x00" + text.encode("utf-8"))
    return mac.finalize().hex()


def digest(value: str, *, context: str, key: bytes | None = None) -> str:
    """HMAC-SM3 of the normalized value under the current digest key (or `key`), hex;
    "" for an empty value."""
    text = normalize(value)
    if not text:
        return ""
    return _hmac(key or keyring().digest_key, text, context)


def digests(value: str, *, context: str) -> list[str]:
    """The digests a stored value may carry: under the current key, and under the previous
    one while a digest key rotation runs. [""] for an empty value."""
    text = normalize(value)
    if not text:
        return [""]
    return [_hmac(key, text, context) for key in keyring().digest_keys]


# --- integrity tags ------------------------------------------------------------------------------

# Integrity tags over access-control rows (who holds which role, who is cleared for what: GB/T
# 39786-2021 8.4 b/c) use a key derived from the digest key for this one purpose, so they live
# and rotate with it (`zhengban security rotate-digest-key` re-tags) without a key of their own
# to manage, and a tag can never be mistaken for a search digest.
_INTEGRITY_PURPOSE = b"zhengban/access-control-integrity/v1"
_derived: dict[bytes, bytes] = {}


def integrity_key(digest_key: bytes) -> bytes:
    key = _derived.get(digest_key)
    if key is None:
        mac = hmac.HMAC(digest_key, hashes.SM3())
        mac.update(_INTEGRITY_PURPOSE)
        key = _derived[digest_key] = mac.finalize()
    return key


def integrity_tag(context: str, *values, key: bytes | None = None) -> str:
    """HMAC-SM3 (hex) of `values` under the integrity key of the current digest key (or the
    integrity key `key`). Values are joined unambiguously: their text never holds NUL."""
    text = "\x00".join(str(value) for value in values)
    return _hmac(key or integrity_key(keyring().digest_key), text, context)


def integrity_keys(ring: KeyRing | None = None) -> tuple[bytes, ...]:
    """The integrity keys a stored tag may be under: the current one first, the previous one
    while a digest key rotation runs."""
    return tuple(integrity_key(key) for key in (ring or keyring()).digest_keys)


def integrity_verifies(stored: str, context: str, *values, keys: tuple[bytes, ...] = ()) -> bool:
    """Whether `stored` is the tag of `values` under one of the integrity keys."""
    if not stored or len(stored) != 64:
        return False
    return any(
        std_hmac.compare_digest(stored, integrity_tag(context, *values, key=key))
        for key in (keys or integrity_keys())
    )
