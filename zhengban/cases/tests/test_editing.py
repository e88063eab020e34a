"""State semantics: what may still change in each state, versions with their difference
(修改留痕), and who may edit."""

import pytest
from django.urls import reverse

from zhengban.cases import errors, services

from .test_kernel import new_case, perform, to_handling


def test_the_drafter_edits_after_a_send_back_and_the_page_shows_the_difference(client, office):
    case = new_case(office, body="请农经处牵头抓好落实。")
    perform(case, "submit", office.clerk)
    perform(case, "send_back", office.head, comment="请写明完成时限")
    case.refresh_from_db()
    client.force_login(office.clerk)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="edit"' in page
    response = client.post(
        reverse("cases:edit", args=[case.pk]),
        {
            "version": case.version,
            "title": case.title,
            "body": "请农经处牵头，于12月底前抓好落实。",
            "urgency": "urgent",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.body == "请农经处牵头，于12月底前抓好落实。" and case.urgency == "urgent"
    event = case.events.get(action="update")
    assert event.data["changes"]["body"] == ["请农经处牵头抓好落实。", case.body]
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    revisions = page.split('data-testid="revisions"')[1].split("</ol>")[0]
    assert "<ins>，于12月底前</ins>" in revisions


def test_nothing_but_files_changes_once_the_case_is_being_handled(client, office):
    case = to_handling(office)
    with pytest.raises(errors.TransitionNotAllowed, match="不能再修改"):
        services.case_update(
            case=case,
            actor=office.clerk,
            version=case.version,
            title="改了标题",
            body=case.body,
            urgency=case.urgency,
        )
    client.force_login(office.clerk)
    assert client.get(reverse("cases:edit", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.title != "改了标题"


def test_a_unit_handling_the_case_may_not_edit_its_text(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    perform(case, "assign", office.head, params={"lead_unit": office.nongjing})
    case.refresh_from_db()
    with pytest.raises(errors.PermissionRefused):
        services.case_update(
            case=case,
            actor=office.farmer,
            version=case.version,
            title="x",
            body="",
            urgency="normal",
        )


def test_the_api_edits_with_the_version_lock(client, office):
    case = new_case(office)
    client.force_login(office.clerk)
    url = reverse("api-cases:detail", args=[case.pk])
    response = client.patch(
        url, {"version": case.version, "title": "新标题"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["title"] == "新标题"
    stale = client.patch(
        url, {"version": case.version, "title": "又一个"}, content_type="application/json"
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "version_conflict")
    refused = client.patch(url, {"version": "x"}, content_type="application/json")
    assert refused.status_code == 400
