"""收文 as a kernel case type: registered through the page with its own fields (来文字号
checked, duplicates flagged), then 初审 → 拟办 (two leaders) → 批示 in turn → 承办 → 办结 →
归档, with its filter, column, search text and permissions."""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.cases import services
from zhengban.cases.assignments import assignment_report
from zhengban.cases.choices import TaskKind, TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Case, CaseSlot, Task
from zhengban.documents.models import IncomingDocument
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization, Regulation, Unit

NUMBER = "辽政办发〔2026〕12号"
TITLE = "辽宁省人民政府办公厅关于做好冬季安全生产工作的通知"


@dataclass
class Office:
    wendian: Unit  # 文电处: the clerk's unit, owner of 收文
    nongjing: Unit  # a handling division
    province: Unit  # 省政府办公厅, in the external directory
    bureau: Unit  # 市应急管理局, external handling unit
    clerk: object
    other_clerk: object  # a clerk of another division
    leader1: object
    leader2: object
    farmer: object


def _user(name, units=(), roles=(), clearance=Clearance.INTERNAL):
    return user_create(
        username=name,
        password="x",
        display_name=name,
        roles=tuple(roles),
        units=tuple(units),
        clearance=clearance,
        validate_password=False,
    )


@pytest.fixture
def office(db) -> Office:
    return make_office()


def make_office() -> Office:
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )
    wendian = Unit.objects.create(organization=org, name="文电处", order=1)
    nongjing = Unit.objects.create(organization=org, name="农经处", order=2)
    other = Unit.objects.create(organization=org, name="综合处", order=3)
    Unit.objects.create(organization=org, name="市政府督查室", order=4)  # 列入督办 goes there
    province = Unit.objects.create(name="省政府办公厅", kind=UnitKind.EXTERNAL, order=10)
    bureau = Unit.objects.create(name="市应急管理局", kind=UnitKind.EXTERNAL, order=11)
    return Office(
        wendian=wendian,
        nongjing=nongjing,
        province=province,
        bureau=bureau,
        clerk=_user("clerk", [wendian], [Role.CLERK]),
        other_clerk=_user("other_clerk", [other], [Role.CLERK]),
        leader1=_user("leader1", [], [Role.OFFICE_LEADER]),
        leader2=_user("leader2", [], [Role.OFFICE_LEADER]),
        farmer=_user("farmer", [nongjing], [Role.STAFF]),
    )


def register(client, office, *, title=TITLE, number=NUMBER, **extra):
    client.force_login(office.clerk)
    data = {
        "title": title,
        "body": "",
        "urgency": "normal",
        "sensitivity": str(Clearance.INTERNAL),
        "owner_unit": str(office.wendian.pk),
        "d-sender": str(office.province.pk),
        "d-sender_name": "",
        "d-sender_number": number,
        "d-doc_type": "通知",
        "d-secrecy_period": "",
        "d-copies": "2",
        "d-pages": "3",
        "d-received_on": timezone.localdate().isoformat(),
        "d-remarks": "",
        **extra,
    }
    return client.post(reverse("cases:create") + "?type=incoming", data)


def perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def registered(client, office, **kwargs) -> Case:
    response = register(client, office, **kwargs)
    assert response.status_code == 302, response.content.decode()
    return Case.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_registered_through_the_page_with_its_fields(client, office):
    page = client.get(reverse("cases:create") + "?type=incoming")
    assert page.status_code == 302  # not logged in yet
    client.force_login(office.clerk)
    page = client.get(reverse("cases:create") + "?type=incoming").content.decode()
    assert 'name="d-sender_number"' in page and "省政府办公厅" in page
    case = registered(client, office, number="辽政办发〔２０２６〕１２号")
    assert case.case_type == "incoming" and case.number.startswith("收〔")
    detail = case.incoming
    # Typed with full-width digits, stored as the standard writes it; the name from the
    # directory.
    assert (detail.sender_name, detail.sender_number) == ("省政府办公厅", NUMBER)
    assert (detail.doc_type, detail.copies, detail.pages) == ("通知", 2, 3)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'<dd data-testid="incoming-number">{NUMBER}</dd>' in html and "收文信息" in html


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("辽政办发[2026]12号", "六角括号"),
        ("辽政办发〔2026〕12", "号"),
        ("辽政办发〔2026〕012号", "虚位"),
        (f"辽政办发〔{timezone.localdate().year + 1}〕3号", "晚于今年"),
    ],
)
def test_a_malformed_number_is_a_form_error(client, office, number, message):
    response = register(client, office, number=number)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_a_sender_is_required_and_a_typed_one_is_kept(client, office):
    response = register(client, office, **{"d-sender": ""})
    assert response.status_code == 400 and "请选择或填写来文机关" in response.content.decode()
    case = registered(client, office, **{"d-sender": "", "d-sender_name": "市委办公室"})
    assert case.incoming.sender_id is None and case.incoming.sender_name == "市委办公室"


def test_a_duplicate_is_flagged_with_a_link_and_may_be_confirmed(client, office):
    first = registered(client, office)
    # Same sender and 字号, another title.
    response = register(client, office, title="另一个标题")
    html = response.content.decode()
    assert response.status_code == 400 and "该文件可能已登记" in html
    assert f'<a href="{reverse("cases:detail", args=[first.pk])}">{first.number}</a>' in html
    # Same title from the same sender within days, no 字号.
    response = register(client, office, number="")
    assert response.status_code == 400 and first.number in response.content.decode()
    # Same 字号 from another sender is another document.
    registered(client, office, title="另一个标题", **{"d-sender": str(office.bureau.pk)})
    # The same title received long ago is not flagged.
    old = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    registered(client, office, number="", **{"d-received_on": old})
    # Confirmed: registered anyway.
    again = registered(client, office, **{"d-confirm_duplicate": "on"})
    assert again.pk != first.pk and IncomingDocument.objects.count() == 4


def test_the_flow_to_the_archive(client, office):
    case = registered(client, office)
    perform(case, "submit", office.clerk)
    perform(case, "accept", office.clerk)
    # 拟办: the clerk proposes two leaders in order and suggests the handling units.
    perform(
        case,
        "propose",
        office.clerk,
        params={
            "leader_1": office.leader1,
            "leader_2": office.leader2,
            "suggested_units": [office.nongjing, office.bureau],
        },
        comment="拟请leader1、leader2阅示，农经处、市应急管理局承办。",
    )
    case.refresh_from_db()
    assert case.state == "instructing"
    # Only the first leader has the 批示 in 待办.
    client.force_login(office.leader1)
    todo = client.get(reverse("cases:inbox") + "?tab=todo").content.decode()
    assert case.number in todo
    client.force_login(office.leader2)
    assert case.number not in client.get(reverse("cases:inbox") + "?tab=todo").content.decode()
    # Not the second leader's turn yet.
    with pytest.raises(PermissionRefused):
        perform(case, "instruct", office.leader2, comment="同意。")
    # The first leader gives the 批示 on the case page, with a deadline.
    client.force_login(office.leader1)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "批示意见" in page and "收文信息" in page and "待批示" in page
    due = timezone.localdate() + datetime.timedelta(days=20)
    case.refresh_from_db()
    response = client.post(
        reverse("cases:perform", args=[case.pk, "instruct"]),
        {"version": case.version, "comment": "请农经处牵头办理，两周内报结果。", "due_date": due},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    # The case stays in 批示: the second leader's turn.
    assert case.state == "instructing" and case.due_date == due
    tasks = Task.objects.filter(case=case, kind=TaskKind.INSTRUCT)
    assert {(t.assignee_id, t.state) for t in tasks} == {
        (office.leader1.pk, TaskState.DONE),
        (office.leader2.pk, TaskState.OPEN),
    }
    assert case.events.get(action="instruct").data["turn_next"] == office.leader2.pk
    # The first leader has had their turn.
    with pytest.raises(PermissionRefused):
        perform(case, "instruct", office.leader1, comment="再批。")
    client.force_login(office.leader2)
    assert case.number in client.get(reverse("cases:inbox") + "?tab=todo").content.decode()
    # 列入督办 names the unit that leads it.
    with pytest.raises(GuardFailed):
        perform(case, "instruct", office.leader2, comment="同意。", params={"supervise": "1"})
    perform(
        case,
        "instruct",
        office.leader2,
        comment="同意。",
        params={"supervise": "1", "units": [office.nongjing]},
    )
    case.refresh_from_db()
    assert case.state == "dispatching"
    given = list(case.events.filter(action="instruct").order_by("seq"))
    assert [(e.actor_id, e.comment) for e in given] == [
        (office.leader1.pk, "请农经处牵头办理，两周内报结果。"),
        (office.leader2.pk, "同意。"),
    ]
    assert [e.data["supervise"] for e in given] == [False, True]
    # Both 批示 are in the 批示件台账; the second opened a supervision item led by 农经处.
    from zhengban.instructions.models import Instruction

    rows = list(Instruction.objects.filter(case=case).order_by("pk"))
    assert [(r.leader_id, r.supervise) for r in rows] == [
        (office.leader1.pk, False),
        (office.leader2.pk, True),
    ]
    item = rows[1].item
    assert item.parent_id == case.pk and item.case_type == "supervision"
    # 承办: a division leads, a city bureau co-handles; the leader's deadline stands.
    perform(
        case,
        "assign",
        office.clerk,
        params={"lead_unit": office.nongjing, "co_units": [office.bureau]},
    )
    case.refresh_from_db()
    assert case.state == "handling" and case.due_date == due
    assert {a.unit.name for a in case.assignments.all()} == {"市应急管理局", "农经处"}
    client.force_login(office.clerk)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "农经处、市应急管理局" in html
    assert html.count('data-testid="incoming-turn"') == 2 and "已批示" in html
    assert 'data-testid="incoming-supervise"' in html
    co = case.assignments.get(unit=office.bureau)
    # The bureau has no accounts: 文电处 records its report (代录).
    assignment_report(assignment=co, actor=office.clerk, report="已配合检查。", on_behalf=True)
    perform(case, "complete", office.farmer, params={"report": "已部署检查。"})
    case.refresh_from_db()
    assert case.state == "closed" and case.closed
    perform(case, "archive", office.clerk)
    case.refresh_from_db()
    assert case.state == "archived"
    assert not Task.objects.filter(case=case, state=TaskState.OPEN).exists()


def test_return_to_sender_needs_a_reason_and_ends(client, office):
    case = registered(client, office)
    perform(case, "submit", office.clerk)
    with pytest.raises(GuardFailed):
        perform(case, "return_to_sender", office.clerk)
    reason = "不属于本机关职责，请径送市应急管理局。"
    perform(case, "return_to_sender", office.clerk, comment=reason)
    case.refresh_from_db()
    assert case.state == "returned" and case.closed


def test_another_divisions_staff_cannot_propose(client, office):
    case = registered(client, office)
    perform(case, "submit", office.clerk)
    perform(case, "accept", office.clerk)
    for outsider in (office.other_clerk, office.farmer):
        with pytest.raises(PermissionRefused):
            perform(case, "propose", outsider, params={"leader_1": office.leader1}, comment="x")
    # Only leaders, each once.
    # (A non-leader is refused by the picker's roles; the guard also checks a list.)
    for first, second in ((office.leader1, office.leader1), (office.leader1, office.farmer)):
        params = {"leader_1": first, "leader_2": second}
        with pytest.raises(GuardFailed):
            perform(case, "propose", office.clerk, params=params, comment="x")
    with pytest.raises(GuardFailed):  # nobody chosen
        perform(case, "propose", office.clerk, params={}, comment="x")
    assert not CaseSlot.objects.filter(case=case).exists()
    # Through the page: the case of another division is not even found.
    client.force_login(office.other_clerk)
    url = reverse("cases:perform", args=[case.pk, "propose"])
    response = client.post(url, {"version": case.version, "comment": "x"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "proposing"


def test_inbox_filter_column_and_search(client, office):
    notice = registered(client, office)
    letter = registered(
        client,
        office,
        title="关于商请支持冬季供暖保障的函",
        number="沈应急函〔2026〕5号",
        **{"d-doc_type": "函", "d-sender": str(office.bureau.pk)},
    )

    def listed(html):
        return {
            c.pk
            for c in (notice, letter)
            if f'href="{reverse("cases:detail", args=[c.pk])}"' in html
        }

    base = reverse("cases:inbox") + "?tab=mine_created&case_type=incoming"
    assert listed(client.get(base).content.decode()) == {notice.pk, letter.pk}
    html = client.get(base + "&x_doc_type=函").content.decode()
    assert listed(html) == {letter.pk}
    assert "<th>来文字号</th>" in html and "<td>沈应急函〔2026〕5号</td>" in html
    assert listed(client.get(base + "&x_sender=应急").content.decode()) == {letter.pk}
    # Neither title names the 来文字号: the type's search text finds it.
    found = client.get(reverse("cases:search") + "?q=沈应急函〔2026〕5号").content.decode()
    assert listed(found) == {letter.pk}


def test_the_api_validates_the_same_way(client, office):
    client.force_login(office.clerk)

    def create(number, **extra):
        detail = {
            "sender": office.province.pk,
            "sender_number": number,
            "doc_type": "通知",
            "received_on": timezone.localdate().isoformat(),
            **extra,
        }
        return client.post(
            reverse("api-cases:list"),
            {
                "case_type": "incoming",
                "title": TITLE,
                "owner_unit": office.wendian.pk,
                "detail": detail,
            },
            content_type="application/json",
        )

    assert create(NUMBER, copies=0).status_code == 400
    response = create("辽政办发(2026)12号")
    assert response.status_code == 400 and "六角括号" in str(response.json()["detail"])
    first = create(NUMBER)
    assert first.status_code == 201, first.content
    assert first.json()["number"].startswith("收〔")
    assert create(NUMBER).status_code == 400
    assert create(NUMBER, confirm_duplicate=True).status_code == 201
    assert IncomingDocument.objects.filter(sender_number=NUMBER).count() == 2


def test_editing_in_registration_fixes_the_sender(client, office):
    case = registered(client, office)
    case.refresh_from_db()
    data = {
        "version": case.version,
        "title": case.title,
        "body": "",
        "urgency": "normal",
        "d-sender": str(office.bureau.pk),
        "d-sender_name": "省政府办公厅",  # the old name, left as it was
        "d-sender_number": "辽政办发〔2026〕13号",
        "d-doc_type": "通知",
        "d-copies": "1",
        "d-pages": "3",
        "d-received_on": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("cases:edit", args=[case.pk]), data)
    assert response.status_code == 302, response.content.decode()
    detail = IncomingDocument.objects.get(case=case)
    assert (detail.sender_id, detail.sender_name) == (office.bureau.pk, "市应急管理局")
    assert detail.sender_number == "辽政办发〔2026〕13号"
    data.update({"version": case.version + 1, "d-sender_number": "辽政办发〔2026〕013号"})
    response = client.post(reverse("cases:edit", args=[case.pk]), data)
    assert response.status_code == 400 and "虚位" in response.content.decode()


def test_the_type_is_listed_with_its_diagram(client, office):
    client.force_login(office.clerk)
    html = client.get(reverse("cases:workflow", args=["incoming"])).content.decode()
    assert "退回来文单位" in html and "退回重新拟办" in html
    # Slots read as the workflow names them, not by their code.
    assert "批示领导" in html and "leaders" not in html
    svg = client.get(reverse("cases:workflow_svg", args=["incoming"]))
    assert svg.status_code == 200 and "已退文" in svg.content.decode()
    assert "收文" in client.get(reverse("cases:create")).content.decode()
