"""No Django admin site: a superuser there would change any table outside 三员分立, the
services and the audit chain (GB/T 22239-2019 8.1.4.2 d, 8.1.5.1–8.1.5.3)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver

from zhengban.accounts.models import User

PATHS = [
    "/django-admin/",
    "/django-admin/login/",
    "/django-admin/accounts/user/",
    "/django-admin/accounts/user/add/",
    "/admin/",
]


@pytest.mark.django_db
def test_django_admin_is_404_for_everyone_even_a_superuser():
    superuser = User.objects.create_user(
        username="root", password="x", is_staff=True, is_superuser=True
    )
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(superuser)
    for client in (anonymous, signed_in):
        for path in PATHS:
            assert client.get(path).status_code == 404, path
        response = client.post("/django-admin/accounts/user/add/", {"username": "x"})
        assert response.status_code in (403, 404)  # CSRF or not found: nothing is created
    assert not User.objects.filter(username="x").exists()


def test_no_url_pattern_reaches_the_admin_site():
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                assert pattern.app_name != "admin" and pattern.namespace != "admin", pattern
                walk(pattern.url_patterns)

    walk(get_resolver().url_patterns)
    assert admin.site.name not in {
        p.namespace for p in get_resolver().url_patterns if isinstance(p, URLResolver)
    }
