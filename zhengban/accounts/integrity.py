"""Integrity of access-control data (GB/T 39786-2021 8.4 b/c; 等保 2.0 8.1.4.2).

Each role grant (`RoleGrant.tag`) and each user's clearance (`User.clearance_tag`) carries an
HMAC-SM3 tag over its meaningful fields — (user id, role) and (user id, clearance) — under the
integrity key derived from the digest key, which lives outside the database
(`security.crypto.integrity_key`). Only the services write tags (`accounts.services`:
`user_create`, `role_grant`, `clearance_set`); `zhengban security rotate-digest-key` re-tags
under the new key the rows whose tag verifies, never the others.

A row whose tag does not verify (a DBA's edit, a row inserted behind the application's back)
counts as absent where the decision is made: the role is not held (`User.role_set`), the
clearance falls to the lowest (`User.from_db`). Both checks use the row already loaded — no
query of their own — and each failing row raises one alert for the security and audit
administrators (`audit.alerts`, kind `integrity`). `zhengban security verify-grants` and the
daily `zhengban tick` sweep report every failing row.

What a tag cannot show: a row the application itself wrote earlier and that a DBA puts back
(a revoked grant restored with its old tag) verifies; the revocation is in the audit chain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from zhengban.security import crypto

from .choices import Clearance, role_label

logger = logging.getLogger("zhengban.accounts.integrity")

GRANT_CONTEXT = "accounts.rolegrant"
CLEARANCE_CONTEXT = "accounts.user.clearance"
LOWEST_CLEARANCE = Clearance.PUBLIC
ALERT_KIND = "integrity"


def grant_tag(user_id: int, role: str, *, key: bytes | None = None) -> str:
    return crypto.integrity_tag(GRANT_CONTEXT, user_id, role, key=key)


def clearance_tag(user_id: int, clearance: int, *, key: bytes | None = None) -> str:
    return crypto.integrity_tag(CLEARANCE_CONTEXT, user_id, int(clearance), key=key)


def grant_verifies(user_id, role, tag, *, keys=()) -> bool:
    return crypto.integrity_verifies(tag or "", GRANT_CONTEXT, user_id, role, keys=keys)


def clearance_verifies(user_id, clearance, tag, *, keys=()) -> bool:
    if clearance is None:
        return False
    return crypto.integrity_verifies(
        tag or "", CLEARANCE_CONTEXT, user_id, int(clearance), keys=keys
    )


# --- decisions ---------------------------------------------------------------------------------


def verified_roles(user_id: int, rows) -> frozenset[str]:
    """The roles of (grant pk, role, tag) rows whose tag verifies; each other row alerted."""
    roles = set()
    keys = None
    for pk, role, tag in rows:
        keys = keys or crypto.integrity_keys()
        if grant_verifies(user_id, role, tag, keys=keys):
            roles.add(role)
        else:
            grant_failed(pk=pk, user_id=user_id, role=role, tag=tag)
    return frozenset(roles)


def check_loaded_clearance(user) -> None:
    """Called for every User loaded from the database (`User.from_db`): a clearance whose tag
    does not verify is replaced, on this instance only, by the lowest. A clearance loaded
    without its tag (`.only(...)`) cannot be verified and counts as the lowest as well."""
    values = user.__dict__
    if "clearance" not in values:
        return
    stored = values["clearance"]
    user.stored_clearance = stored
    if "clearance_tag" not in values:
        user.clearance_verified = False
        user.clearance = LOWEST_CLEARANCE
        return
    if clearance_verifies(user.pk, stored, values["clearance_tag"]):
        user.clearance_verified = True
        return
    user.clearance_verified = False
    user.clearance = LOWEST_CLEARANCE
    clearance_failed(user_id=user.pk, clearance=stored, tag=values["clearance_tag"])


# --- alerts ------------------------------------------------------------------------------------


def _alert_key(kind: str, pk, value, tag) -> str:
    return f"{kind}:{pk}:{value}:{(tag or '-')[:16]}"


# Alerts this process raised already, by spool and key: a failing row read by every request
# is alerted once, not once per read.
_raised: set[tuple[str, str]] = set()


def _alert_once(key: str, message: str, detail: dict) -> None:
    """One alert per failing row (and per tampered state of it): raised by this process
    already, or an alert under the same key in the database, open or acknowledged, means it
    was raised."""
    from zhengban.audit.alerts import raise_alert, spool_path
    from zhengban.audit.models import AuditAlert

    memo = (str(spool_path()), key)
    if memo in _raised:
        return
    _raised.add(memo)
    try:
        usable = not (connection.in_atomic_block and connection.needs_rollback)
        if usable and AuditAlert.objects.filter(kind=ALERT_KIND, key=key).exists():
            return
    except DatabaseError:
        logger.warning("could not look up integrity alert %s", key, exc_info=True)
    raise_alert(ALERT_KIND, message, key=key, detail=detail)


def grant_failed(*, pk, user_id, role, tag) -> None:
    logger.error("role grant %s (user %s, %s) fails its integrity check", pk, user_id, role)
    _alert_once(
        _alert_key("grant", pk, f"{user_id}.{role}", tag),
        f"角色授权完整性校验失败，已不予采信：用户 #{user_id} 的“{role_label(role)}”"
        f"（授权记录 #{pk}）",
        {"table": "accounts_rolegrant", "id": pk, "user_id": user_id, "role": role},
    )


def clearance_failed(*, user_id, clearance, tag) -> None:
    logger.error("clearance of user %s (%s) fails its integrity check", user_id, clearance)
    try:
        label = Clearance(clearance).label
    except ValueError:
        label = clearance
    _alert_once(
        _alert_key("clearance", user_id, clearance, tag),
        f"知悉范围完整性校验失败，已按最低知悉范围处理：用户 #{user_id} 的“{label}”",
        {"table": "accounts_user", "id": user_id, "clearance": clearance},
    )


# --- the whole tables: verification and re-tagging ---------------------------------------------


@dataclass(frozen=True)
class Failure:
    kind: str  # "grant" or "clearance"
    pk: int
    user_id: int
    username: str
    value: str

    def describe(self) -> str:
        if self.kind == "grant":
            return f"角色授权 #{self.pk}：{self.username}（#{self.user_id}）{self.value}"
        return f"知悉范围：{self.username}（#{self.user_id}）{self.value}"


def failures(*, alert: bool = True) -> list[Failure]:
    """Every grant and clearance whose tag does not verify (raw reads, so the models' own
    checks do not run); each alerted once when `alert`."""
    keys = crypto.integrity_keys()
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.id, g.user_id, g.role, g.tag, u.username FROM accounts_rolegrant g "
            "JOIN accounts_user u ON u.id = g.user_id ORDER BY g.id"
        )
        for pk, user_id, role, tag, username in cursor.fetchall():
            if not grant_verifies(user_id, role, tag, keys=keys):
                found.append(Failure("grant", pk, user_id, username, role_label(role)))
                if alert:
                    grant_failed(pk=pk, user_id=user_id, role=role, tag=tag)
        cursor.execute(
            "SELECT id, username, clearance, clearance_tag FROM accounts_user ORDER BY id"
        )
        for pk, username, clearance, tag in cursor.fetchall():
            if not clearance_verifies(pk, clearance, tag, keys=keys):
                try:
                    label = str(Clearance(clearance).label)
                except ValueError:
                    label = str(clearance)
                found.append(Failure("clearance", pk, pk, username, label))
                if alert:
                    clearance_failed(user_id=pk, clearance=clearance, tag=tag)
    return found


def daily_check(today=None) -> dict:
    """The `zhengban tick` sweep: failing rows are alerted even if nobody signs in."""
    from zhengban.audit.alerts import import_spool

    found = failures()
    import_spool()
    return {"校验失败": len(found)}


def retag(*, batch: int = 500) -> dict[str, int]:
    """Re-tag under the current key every row whose tag verifies under the current or the
    previous key (a digest key rotation); rows that verify under neither stay as they are —
    a rotation never makes a tampered row valid."""
    ring = crypto.keyring()
    keys = crypto.integrity_keys(ring)
    current = keys[0]
    counts = {"accounts.rolegrant.tag": 0, "accounts.user.clearance_tag": 0}
    for label, select, compute, update in (
        (
            "accounts.rolegrant.tag",
            "SELECT id, user_id, role, tag FROM accounts_rolegrant WHERE id > %s "
            "ORDER BY id LIMIT %s",
            lambda row: (GRANT_CONTEXT, row[1], row[2]),
            "UPDATE accounts_rolegrant SET tag = %s WHERE id = %s AND tag = %s",
        ),
        (
            "accounts.user.clearance_tag",
            "SELECT id, id, clearance, clearance_tag FROM accounts_user WHERE id > %s "
            "ORDER BY id LIMIT %s",
            lambda row: (CLEARANCE_CONTEXT, row[1], int(row[2])),
            "UPDATE accounts_user SET clearance_tag = %s WHERE id = %s AND clearance_tag = %s",
        ),
    ):
        after = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(select, [after, batch])
                rows = cursor.fetchall()
            if not rows:
                break
            after = rows[-1][0]
            changes = []
            for row in rows:
                context, *values = compute(row)
                old = row[3] or ""
                new = crypto.integrity_tag(context, *values, key=current)
                if old != new and crypto.integrity_verifies(old, context, *values, keys=keys):
                    changes.append([new, row[0], old])
            if changes:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(update, changes)
                    counts[label] += max(cursor.rowcount, 0)
    return counts
