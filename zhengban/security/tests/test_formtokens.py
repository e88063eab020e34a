"""One-time form tokens enforced by the database: of 4 parallel submissions of one form,
one row is written, on SQLite and on PostgreSQL (CI runs this file on both)."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.template import Context, Template
from django.test import RequestFactory

from zhengban.accounts.choices import Role
from zhengban.org.models import Duty
from zhengban.org.tests.factories import make_user
from zhengban.security.formtokens import (
    DuplicateSubmission,
    InvalidFormToken,
    form_token_issue,
    form_token_spend,
)
from zhengban.security.models import SpentFormToken

PURPOSE = "cases.comment:42"


def write_once(token, user, *, text="意见"):
    """What a form view does: spend the token and write, in one transaction."""
    with transaction.atomic():
        form_token_spend(token, user=user, purpose=PURPOSE)
        Duty.objects.create(kind="main", text=text)


def race(n, token, user, *, retry_locked: bool):
    """Submit from n threads released together; returns the outcome of each."""
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            for _attempt in range(400):
                try:
                    write_once(token, user, text=f"意见{i}")
                    outcomes[i] = "written"
                    return
                except DuplicateSubmission:
                    outcomes[i] = "duplicate"
                    return
                except OperationalError as error:
                    # SQLite's shared in-memory test database answers "locked" instead of
                    # waiting: the client retries, as a browser would resubmit.
                    if not retry_locked or "locked" not in str(error):
                        outcomes[i] = f"error: {error}"
                        return
                    time.sleep(0.005)
            outcomes[i] = "gave up"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_four_parallel_submissions_create_one_row():
    user = make_user(Role.STAFF)
    token = form_token_issue(user=user, purpose=PURPOSE)
    outcomes = race(4, token, user, retry_locked=connection.vendor == "sqlite")
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "written"], outcomes
    assert Duty.objects.filter(text__startswith="意见").count() == 1
    assert SpentFormToken.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_losers_wait_on_the_unique_index_and_fail_cleanly():
    user = make_user(Role.STAFF)
    token = form_token_issue(user=user, purpose=PURPOSE)
    outcomes = race(4, token, user, retry_locked=False)
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "written"], outcomes
    assert Duty.objects.filter(text__startswith="意见").count() == 1


@pytest.mark.django_db(transaction=True)
def test_each_rendering_of_a_form_gets_its_own_token():
    user = make_user(Role.STAFF)
    tokens = [form_token_issue(user=user, purpose=PURPOSE) for _ in range(4)]
    outcomes = race(4, tokens[0], user, retry_locked=connection.vendor == "sqlite")
    assert outcomes.count("written") == 1
    for token in tokens[1:]:
        write_once(token, user)
    assert Duty.objects.filter(text__startswith="意见").count() == 4


@pytest.mark.django_db
def test_a_refused_submission_writes_nothing():
    user = make_user(Role.STAFF)
    token = form_token_issue(user=user, purpose=PURPOSE)
    write_once(token, user)
    with pytest.raises(DuplicateSubmission):
        write_once(token, user)
    assert Duty.objects.count() == 1


@pytest.mark.django_db
def test_tokens_are_bound_to_user_and_form_and_expire(settings):
    user, other = make_user(Role.STAFF), make_user(Role.STAFF)
    token = form_token_issue(user=user, purpose=PURPOSE)
    for bad in [
        lambda: write_once(token, other),  # another user's token
        lambda: write_once(token + "x", user),  # tampered
        lambda: write_once("", user),  # missing
        lambda: write_once(None, user),
    ]:
        with pytest.raises(InvalidFormToken):
            bad()
    with transaction.atomic(), pytest.raises(InvalidFormToken):
        form_token_spend(token, user=user, purpose="cases.comment:43")  # another form
    settings.FORM_TOKEN_MAX_AGE = -1
    with pytest.raises(InvalidFormToken) as error:
        write_once(token, user)
    assert "失效" in error.value.message
    assert Duty.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_spending_outside_a_transaction_is_a_programming_error():
    user = make_user(Role.STAFF)
    with pytest.raises(RuntimeError):
        form_token_spend(form_token_issue(user=user, purpose=PURPOSE), user=user, purpose=PURPOSE)


@pytest.mark.django_db
def test_the_template_tag_renders_a_hidden_token():
    user = make_user(Role.STAFF)
    request = RequestFactory().get("/")
    request.user = user
    html = Template('{% load security %}{% form_token "cases.comment" pk %}').render(
        Context({"request": request, "pk": 42})
    )
    assert html.startswith('<input type="hidden" name="form_token" value="')
    token = html.split('value="')[1].split('"')[0]
    write_once(token, user)
    assert Duty.objects.count() == 1
