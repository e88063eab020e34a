"""Case lists page by keys and count up to a cap (selectors.CasePaginator): the same rows in
the same order as the queryset, the count exact below the cap and "N+" past it."""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhengban.cases import selectors
from zhengban.cases.models import Case

from .test_kernel import new_case
from .test_views import login, rows


def _cases(office, n):
    today = timezone.localdate()
    made = []
    for i in range(n):
        case = new_case(office, title=f"第{i}号事项")
        # Some share a due date (the created time and pk break ties), some have none.
        due = today + datetime.timedelta(days=i // 2) if i % 3 else None
        Case.objects.filter(pk=case.pk).update(due_date=due)
        made.append(case)
    return made


def test_pages_hold_the_querysets_rows_in_its_order(office):
    _cases(office, 7)
    qs = selectors.inbox_queryset(office.clerk, "mine_created", selectors.InboxFilters(sort="due"))
    expected = list(qs.values_list("pk", flat=True))
    paginator = selectors.paginator(qs, 3, user=office.clerk)
    shown = [c.pk for n in (1, 2, 3) for c in paginator.get_page(n).object_list]
    assert shown == expected
    assert paginator.count == 7 and str(paginator.count) == "7"
    # The rows come with what the row template shows, in the rows' own query.
    first = paginator.get_page(1).object_list[0]
    assert first.owner_unit.name == office.duchashi.name
    assert hasattr(first, "my_task_kind") and hasattr(first, "lead_unit_name")


def test_the_count_stops_at_the_cap_and_says_so(client, office, monkeypatch):
    made = _cases(office, 5)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    qs = selectors.inbox_queryset(office.clerk, "mine_created")
    paginator = selectors.paginator(qs, 2, user=office.clerk)
    assert int(paginator.count) == 4 and str(paginator.count) == "3+"
    assert f"{paginator.count}" == "3+" and paginator.num_pages == 2
    assert len(paginator.get_page(2).object_list) == 2
    login(client, office.clerk)
    response = client.get(reverse("cases:inbox") + "?tab=mine_created")
    assert "共3+件" in response.content.decode()
    assert len(rows(response)) == 5  # one page of 25 still lists every row
    monkeypatch.setattr(selectors, "COUNT_CAP", 500)
    response = client.get(reverse("cases:inbox") + "?tab=mine_created")
    assert "共5件" in response.content.decode()
    assert sorted(rows(response)) == sorted(c.number for c in made)


def test_other_lists_keep_djangos_paginator(office):
    from django.core.paginator import Paginator

    from zhengban.cases.models import Notification

    paginator = selectors.paginator(Notification.objects.all(), 25)
    assert type(paginator) is Paginator
