"""The REST API of the case kernel: permission matrix of every endpoint, list filters and
bounded queries, detail, create, actions with their error codes, comments, opinions,
assignments, attachments, and the OpenAPI schema."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import Clearance
from zhengban.cases import services
from zhengban.cases.models import Case, CaseEvent, Delegation, Task

from .test_kernel import new_case, perform, to_handling
from .test_views import count_queries, make_cases, make_handling, snapshot, text_file


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"


@pytest.fixture
def handling(office):
    return make_handling(office)


def api(client, user):
    client.force_login(user)
    return client


def lead_of(case):
    return case.assignments.get(role="lead")


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


# (name, method, url builder, body builder, multipart) of every endpoint about one case.
ENDPOINTS = [
    ("detail", "get", lambda c: reverse("api-cases:detail", args=[c.pk]), None),
    (
        "action",
        "post",
        lambda c: reverse("api-cases:action", args=[c.pk, "extend"]),
        lambda c: {"version": c.version, "comment": "工作量大"},
    ),
    (
        "action-kernel",
        "post",
        lambda c: reverse("api-cases:action", args=[c.pk, "circulate"]),
        lambda c: {"version": c.version, "params": {"users": [c.creator_id]}},
    ),
    ("comments", "get", lambda c: reverse("api-cases:comments", args=[c.pk]), None),
    (
        "comment-add",
        "post",
        lambda c: reverse("api-cases:comments", args=[c.pk]),
        lambda c: {"text": "越权评论"},
    ),
    (
        "opinion",
        "post",
        lambda c: reverse("api-cases:task_opinion", args=[c.pk, c.tasks.get(kind="circulate").pk]),
        lambda c: {"opinion": "read"},
    ),
    (
        "assignment",
        "post",
        lambda c: reverse("api-cases:assignment", args=[c.pk, lead_of(c).pk, "report"]),
        lambda c: {"report": "越权反馈"},
    ),
    ("attachments", "get", lambda c: reverse("api-cases:attachments", args=[c.pk]), None),
    (
        "attachment-add",
        "post",
        lambda c: reverse("api-cases:attachments", args=[c.pk]),
        lambda c: {"file": text_file("越权.txt")},
    ),
    (
        "download",
        "get",
        lambda c: reverse("api-cases:attachment_download", args=[c.pk, c.attachments.get().pk]),
        None,
    ),
]
IDS = [e[0] for e in ENDPOINTS]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    if "file" in body:
        return client.post(url, body)  # multipart
    return post_json(client, url, body)


@pytest.mark.parametrize("who", ["outsider", "low", "sysadmin"])
@pytest.mark.parametrize("name,method,url,body", ENDPOINTS, ids=IDS)
def test_users_without_access_get_404_and_change_nothing(
    client, office, handling, who, name, method, url, body
):
    api(client, getattr(office, who))
    before = snapshot()
    response = call(client, method, url(handling), body(handling) if body else None)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert handling.title not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name,method,url,body", ENDPOINTS, ids=IDS)
def test_anonymous_gets_403_and_changes_nothing(client, handling, name, method, url, body):
    before = snapshot()
    response = call(client, method, url(handling), body(handling) if body else None)
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


def test_anonymous_cannot_list_or_create(client, office):
    assert client.get(reverse("api-cases:list")).status_code == 403
    response = post_json(
        client,
        reverse("api-cases:list"),
        {"case_type": "assigned_task", "title": "x", "owner_unit": office.duchashi.pk},
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


# --- list ------------------------------------------------------------------------------------


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_list_is_what_the_user_may_see(client, office, handling):
    other = new_case(office, title="督查室自办", sensitivity=Clearance.PUBLIC)
    api(client, office.farmer)
    assert numbers(client.get(reverse("api-cases:list"))) == [handling.number]
    api(client, office.clerk)
    assert set(numbers(client.get(reverse("api-cases:list")))) == {handling.number, other.number}
    api(client, office.low)
    assert numbers(client.get(reverse("api-cases:list"))) == [other.number]
    api(client, office.sysadmin)
    assert numbers(client.get(reverse("api-cases:list"))) == []


def test_list_rows(client, office, handling):
    Case.objects.filter(pk=handling.pk).update(due_date=timezone.localdate())
    api(client, office.teacher)
    row = client.get(reverse("api-cases:list")).json()["results"][0]
    assert row["lead_unit"] == "农经处"
    assert row["my_task"] == "承办"  # 文教处's part as co-unit comes before the 传阅
    assert row["state_label"] == "办理中"
    assert row["owner_unit"] == {"id": office.duchashi.pk, "name": "市政府督查室"}
    assert (row["overdue"], row["due_soon"]) == (False, True)
    assert row["version"] == handling.version


def test_list_filters_tabs_search_and_sorting(client, office, handling):
    urgent = new_case(office, title="防汛物资调拨", urgency="urgent")
    api(client, office.clerk)
    url = reverse("api-cases:list")
    assert numbers(client.get(url + "?q=防汛")) == [urgent.number]
    assert numbers(client.get(url + "?urgency=urgent")) == [urgent.number]
    assert numbers(client.get(url + "?state=handling")) == [handling.number]
    assert numbers(client.get(url + "?tab=unit&sort=-created")) == [
        urgent.number,
        handling.number,
    ]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Case.objects.filter(pk=urgent.pk).update(due_date=yesterday)
    assert numbers(client.get(url + "?tab=overdue")) == [urgent.number]
    response = client.get(url + "?sensitivity=9")
    assert response.status_code == 400
    assert "sensitivity" in response.json()


def test_list_is_paginated(client, office):
    make_cases(office, 3)
    api(client, office.farmer)
    page = client.get(reverse("api-cases:list") + "?limit=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


# Session, user, roles, memberships, led units, delegations, unit filter choices, count,
# rows, the rows' lead units and task kinds, and the session save in a savepoint.
LIST_QUERIES = 12


def test_list_queries_do_not_grow_with_the_data(client, office, django_assert_num_queries):
    make_cases(office, 5)
    api(client, office.farmer)
    url = reverse("api-cases:list") + "?tab=unit"
    client.get(url)
    small, _sql = count_queries(client, url)
    make_cases(office, 45, start=5)
    large, sql = count_queries(client, url)
    assert small == large, "\n".join(sql)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert len(response.json()["results"]) == 50


# --- detail ----------------------------------------------------------------------------------


def test_detail(client, office, handling):
    api(client, office.farmer)
    data = client.get(reverse("api-cases:detail", args=[handling.pk])).json()
    assert data["number"] == handling.number
    assert "党政机关公文处理工作条例" in data["deadline_basis"]
    assert [(a["unit"]["name"], a["role"]) for a in data["assignments"]] == [
        ("农经处", "lead"),
        ("文教处", "co"),
    ]
    # 起草 and 审核 are done; each unit has its part (承办); the 传阅 is open.
    assert [(t["kind"], t["state"]) for t in data["tasks"]] == [
        ("draft", "done"),
        ("review", "done"),
        ("assignment", "open"),
        ("assignment", "open"),
        ("circulate", "open"),
    ]
    assert [e["action"] for e in data["events"]] == [
        "create",
        "submit",
        "assign",
        "attachment.add",
        "circulate",
    ]
    assert data["events"][2]["label"] == "交办"
    assert [a["code"] for a in data["available_actions"]] == ["complete"]


def test_detail_marks_my_circulation_read(client, office, handling):
    api(client, office.teacher)
    client.get(reverse("api-cases:detail", args=[handling.pk]))
    assert handling.tasks.get(kind="circulate").read_at is not None


def test_detail_shows_who_acted_for_whom(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=office.head, delegate=office.farmer, start=today, end=today, reason="出差"
    )
    case.refresh_from_db()
    api(client, office.farmer)
    response = post_json(
        client,
        reverse("api-cases:action", args=[case.pk, "send_back"]),
        {"version": case.version, "comment": "代为退回"},
    )
    assert response.status_code == 200, response.content
    event = response.json()["events"][-1]
    assert (event["actor"], event["on_behalf_of"], event["label"]) == ("farmer", "head", "退回修改")


# --- create ----------------------------------------------------------------------------------


def test_create(client, office):
    api(client, office.clerk)
    response = post_json(
        client,
        reverse("api-cases:list"),
        {
            "case_type": "assigned_task",
            "title": "关于加强冬季供暖保障的交办",
            "body": "请落实。",
            "urgency": "extra_urgent",
            "sensitivity": 1,
            "owner_unit": office.duchashi.pk,
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["state"], data["urgency_label"], data["version"]) == ("draft", "特急", 1)
    assert [a["code"] for a in data["available_actions"]] == ["submit"]


@pytest.mark.parametrize(
    "who,change,status,code",
    [
        ("clerk", {"owner_unit": "nongjing"}, 403, "permission_denied"),
        ("low", {"sensitivity": 1}, 403, "permission_denied"),
        ("sysadmin", {}, 403, "permission_denied"),
        ("leader", {"sensitivity": 2, "body": "正文"}, 400, "classified_content_refused"),
        ("clerk", {"case_type": "nothing"}, 400, "invalid"),
        ("clerk", {"title": "  "}, 400, "invalid"),
    ],
)
def test_create_refusals(client, office, settings, who, change, status, code):
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    body = {
        "case_type": "assigned_task",
        "title": "事项",
        "body": "",
        "sensitivity": 0,
        "owner_unit": office.duchashi.pk,
    }
    body.update(change)
    if body["owner_unit"] == "nongjing":
        body["owner_unit"] = office.nongjing.pk
    api(client, getattr(office, who))
    response = post_json(client, reverse("api-cases:list"), body)
    assert response.status_code == status, response.content
    assert response.json().get("code", "invalid") == code
    assert not Case.objects.exists()


def test_classified_register_without_body_is_accepted(client, office, settings):
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    api(client, office.leader)
    response = post_json(
        client,
        reverse("api-cases:list"),
        {
            "case_type": "assigned_task",
            "title": "某密件登记",
            "sensitivity": 2,
            "owner_unit": office.duchashi.pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["sensitivity_label"] == "秘密"


# --- actions ---------------------------------------------------------------------------------


def action(client, case, code, **body):
    return post_json(client, reverse("api-cases:action", args=[case.pk, code]), body)


def test_assign_with_unit_ids(client, office):
    case = new_case(office)
    perform(case, "submit", office.clerk)
    case.refresh_from_db()
    api(client, office.head)
    response = action(
        client,
        case,
        "assign",
        version=case.version,
        params={"lead_unit": office.nongjing.pk, "co_units": [office.wenjiao.pk]},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "handling" and data["version"] == case.version + 1
    assert {a["unit"]["name"]: a["role"] for a in data["assignments"]} == {
        "农经处": "lead",
        "文教处": "co",
    }


def test_action_error_codes_and_nothing_changes(client, office):
    case = new_case(office, body="")
    api(client, office.clerk)
    before = snapshot()
    response = action(client, case, "submit", version=case.version)
    assert (response.status_code, response.json()["code"]) == (400, "guard_failed")
    assert "事项内容" in response.json()["detail"]
    response = action(client, case, "confirm", version=case.version)
    assert (response.status_code, response.json()["code"]) == (400, "transition_not_allowed")
    response = action(client, case, "nonsense", version=case.version)
    assert (response.status_code, response.json()["code"]) == (400, "transition_not_allowed")
    response = action(client, case, "cancel", version=case.version, comment="不办了")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    response = action(client, case, "submit", version=case.version + 5)
    assert (response.status_code, response.json()["code"]) == (409, "version_conflict")
    response = action(client, case, "submit")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert snapshot() == before


def test_same_version_twice_is_a_conflict(client, office):
    case = new_case(office)
    api(client, office.clerk)
    assert action(client, case, "submit", version=case.version).status_code == 200
    before = snapshot()
    response = action(client, case, "submit", version=case.version)
    assert (response.status_code, response.json()["code"]) == (409, "version_conflict")
    assert snapshot() == before


def test_kernel_actions(client, office):
    case = new_case(office)
    api(client, office.clerk)
    response = action(
        client,
        case,
        "transfer",
        version=case.version,
        params={"to_user": office.head.pk},
        comment="请处长阅处",
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["name"] == "head"
    response = action(client, case, "withdraw", version=response.json()["version"])
    assert response.json()["assignee"]["name"] == "clerk"
    response = action(
        client,
        case,
        "consult",
        version=response.json()["version"],
        params={"users": [office.low.pk]},
        comment="请提意见",
    )
    assert (response.status_code, response.json()["code"]) == (400, "guard_failed")
    # The picker offers only people cleared for the case, so the low user is not a choice.
    assert response.json()["detail"].startswith("征求意见人：")


def test_comments_and_classified_content(client, office, handling, settings):
    api(client, office.farmer)
    url = reverse("api-cases:comments", args=[handling.pk])
    response = post_json(client, url, {"text": "请尽快落实"})
    assert response.status_code == 201
    assert [c["text"] for c in client.get(url).json()] == ["请尽快落实"]
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    register = new_case(office, actor=office.leader, sensitivity=Clearance.SECRET, body="")
    api(client, office.leader)
    response = post_json(
        client, reverse("api-cases:comments", args=[register.pk]), {"text": "正文"}
    )
    assert (response.status_code, response.json()["code"]) == (400, "classified_content_refused")


def test_task_opinion(client, office, handling):
    task = handling.tasks.get(kind="circulate")
    api(client, office.teacher)
    url = reverse("api-cases:task_opinion", args=[handling.pk, task.pk])
    response = post_json(client, url, {"opinion": "read"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["opinion"]) == ("done", "read")
    response = post_json(client, url, {"opinion": "read"})
    assert (response.status_code, response.json()["code"]) == (409, "version_conflict")
    api(client, office.farmer)  # sees the case, but it is not his task
    other = services.case_circulate(
        case=Case.objects.get(pk=handling.pk),
        actor=office.head,
        version=Case.objects.get(pk=handling.pk).version,
        users=[office.deputy],
    )[0]
    before = snapshot()
    response = post_json(
        client, reverse("api-cases:task_opinion", args=[handling.pk, other.pk]), {"opinion": "read"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert snapshot() == before


def test_task_of_another_case_is_404(client, office, handling):
    other = to_handling(office)
    task = services.case_circulate(
        case=other, actor=office.head, version=other.version, users=[office.teacher]
    )[0]
    api(client, office.teacher)
    url = reverse("api-cases:task_opinion", args=[handling.pk, task.pk])
    assert post_json(client, url, {"opinion": "read"}).status_code == 404
    assert Task.objects.get(pk=task.pk).state == "open"


def test_assignment_report_and_reassign(client, office, handling):
    lead = lead_of(handling)
    api(client, office.farmer)
    url = reverse("api-cases:assignment", args=[handling.pk, lead.pk, "report"])
    response = post_json(client, url, {"report": "已部署"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["report"]) == ("reported", "已部署")
    response = post_json(client, url, {"report": "再报"})
    assert (response.status_code, response.json()["code"]) == (409, "version_conflict")
    co = handling.assignments.get(role="co")
    api(client, office.head)
    response = post_json(
        client,
        reverse("api-cases:assignment", args=[handling.pk, co.pk, "reassign"]),
        {"unit": office.education.pk, "reason": "属教育局职责"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["unit"]["name"] == "市教育局"
    bad = reverse("api-cases:assignment", args=[handling.pk, co.pk, "explode"])
    assert post_json(client, bad, {}).status_code == 404


def test_attachments_list_upload_download(client, office, handling):
    api(client, office.farmer)
    url = reverse("api-cases:attachments", args=[handling.pk])
    response = client.post(url, {"file": text_file("补充材料.txt", "补充")})
    assert response.status_code == 201, response.content
    listed = client.get(url).json()
    assert [a["name"] for a in listed] == ["情况报告.txt", "补充材料.txt"]
    download = client.get(listed[1]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "补充".encode()
    refused = client.post(url, {"file": text_file("病毒.exe", "MZ")})
    assert refused.status_code == 400
    assert refused.json()["code"] == "attachment_refused"


def test_schema_has_no_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/cases/",
        "/api/cases/{id}/actions/{code}/",
        "/api/cases/{id}/tasks/{task_pk}/opinion/",
    ):
        assert f"  {path}:" in text


def test_events_are_not_written_by_reads(client, office, handling):
    before = CaseEvent.objects.count()
    api(client, office.farmer)
    client.get(reverse("api-cases:detail", args=[handling.pk]))
    client.get(reverse("api-cases:list"))
    assert CaseEvent.objects.count() == before
