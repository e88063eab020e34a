"""The 领导批示 panel on every case page and the 批示 given there: the list for whoever may
read the case (the kernel's access), the form for a leader (or a secretary recording one)
who may read it, 404/403 from the kernel's rules for the rest."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengban.cases import casetypes
from zhengban.cases.models import Case
from zhengban.instructions.models import Instruction
from zhengban.instructions.services import instruction_create

pytestmark = pytest.mark.skipif(
    not hasattr(casetypes, "register_panel"), reason="the kernel's global panels have not landed"
)


def give(client, case, **data):
    values = {"text": "请市交通运输局牵头办理。", "given_on": timezone.localdate().isoformat()}
    values.update(data)
    return client.post(reverse("instructions:give", args=[case.pk]), values)


def test_a_leader_sees_the_panel_with_its_form_and_gives_a_instruction(client, office, incoming):
    client.force_login(office.mayor)
    html = client.get(reverse("cases:detail", args=[incoming.pk])).content.decode()
    assert 'data-testid="instructions-panel"' in html and "尚无领导批示" in html
    # The form's box is open (nothing given yet) and loads the form into itself.
    give_url = reverse("instructions:give", args=[incoming.pk])
    assert 'data-testid="instruction-form-box" open hx-trigger="load"' in html
    assert f'hx-get="{give_url}"' in html and 'name="lead_unit"' not in html
    fragment = client.get(give_url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="instruction-form"' in fragment and "列入督办" in fragment
    assert "<html" not in fragment
    page = client.get(give_url).content.decode()  # without JS: a page of its own
    assert "<html" in page and 'data-testid="instruction-form"' in page
    assert "批示未保存" not in page
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = give(
        client,
        incoming,
        lead_unit=office.bureau.pk,
        co_units=[office.nongjing.pk],
        due_date=due,
        supervise="on",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[incoming.pk]) + "#instructions"
    i = Instruction.objects.get()
    assert i.case == incoming and i.leader == office.mayor and i.recorded_by is None
    assert i.item.parent == incoming and i.lead_unit == office.bureau
    html = client.get(response["Location"]).content.decode()
    assert "请市交通运输局牵头办理。" in html and i.item.number in html
    assert reverse("cases:detail", args=[i.item.pk]) in html
    # The item's page names the 批示 it came from.
    html = client.get(reverse("cases:detail", args=[i.item.pk])).content.decode()
    assert 'data-testid="instruction-source"' in html and incoming.number in html
    # The bureau's contact works on the item (its body says what to do) but reads no 批示
    # record (internal to the office).
    client.force_login(office.contact)
    response = client.get(reverse("cases:detail", args=[i.item.pk]))
    assert response.status_code == 200
    assert 'data-testid="instruction-source"' not in response.content.decode()


def test_the_office_that_handles_the_case_reads_the_instructions_without_a_form(
    client, office, incoming
):
    instruction_create(actor=office.mayor, leader=office.mayor, text="请阅办。", case=incoming)
    client.force_login(office.clerk)  # 文电处 registered the 收文
    html = client.get(reverse("cases:detail", args=[incoming.pk])).content.decode()
    assert "请阅办。" in html and 'data-testid="instruction-form-box"' not in html
    assert give(client, incoming).status_code == 403
    assert client.get(reverse("instructions:give", args=[incoming.pk])).status_code == 403
    assert Instruction.objects.count() == 1


@pytest.mark.parametrize("who", ["farmer", "secretary", "contact", "sysadmin"])
def test_who_does_not_see_the_case_gets_a_404(client, office, incoming, who):
    client.force_login(getattr(office, who))
    assert give(client, incoming).status_code == 404
    assert client.post(reverse("instructions:give", args=[999999]), {}).status_code == 404
    assert not Instruction.objects.exists()


def test_an_invalid_instruction_is_a_400_with_the_form(client, office, incoming):
    client.force_login(office.mayor)
    response = give(client, incoming, text="", supervise="on")
    assert response.status_code == 400
    html = response.content.decode()
    assert "批示未保存" in html and "列入督办须指明牵头单位" in html
    response = give(client, incoming, lead_unit="999999")
    assert response.status_code == 400
    # A deadline the supervision app refuses (today) is the form's error, not a 500.
    response = give(
        client,
        incoming,
        lead_unit=office.bureau.pk,
        due_date=timezone.localdate().isoformat(),
        supervise="on",
    )
    assert response.status_code == 400
    assert not Instruction.objects.exists()
    assert not Case.objects.filter(case_type="supervision").exists()


def test_a_secretary_who_sees_the_case_records_a_leaders_instruction(client, office):
    from zhengban.cases import services

    case = services.case_create(
        case_type="assigned_task",
        title="秘书一处的事项",
        owner_unit=office.mishu,
        actor=office.secretary,
    )
    client.force_login(office.secretary)
    html = client.get(reverse("instructions:give", args=[case.pk])).content.decode()
    assert 'name="leader"' in html
    assert give(client, case).status_code == 400  # the leader must be named
    assert give(client, case, leader=office.deputy.pk).status_code == 302
    i = Instruction.objects.get()
    assert i.leader == office.deputy and i.recorded_by == office.secretary
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "秘书甲代录" in html


def _page_queries(client, office, case, n):
    for k in range(n):
        instruction_create(
            actor=office.mayor,
            leader=office.mayor,
            text=f"批示{k}",
            case=case,
            units=[office.nongjing, office.bureau],
        )
    client.force_login(office.mayor)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_the_panel_costs_a_fixed_number_of_queries(client, office, incoming):
    few = _page_queries(client, office, incoming, 1)
    many = _page_queries(client, office, incoming, 6)
    assert few == many, (few, many)


def test_the_panel_lists_the_latest_and_counts_the_earlier(client, office, incoming, monkeypatch):
    from zhengban.instructions import selectors

    monkeypatch.setattr(selectors, "PANEL_LIMIT", 3)
    five = _page_queries(client, office, incoming, 5)
    html = client.get(reverse("cases:detail", args=[incoming.pk])).content.decode()
    assert html.count('data-testid="instruction"') == 3
    assert "另有更早的批示2条" in html and "批示4" in html and "批示1" not in html
    eight = _page_queries(client, office, incoming, 3)
    assert five == eight, (five, eight)


def test_at_a_workflow_step_that_records_the_instruction_the_panel_points_to_it(
    client, office, instructed_type
):
    from zhengban.cases import services

    case = services.case_create(
        case_type="test_instructed", title="请示", owner_unit=office.mishu, actor=office.secretary
    )
    client.force_login(office.deputy)  # 批示 is a step of the leader's: no second form
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="instruct-step"' in html
    assert 'data-testid="instruction-form-box"' not in html
    client.force_login(office.secretary)  # no step of theirs: the panel offers 代录
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="instruction-form-box"' in html
    form = client.get(reverse("instructions:give", args=[case.pk])).content.decode()
    assert 'data-testid="instruction-form"' in form and 'name="leader"' in form
