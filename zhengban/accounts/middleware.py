import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class IdleTimeoutMiddleware:
    """Logs out a session idle longer than IDLE_TIMEOUT_SECONDS (等保 2.0 session control)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen", now)
            if now - last > settings.IDLE_TIMEOUT_SECONDS:
                logout(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?timeout=1")
            request.session["last_seen"] = now
        return self.get_response(request)
