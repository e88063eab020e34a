"""The bell: how many unread notifications the user has (one indexed COUNT per page)."""

from django.utils.functional import SimpleLazyObject

from .notifications import unread_for


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a page that does not show the bell (a fragment, a download) runs no query.
    return {"unread_notifications_count": SimpleLazyObject(lambda: unread_for(user).count())}
