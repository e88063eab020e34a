"""Two people take an action on the same case at the same moment with the same version:
exactly one wins, the other gets the conflict, and nothing is written twice. Needs a real
PostgreSQL server (row locks); SQLite serializes writers anyway."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from zhengban.cases.models import Case, CaseEvent

from .test_kernel import new_case, perform

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(users, send):
    """Run send(client) for each user at once (a Barrier releases them together)."""
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = send(clients[i])
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_api_two_heads_assign_at_once(office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case.refresh_from_db()
    url = reverse("api-cases:action", args=[case.pk, "assign"])

    def send(client):
        return client.post(
            url,
            {"version": case.version, "params": {"lead_unit": office.nongjing.pk}},
            content_type="application/json",
        )

    responses = race([office.head, office.leader], send)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["code"] == "version_conflict"
    case.refresh_from_db()
    assert case.version == 3 and case.state == "handling"
    assert case.assignments.count() == 1
    assert CaseEvent.objects.filter(case=case, action="assign").count() == 1


def test_page_same_form_submitted_twice_at_once(office):
    case = new_case(office)
    url = reverse("cases:perform", args=[case.pk, "submit"])

    def send(client):
        response = client.post(url, {"version": case.version})
        return [str(m) for m in response.wsgi_request._messages._queued_messages]

    said = race([office.clerk, office.clerk], send)
    assert sorted(m[0][:5] for m in said) == ["已提交审核", "该事项已被"]
    case.refresh_from_db()
    assert (case.state, case.version) == ("review", 2)
    assert CaseEvent.objects.filter(case=case, action="submit").count() == 1
    assert Case.objects.count() == 1
