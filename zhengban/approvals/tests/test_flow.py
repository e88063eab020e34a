"""签报 through the kernel: 拟稿 → 处室审核 → 呈批 → each leader's 审批 in turn → 已批准 or
不予批准 → 归档; the refusals of each step, the leaders' 待办 at their turn only, a leader's
退回 and the turns starting again, and nothing editable once decided."""

import pytest
from django.urls import reverse

from zhengban.approvals.models import ApprovalCategory, ApprovalRequest, Outcome
from zhengban.cases import services
from zhengban.cases.choices import TaskKind, TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused, TransitionNotAllowed
from zhengban.cases.models import Case, CaseSlot, Task

from .conftest import BODY, TITLE, draft, perform, to_leaders


def todo_numbers(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("api-cases:list") + "?tab=todo")
    assert response.status_code == 200
    return {row["number"] for row in response.json()["results"]}


def test_drafted_through_the_page_with_its_fields(client, office):
    client.force_login(office.drafter)
    page = client.get(reverse("cases:create") + "?type=approval").content.decode()
    assert 'name="d-proposal"' in page and "工作部署" in page
    response = client.post(
        reverse("cases:create") + "?type=approval",
        {
            "title": TITLE,
            "body": BODY,
            "urgency": "urgent",
            "sensitivity": "1",
            "owner_unit": str(office.zonghe.pk),
            "d-category": str(ApprovalCategory.objects.get(code="funding").pk),
            "d-proposal": "拟同意安排专项经费120万元。",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get(case_type="approval")
    assert case.number.startswith("签〔") and case.state == "draft"
    assert (case.approval.category.name, case.approval.outcome) == ("经费", Outcome.PENDING)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "签报信息" in html and "拟同意安排专项经费120万元。" in html
    assert "尚未呈批" in html
    # 拟办意见 is required.
    response = client.post(
        reverse("cases:create") + "?type=approval",
        {
            "title": "另一件签报",
            "body": "一、情况",
            "urgency": "normal",
            "sensitivity": "1",
            "owner_unit": str(office.zonghe.pk),
            "d-category": str(ApprovalCategory.objects.get(code="other").pk),
            "d-proposal": "",
        },
    )
    assert response.status_code == 400 and Case.objects.count() == 1


def test_two_leaders_in_order_with_a_return_and_a_resubmission(client, office):
    case = draft(office)
    assert todo_numbers(client, office.drafter) == {case.number}
    perform(case, "submit", office.drafter)
    # Only the drafting division's head 审核s: not a colleague, not another division.
    for outsider in (office.colleague, office.outsider, office.leader1):
        with pytest.raises(PermissionRefused):
            perform(case, "endorse", outsider, comment="同意。")
    assert todo_numbers(client, office.head) == {case.number}
    assert case.number not in todo_numbers(client, office.colleague)
    perform(case, "endorse", office.head, comment="情况属实，建议同意。")
    perform(
        case, "route", office.head, params={"leader_1": office.leader1, "leader_2": office.leader2}
    )
    case.refresh_from_db()
    assert case.state == "approving"
    # Only the first leader has it in 待办, and only they may 审批.
    assert case.number in todo_numbers(client, office.leader1)
    assert case.number not in todo_numbers(client, office.leader2)
    for code in ("approve", "leader_return", "refuse"):
        with pytest.raises(PermissionRefused):
            perform(case, code, office.leader2, comment="同意。")
    with pytest.raises(GuardFailed):  # an opinion is required
        perform(case, "approve", office.leader1)
    perform(case, "approve", office.leader1, comment="同意，请陈副市长审批。")
    case.refresh_from_db()
    assert case.state == "approving" and case.approval.outcome == Outcome.PENDING
    assert case.number not in todo_numbers(client, office.leader1)
    assert case.number in todo_numbers(client, office.leader2)
    with pytest.raises(PermissionRefused):  # their turn is done
        perform(case, "approve", office.leader1, comment="同意。")

    # The second leader returns it: back to the drafter, with the reason.
    with pytest.raises(GuardFailed):
        perform(case, "leader_return", office.leader2)
    perform(case, "leader_return", office.leader2, comment="请补充经费测算依据。")
    case.refresh_from_db()
    assert case.state == "draft"
    assert todo_numbers(client, office.drafter) == {case.number}
    assert case.number not in todo_numbers(client, office.leader2)
    services.case_update(
        case=case,
        actor=office.drafter,
        version=case.version,
        title=case.title,
        body=BODY + "\n三、经费测算\n冲锋舟每艘8万元，救生衣每件100元。",
        urgency=case.urgency,
    )

    # Resubmitted: reviewed and 呈批 again; the turns start from the first leader.
    to_leaders(office, case, office.leader1, office.leader2)
    case.refresh_from_db()
    assert case.state == "approving"
    assert CaseSlot.objects.filter(case=case, done_at__isnull=False).count() == 0
    assert case.number in todo_numbers(client, office.leader1)
    assert case.number not in todo_numbers(client, office.leader2)
    with pytest.raises(PermissionRefused):
        perform(case, "approve", office.leader2, comment="同意。")
    perform(case, "approve", office.leader1, comment="同意。")
    perform(case, "approve", office.leader2, comment="同意。请市应急管理局抓紧采购。")
    case.refresh_from_db()
    detail = ApprovalRequest.objects.get(case=case)
    assert case.state == "approved" and case.closed
    assert (detail.outcome, detail.decided_by) == (Outcome.APPROVED, office.leader2)
    assert detail.outcome_note == "同意。请市应急管理局抓紧采购。" and detail.decided_at
    assert not Task.objects.filter(case=case, state=TaskState.OPEN).exists()
    # Each leader's 审批 is a 批示 on a 呈批件 in the 批示件台账 (the 退回 is not).
    from zhengban.instructions.models import Instruction

    given = Instruction.objects.filter(case=case).order_by("pk")
    assert [(i.leader_id, i.text) for i in given] == [
        (office.leader1.pk, "同意，请陈副市长审批。"),
        (office.leader1.pk, "同意。"),
        (office.leader2.pk, "同意。请市应急管理局抓紧采购。"),
    ]
    approvals = Task.objects.filter(case=case, kind=TaskKind.APPROVE).order_by("pk")
    assert [t.assignee_id for t in approvals] == [office.leader1.pk, office.leader2.pk] * 2

    # The panel lists both rounds' opinions in order.
    client.force_login(office.drafter)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    first = html.index("同意，请陈副市长审批。")
    returned = html.index("请补充经费测算依据。")
    second = html.index("同意。请市应急管理局抓紧采购。")
    assert first < returned < second
    assert "第2次呈批" in html and "情况属实，建议同意。" in html

    # Decided: nothing is editable, by anyone.
    for actor in (office.drafter, office.head, office.leader1):
        case.refresh_from_db()
        with pytest.raises((TransitionNotAllowed, PermissionRefused)):
            services.case_update(
                case=case,
                actor=actor,
                version=case.version,
                title="改过的事由",
                body=case.body,
                urgency=case.urgency,
            )
    assert client.get(reverse("cases:edit", args=[case.pk])).status_code == 403
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengban.cases.attachments import attachment_add

    with pytest.raises(TransitionNotAllowed):
        attachment_add(
            case=case,
            actor=office.drafter,
            uploaded_file=SimpleUploadedFile("补充.txt", "补充".encode(), "text/plain"),
        )
    perform(case, "archive", office.drafter)
    case.refresh_from_db()
    assert case.state == "archived"


def test_a_leader_may_refuse_with_a_reason(office):
    case = to_leaders(office, draft(office), office.leader1, office.leader2)
    with pytest.raises(GuardFailed):
        perform(case, "refuse", office.leader1)
    perform(case, "refuse", office.leader1, comment="今年预算已安排，不予追加。")
    case.refresh_from_db()
    detail = case.approval
    assert case.state == "refused" and case.closed
    assert (detail.outcome, detail.decided_by_id) == (Outcome.REFUSED, office.leader1.pk)
    assert detail.outcome_note == "今年预算已安排，不予追加。"
    # The second leader's turn never comes.
    assert not Task.objects.filter(case=case, assignee=office.leader2).exists()
    with pytest.raises(TransitionNotAllowed):
        perform(case, "approve", office.leader2, comment="同意。")


def test_the_division_head_sends_it_back_with_a_reason(office):
    case = draft(office)
    perform(case, "submit", office.drafter)
    with pytest.raises(GuardFailed):
        perform(case, "review_return", office.head)
    perform(case, "review_return", office.head, comment="请写明经费来源。")
    case.refresh_from_db()
    assert case.state == "draft"
    assert Task.objects.get(case=case, state=TaskState.OPEN).assignee_id == office.drafter.pk
    # The head may edit at 审核.
    perform(case, "submit", office.drafter)
    case.refresh_from_db()
    services.case_update(
        case=case,
        actor=office.head,
        version=case.version,
        title=case.title + "（修改）",
        body=case.body,
        urgency=case.urgency,
    )
    case.refresh_from_db()
    assert case.title.endswith("（修改）")


def test_only_leaders_each_once_and_an_office_leader_may_route(office):
    case = draft(office)
    perform(case, "submit", office.drafter)
    with pytest.raises(GuardFailed):  # the head's opinion is required
        perform(case, "endorse", office.head)
    perform(case, "endorse", office.head, comment="同意呈报。")
    with pytest.raises(PermissionRefused):
        perform(case, "route", office.colleague, params={"leader_1": office.leader1})
    for params in (
        {"leader_1": office.leader1, "leader_2": office.leader1},
        {"leader_1": office.leader1, "leader_2": office.colleague},
    ):
        with pytest.raises(GuardFailed):
            perform(case, "route", office.head, params=params)
    with pytest.raises(GuardFailed):  # the first leader is required
        perform(case, "route", office.head, params={})
    # 秘书长 (an office leader) routes it on; a skipped field keeps the order of the others.
    perform(
        case,
        "route",
        office.leader3,
        params={"leader_1": office.leader1, "leader_3": office.leader2},
    )
    slots = CaseSlot.objects.filter(case=case, name="leaders").order_by("position")
    assert [s.user_id for s in slots] == [office.leader1.pk, office.leader2.pk]


def test_the_drafter_may_withdraw_before_the_head_acts(office):
    case = draft(office)
    perform(case, "submit", office.drafter)
    case.refresh_from_db()
    services.case_withdraw(case=case, actor=office.drafter, version=case.version)
    case.refresh_from_db()
    assert case.state == "draft"


def test_inbox_filters_and_columns(client, office):
    funding = draft(office)
    staffing = draft(office, title="关于增加综合处工作人员的签报", category="personnel")
    to_leaders(office, staffing, office.leader1)
    perform(staffing, "approve", office.leader1, comment="同意。")
    client.force_login(office.drafter)
    base = reverse("cases:inbox") + "?tab=mine_created&case_type=approval"

    def listed(query=""):
        html = client.get(base + query).content.decode()
        return {
            c.pk
            for c in (funding, staffing)
            if f'href="{reverse("cases:detail", args=[c.pk])}"' in html
        }, html

    found, html = listed()
    assert found == {funding.pk, staffing.pk}
    assert "<th>类别</th>" in html and "<th>审批结果</th>" in html and "<td>已批准</td>" in html
    assert listed("&x_category=personnel")[0] == {staffing.pk}
    assert listed("&x_outcome=pending")[0] == {funding.pk}
    assert listed("&x_outcome=approved")[0] == {staffing.pk}
    # The API lists the same columns.
    rows = client.get(
        reverse("api-cases:list") + "?tab=mine_created&case_type=approval&x_category=personnel"
    ).json()["results"]
    assert [r["number"] for r in rows] == [staffing.number]


def test_the_panel_names_heading_mistakes(client, office):
    case = draft(office, body="一、基本情况\n三、请示事项")
    client.force_login(office.drafter)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="approval-headings"' in html and "跳号" in html
    fine = draft(office)
    html = client.get(reverse("cases:detail", args=[fine.pk])).content.decode()
    assert 'data-testid="approval-headings"' not in html


def test_the_type_is_listed_with_its_diagram(client, office):
    client.force_login(office.drafter)
    html = client.get(reverse("cases:workflow", args=["approval"])).content.decode()
    assert "处室审核" in html and "审批同意" in html and "不予批准" in html
    svg = client.get(reverse("cases:workflow_svg", args=["approval"]))
    assert svg.status_code == 200 and "领导审批" in svg.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_history(client, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(case) -> int:
        client.force_login(office.drafter)
        client.get(reverse("cases:detail", args=[case.pk]))  # marks tasks read once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        return len(captured)

    short = to_leaders(office, draft(office), office.leader1, office.leader2)
    perform(short, "approve", office.leader1, comment="同意。")
    long = to_leaders(office, draft(office, title="另一件签报"), office.leader1, office.leader2)
    perform(long, "approve", office.leader1, comment="同意。")
    perform(long, "leader_return", office.leader2, comment="请补充。")
    to_leaders(office, long, office.leader1, office.leader2, office.leader3)
    perform(long, "approve", office.leader1, comment="同意。")
    perform(long, "approve", office.leader2, comment="同意。")
    assert queries(long) == queries(short)


def test_the_route_form_offers_only_leaders_in_numbered_places(client, office):
    import re

    case = draft(office)
    perform(case, "submit", office.drafter)
    perform(case, "endorse", office.head, comment="同意呈报。")
    client.force_login(office.head)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    form = html[html.index('data-action="route"') :]
    form = form[: form.index("</details>")]
    assert "第一位审批领导" in form and "第四位审批领导（可不选）" in form
    first = re.search(r'<select name="leader_1".*?</select>', form, re.S)[0]
    assert all(name in first for name in ("王副秘书长", "陈副市长", "赵秘书长"))
    assert "刘洋" not in first and "张明" not in first and "李强" not in first


def test_the_api_creates_one_with_its_fields(client, office):
    client.force_login(office.drafter)
    funding = ApprovalCategory.objects.get(code="funding")

    def create(**detail):
        return client.post(
            reverse("api-cases:list"),
            {
                "case_type": "approval",
                "title": TITLE,
                "body": BODY,
                "owner_unit": office.zonghe.pk,
                "detail": detail,
            },
            content_type="application/json",
        )

    assert create(category=funding.pk).status_code == 400  # no 拟办意见
    assert create(category=999999, proposal="拟同意。").status_code == 400
    response = create(category=funding.pk, proposal="拟同意。")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert (case.approval.category, case.approval.proposal) == (funding, "拟同意。")


def test_a_leaders_delegate_approves_in_the_leaders_name(office):
    import datetime

    from django.utils import timezone

    from zhengban.cases.delegations import delegation_create

    today = timezone.localdate()
    delegation_create(
        delegator=office.leader2,
        delegate=office.leader3,
        start=today,
        end=today + datetime.timedelta(days=7),
        reason="出差",
        actor=office.leader2,
        case_types=["approval"],
    )
    case = to_leaders(office, draft(office), office.leader1, office.leader2)
    with pytest.raises(PermissionRefused):  # not yet the delegator's turn
        perform(case, "approve", office.leader3, comment="同意。")
    perform(case, "approve", office.leader1, comment="同意。")
    perform(case, "approve", office.leader3, comment="同意（受陈副市长委托）。")
    case.refresh_from_db()
    event = case.events.get(action="approve", actor=office.leader3)
    assert case.state == "approved" and event.on_behalf_of_id == office.leader2.pk
    assert case.approval.decided_by_id == office.leader2.pk


def test_an_approved_request_starts_a_supervision_item(client, office):
    from zhengban.cases.casetypes import case_type_or_none

    target = case_type_or_none("supervision")
    if target is None or not target.accepts("approval"):
        pytest.skip("督办事项 case type (supervision) not registered with sources 'approval'")
    case = to_leaders(office, draft(office), office.leader1)
    perform(case, "approve", office.leader1, comment="同意，列入督办。")
    client.force_login(office.drafter)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    link = f"/cases/new/?type=supervision&amp;from={case.pk}"
    assert 'data-testid="derive-supervision"' in html and link in html
    form = client.get(f"/cases/new/?type=supervision&from={case.pk}").content.decode()
    assert TITLE in form and case.number in form  # 来源说明: the 签报's number and title
    # Not for someone who may not read the 签报.
    client.force_login(office.outsider)
    response = client.get(f"/cases/new/?type=supervision&from={case.pk}")
    assert response.status_code == 404
