"""A business app plugs a case type in whole: its own detail model, create form, panel,
search text, filter, list column, audit namespace and number series — proven here with a
second type declared by the test (a 建议提案-like item)."""

import dataclasses
import io

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.template import Template
from django.urls import reverse
from openpyxl import load_workbook

from zhengban.audit.models import AuditRecord
from zhengban.cases import search, workflows
from zhengban.cases.casetypes import (
    CaseType,
    Column,
    Filter,
    Panel,
    register_case_type,
    unregister_case_type,
)
from zhengban.cases.models import Case

CHANNELS = (("npc", "人大代表建议"), ("cppcc", "政协委员提案"))


def _declare():
    """The model and the type, declared per test and forgotten after it, so no other test
    sees a model whose table exists only here."""

    class Proposal(models.Model):
        case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="test_proposal")
        proposer = models.CharField("提出人", max_length=40)
        channel = models.CharField("类别", max_length=8, choices=CHANNELS)

        class Meta:
            app_label = "cases"

    class ProposalForm(forms.ModelForm):
        class Meta:
            model = Proposal
            fields = ["proposer", "channel"]

    panel = Template('<p data-testid="proposer">{{ detail.proposer }}</p>')
    return CaseType(
        workflow=dataclasses.replace(
            workflows.ASSIGNED_TASK.workflow, case_type="test_proposal", number_prefix="测提"
        ),
        detail_model=Proposal,
        create_form=ProposalForm,
        panels=(Panel("建议提案信息", panel),),
        search_text=lambda case: case.test_proposal.proposer,
        filters=(Filter("channel", "类别", "test_proposal__channel", choices=CHANNELS),),
        columns=(Column("proposer", "提出人", "test_proposal.proposer", select="test_proposal"),),
        body_label="建议内容",
    )


@pytest.fixture
def proposals(transactional_db):
    declared = _declare()
    with connection.schema_editor() as editor:
        editor.create_model(declared.detail_model)
    register_case_type(declared)
    yield declared
    unregister_case_type("test_proposal")
    with connection.schema_editor() as editor:
        editor.delete_model(declared.detail_model)
    del apps.all_models["cases"]["proposal"]
    apps.clear_cache()


def create(client, office, **detail):
    client.force_login(office.clerk)
    return client.post(
        reverse("api-cases:list"),
        {
            "case_type": "test_proposal",
            "title": "关于加快老旧小区加装电梯的建议",
            "owner_unit": office.duchashi.pk,
            "detail": detail,
        },
        content_type="application/json",
    )


def test_a_second_type_plugs_in_whole(client, office, proposals):
    response = create(client, office, proposer="王代表", channel="npc")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.number.startswith("测提〔") and case.test_proposal.proposer == "王代表"
    assert AuditRecord.objects.filter(action="test_proposal.create").exists()
    other = create(client, office, proposer="李委员", channel="cppcc").json()
    # Its search text: the proposer is found although neither title nor body names him.
    found = search.search_filter(Case.objects.all(), "王代表")
    assert list(found.values_list("pk", flat=True)) == [case.pk]
    # Its filter and column in the inbox, the API list and the export.
    url = reverse("cases:inbox") + "?tab=mine_created&case_type=test_proposal&x_channel=npc"
    html = client.get(url).content.decode()
    assert case.number in html and other["number"] not in html
    assert "<th>提出人</th>" in html and "<td>王代表</td>" in html
    api = client.get(
        reverse("api-cases:list") + "?tab=mine_created&case_type=test_proposal&x_channel=cppcc"
    ).json()
    assert [(r["number"], r["type_fields"]) for r in api["results"]] == [
        (other["number"], {"proposer": "李委员"})
    ]
    export = client.get(reverse("cases:inbox_export") + "?tab=mine_created&case_type=test_proposal")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][-1] == "提出人" and {r[-1] for r in rows[1:]} == {"王代表", "李委员"}
    # Its panel on the case page, and its own name for the body there and in its forms.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<p data-testid="proposer">王代表</p>' in page and "建议提案信息" in page
    assert '<h2 style="margin-top:0">建议内容' in page
    form = client.get(reverse("cases:create") + "?type=test_proposal").content.decode()
    assert '<label for="id_body">建议内容' in form


def test_invalid_detail_is_a_400_and_creates_nothing(client, office, proposals):
    response = create(client, office, proposer="王代表", channel="unknown")
    assert response.status_code == 400 and "detail" in response.json()
    assert not Case.objects.exists()


def test_duplicate_prefixes_or_series_are_refused_at_registration(proposals):
    clash = dataclasses.replace(
        proposals,
        workflow=dataclasses.replace(proposals.workflow, case_type="test_clash"),
        detail_model=None,
    )
    with pytest.raises(ImproperlyConfigured, match="编号前缀"):
        register_case_type(clash)
    same_series = dataclasses.replace(
        clash,
        workflow=dataclasses.replace(clash.workflow, number_prefix="测冲"),
        number_series="test_proposal",
    )
    with pytest.raises(ImproperlyConfigured, match="编号序列"):
        register_case_type(same_series)


def test_a_type_may_restrict_who_registers_it(client, office, proposals):
    import dataclasses as dc

    from zhengban.cases.casetypes import _TYPES

    _TYPES["test_proposal"] = dc.replace(proposals, create_roles=frozenset({"clerk"}))
    response = create(client, office, proposer="王代表", channel="npc")
    assert response.status_code == 403 and "只有文书可以登记" in response.json()["detail"]
    assert client.get(reverse("cases:create") + "?type=test_proposal").status_code == 403
    assert "test_proposal" not in client.get(reverse("cases:create")).content.decode()
    assert not Case.objects.exists()
