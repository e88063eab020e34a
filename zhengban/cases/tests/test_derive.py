"""派生: a case of one type started from a case of another (收文 → 督办, 签报 → 发文), and
panels other apps add to every case page (the 批示 given on a case)."""

import dataclasses

import pytest
from django.template import Template
from django.urls import reverse

from zhengban.accounts.choices import Clearance
from zhengban.cases import services, workflows
from zhengban.cases.casetypes import (
    _PANELS,
    CaseType,
    Panel,
    register_case_type,
    register_panel,
    unregister_case_type,
)
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Case
from zhengban.org.models import Unit


def _followup(**kwargs):
    return CaseType(
        workflow=dataclasses.replace(
            workflows.ASSIGNED_TASK.workflow,
            case_type="test_followup",
            label="测试督办",
            number_prefix="测督",
        ),
        **kwargs,
    )


@pytest.fixture
def followup(db):
    declared = register_case_type(
        _followup(
            sources=frozenset({"assigned_task"}),
            prefill=lambda source: {"title": f"督办：{source.title}", "body": source.body},
        )
    )
    yield declared
    unregister_case_type("test_followup")


def source_case(office, **kwargs):
    return services.case_create(
        case_type="assigned_task",
        title="关于做好冬季供暖保障工作的通知",
        body="请各单位抓好落实。",
        owner_unit=office.duchashi,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
        **kwargs,
    )


def test_a_case_is_started_from_another_and_both_pages_link(client, office, followup):
    source = source_case(office)
    client.force_login(office.head)
    page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
    start = f"{reverse('cases:create')}?type=test_followup&amp;from={source.pk}"
    assert start in page and "发起测试督办" in page
    url = f"{reverse('cases:create')}?type=test_followup&from={source.pk}"
    form = client.get(url).content.decode()
    assert 'value="督办：关于做好冬季供暖保障工作的通知"' in form and source.number in form
    response = client.post(
        url,
        {
            "title": "督办：关于做好冬季供暖保障工作的通知",
            "body": "",
            "urgency": "normal",
            "sensitivity": Clearance.INTERNAL,
            "owner_unit": office.duchashi.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    child = Case.objects.get(case_type="test_followup")
    assert child.parent == source
    assert source.events.last().action == "derive"
    assert source.events.last().data["child"] == child.number
    page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
    assert child.number in page
    page = client.get(reverse("cases:detail", args=[child.pk])).content.decode()
    assert 'data-testid="source"' in page and source.number in page


def test_derive_is_refused_without_access_or_for_a_type_that_does_not_accept_it(
    client, office, followup
):
    source = source_case(office)
    url = f"{reverse('cases:create')}?type=test_followup&from={source.pk}"
    client.force_login(office.outsider)  # cannot read the source
    assert client.get(url).status_code == 404
    with pytest.raises(PermissionRefused):
        services.case_create(
            case_type="test_followup",
            title="x",
            owner_unit=Unit.objects.get(name="保卫处"),
            actor=office.outsider,
            parent=source,
        )
    other = services.case_create(
        case_type="test_followup", title="另一督办", owner_unit=office.duchashi, actor=office.clerk
    )
    with pytest.raises(GuardFailed):  # 交办事项 does not accept a 测试督办 as its source
        services.case_create(
            case_type="assigned_task",
            title="x",
            owner_unit=office.duchashi,
            actor=office.clerk,
            parent=other,
        )
    client.force_login(office.clerk)
    url = f"{reverse('cases:create')}?type=assigned_task&from={other.pk}"
    assert client.get(url).status_code == 403
    assert client.get(f"{reverse('cases:create')}?type=assigned_task&from=²").status_code == 400


def test_the_api_takes_a_parent(client, office, followup):
    source = source_case(office)
    client.force_login(office.clerk)
    payload = {"case_type": "test_followup", "title": "督办件", "owner_unit": office.duchashi.pk}
    created = client.post(
        reverse("api-cases:list"), {**payload, "parent": source.pk}, "application/json"
    )
    assert created.status_code == 201, created.content
    assert Case.objects.get(pk=created.json()["id"]).parent == source
    client.force_login(office.outsider)
    denied = client.post(
        reverse("api-cases:list"),
        {**payload, "owner_unit": office.duchashi.pk, "parent": source.pk},
        "application/json",
    )
    assert denied.status_code in (403, 404)


def test_a_panel_registered_for_every_case_shows_on_each_page(client, office):
    panel = Panel(
        "领导批示",
        Template('<p data-testid="everywhere">{{ extra.n }}</p>'),
        lambda u, c, d: {"n": 7},
    )
    register_panel(panel)
    try:
        source = source_case(office)
        client.force_login(office.clerk)
        page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
        assert '<p data-testid="everywhere">7</p>' in page and "领导批示" in page
    finally:
        _PANELS[:] = [(p, t) for p, t in _PANELS if p is not panel]
    page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
    assert "everywhere" not in page


def test_a_source_type_names_the_states_it_may_be_derived_from(client, office):
    source_type = register_case_type(
        CaseType(
            workflow=dataclasses.replace(
                workflows.ASSIGNED_TASK.workflow,
                case_type="test_src",
                label="测试来源",
                number_prefix="测源",
            ),
            derive_states=frozenset({"closed"}),
        )
    )
    register_case_type(_followup(sources=frozenset({"test_src"})))
    try:
        source = services.case_create(
            case_type=source_type.code, title="草稿", owner_unit=office.duchashi, actor=office.clerk
        )
        client.force_login(office.clerk)
        page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
        assert "derive-test_followup" not in page  # a draft starts nothing
        url = f"{reverse('cases:create')}?type=test_followup&from={source.pk}"
        assert client.get(url).status_code == 403
        with pytest.raises(GuardFailed):
            services.case_create(
                case_type="test_followup",
                title="x",
                owner_unit=office.duchashi,
                actor=office.clerk,
                parent=source,
            )
        Case.objects.filter(pk=source.pk).update(state="closed", closed=True)
        source.refresh_from_db()
        page = client.get(reverse("cases:detail", args=[source.pk])).content.decode()
        assert "derive-test_followup" in page and client.get(url).status_code == 200
    finally:
        unregister_case_type("test_followup")
        unregister_case_type("test_src")
