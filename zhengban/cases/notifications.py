"""In-app notifications (the bell) and e-mail. The rows are written in the caller's
transaction and mail goes out after commit, so a rolled-back action notifies nobody;
`dedupe_key` makes repeated sweeps notify nobody twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import QuerySet

from .models import Notification


def notify(users, *, case=None, kind: str, message: str, dedupe_key: str = "") -> int:
    """Notify each user once; returns how many notifications were new."""
    users = [u for u in users if u is not None]
    if not users:
        return 0
    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in already]
    rows = [
        Notification(
            recipient=user, case=case, kind=kind, message=message[:300], dedupe_key=dedupe_key
        )
        for user in users
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: _email(users, message))
    return len(rows)


def notify_units(units, *, heads_only: bool = False, **kwargs) -> int:
    """Notify the members (or only the heads) of units: a unit's inbox is its people's."""
    from zhengban.accounts.models import User

    heads = {"memberships__is_head": True} if heads_only else {}
    members = User.objects.filter(memberships__unit__in=units, is_active=True, **heads)
    return notify(list(members.distinct()), **kwargs)


def _email(users, message: str) -> None:
    mails = [
        (f"[政办] {message[:60]}", message, settings.DEFAULT_FROM_EMAIL, [u.email])
        for u in users
        if u.email
    ]
    if mails:
        send_mass_mail(mails, fail_silently=True)


def unread_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)
