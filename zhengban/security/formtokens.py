"""One-time form tokens, enforced by the database.

A form carries a signed token naming its user, its purpose (e.g. "cases.comment:42") and a
random nonce. The view that handles the submission spends it *inside the transaction of its
write*: `form_token_spend` INSERTs the nonce into `SpentFormToken`, whose unique constraint
lets exactly one of several parallel submissions commit. The others raise
`DuplicateSubmission` and roll back with nothing written, on SQLite (writers queue) and on
PostgreSQL (the second INSERT waits on the first's index entry, then fails).

    # template:  <form method="post">{% csrf_token %}{% form_token "cases.comment" case.pk %}
    # view:
    with transaction.atomic():
        form_token_spend(request.POST.get(FIELD), user=request.user, purpose=f"cases.comment:{pk}")
        comment_add(case=case, actor=request.user, text=text)
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SpentFormToken

FIELD = "form_token"
SALT = "zhengban.security.formtoken"
# How long a form may stay open before its token expires (seconds); spent nonces older than
# this can be purged, since their tokens no longer verify anyway.
DEFAULT_MAX_AGE = 12 * 60 * 60


class FormTokenError(Exception):
    """The submission is refused; `message` is for the person submitting."""

    code = "form_token_invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidFormToken(FormTokenError):
    pass


class DuplicateSubmission(FormTokenError):
    code = "duplicate_submission"


def _max_age() -> int:
    return getattr(settings, "FORM_TOKEN_MAX_AGE", DEFAULT_MAX_AGE)


def form_token_issue(*, user, purpose: str) -> str:
    """A fresh token for one rendering of a form."""
    payload = {"u": getattr(user, "pk", None), "p": purpose, "n": secrets.token_hex(16)}
    return signing.dumps(payload, salt=SALT)


def form_token_spend(token: str | None, *, user, purpose: str) -> SpentFormToken:
    """Spend the token in the caller's transaction; raises InvalidFormToken (missing,
    tampered, expired, another user's or another form's token) or DuplicateSubmission."""
    if not connection.in_atomic_block:
        raise RuntimeError("form_token_spend must run inside the transaction of the write")
    if not token:
        raise InvalidFormToken(_("表单已失效，请刷新页面后重新提交。"))
    try:
        payload = signing.loads(str(token)[:400], salt=SALT, max_age=_max_age())
    except signing.SignatureExpired as error:
        raise InvalidFormToken(_("表单打开时间过长，已失效，请刷新页面后重新提交。")) from error
    except signing.BadSignature as error:
        raise InvalidFormToken(_("表单已失效，请刷新页面后重新提交。")) from error
    if (
        not isinstance(payload, dict)
        or payload.get("u") != getattr(user, "pk", None)
        or payload.get("p") != purpose
        or not isinstance(payload.get("n"), str)
    ):
        raise InvalidFormToken(_("表单已失效，请刷新页面后重新提交。"))
    try:
        # A savepoint: on PostgreSQL a failed INSERT would otherwise poison the transaction.
        with transaction.atomic():
            return SpentFormToken.objects.create(
                nonce=payload["n"][:32],
                purpose=purpose[:120],
                user=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError as error:
        raise DuplicateSubmission(_("该表单已提交过，请勿重复提交。")) from error


def spent_form_tokens_purge() -> int:
    """Delete spent nonces whose tokens have expired; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=_max_age() + 60)
    deleted, _detail = SpentFormToken.objects.filter(spent_at__lt=cutoff).delete()
    return deleted
