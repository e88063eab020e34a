"""工作台: the counts of what waits for the user, the next deadlines and the latest notices,
in a fixed number of queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengban.cases import services
from zhengban.cases.models import Case

from .test_kernel import new_case, perform, to_handling


def numbers(response, key):
    html = response.content.decode()
    return int(html.split(f'data-count="{key}"><strong>')[1].split("<")[0])


def test_the_workbench_counts_what_waits_for_me(client, office):
    today = datetime.date.today()
    late = to_handling(office, co_units=False)
    soon = to_handling(office, co_units=False)
    Case.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=2))
    Case.objects.filter(pk=soon.pk).update(due_date=today)
    soon.refresh_from_db()
    services.case_circulate(
        case=soon, actor=office.head, version=soon.version, users=[office.farmer]
    )
    client.force_login(office.farmer)
    home = client.get(reverse("home"))
    assert (numbers(home, "todo"), numbers(home, "toread")) == (2, 1)
    assert (numbers(home, "overdue"), numbers(home, "due_soon")) == (1, 1)
    assert late.title in home.content.decode()  # among the next deadlines
    client.force_login(office.clerk)  # the drafter: nothing waits for her
    assert numbers(client.get(reverse("home")), "todo") == 0


def test_the_workbench_queries_do_not_grow(client, office):
    for _ in range(2):
        case = new_case(office)
        perform(case, "submit", office.clerk)
    client.force_login(office.head)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for _ in range(8):
        case = new_case(office)
        perform(case, "submit", office.clerk)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("home"))
    assert len(small) == len(large)


def test_frequent_opinions_are_offered_and_fill_an_empty_opinion(client, office):
    from zhengban.cases.models import Task

    client.force_login(office.leader)
    client.post(reverse("cases:phrases"), {"text": "同意，请督查室跟踪督办。"})
    assert client.post(reverse("cases:phrases"), {"text": "  "}).status_code == 302
    case = to_handling(office, co_units=False)
    services.case_circulate(
        case=case, actor=office.head, version=case.version, users=[office.leader]
    )
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "同意，请督查室跟踪督办。" in page and "data-phrase-for" in page
    task = Task.objects.get(case=case, kind="circulate")
    # Without scripts: the phrase picked stands in for the empty opinion text.
    client.post(
        reverse("cases:task_opinion", args=[case.pk, task.pk]),
        {f"t{task.pk}-opinion": "read", f"t{task.pk}-phrase": "同意，请督查室跟踪督办。"},
    )
    task.refresh_from_db()
    assert (task.state, task.opinion_text) == ("done", "同意，请督查室跟踪督办。")
    assert client.post(reverse("cases:phrases"), {"delete": "²"}).status_code == 400
