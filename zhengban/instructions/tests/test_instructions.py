"""批示: one service records every 批示 (on a case, at a workflow's 批示 step, or stand-alone
from a paper 呈批件, 代录 marked), 列入督办 opens the supervision item in the same
transaction, and the 批示件台账 shows each leader theirs and the secretaries everyone's."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhengban.accounts.choices import Clearance
from zhengban.audit.models import AuditRecord
from zhengban.cases import services as case_services
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.cases.models import Case
from zhengban.instructions import policies
from zhengban.instructions.choices import Handling
from zhengban.instructions.models import Instruction
from zhengban.instructions.services import instruction_create

from .conftest import propose_params

TODAY = timezone.localdate


def later(days):
    return TODAY() + datetime.timedelta(days=days)


def workdays(n):
    from zhengban.workcalendar.calendar import current_calendar

    return current_calendar().add_workdays(TODAY(), n).date


def paper(office, leader=None, actor=None, **kwargs):
    leader = leader or office.mayor
    values = {"text": "请农经处研究办理。", "source_title": "关于春耕备耕的呈批件"}
    values.update(kwargs)
    return instruction_create(actor=actor or leader, leader=leader, **values)


# --- the service -----------------------------------------------------------------------------


def test_a_leader_records_their_own_paper_instruction(office):
    i = paper(office, units=[office.nongjing, office.bureau], source_number="呈〔2026〕8号")
    assert i.leader == office.mayor and i.recorded_by is None and not i.on_behalf
    assert i.case is None and i.source_number == "呈〔2026〕8号"
    assert i.lead_unit == office.nongjing
    assert set(i.units.all()) == {office.nongjing, office.bureau}
    record = AuditRecord.objects.get(action="instructions.create")
    assert record.object_id == str(i.pk) and record.on_behalf_of_name == ""


def test_a_secretary_records_a_leaders_paper_instruction_on_their_behalf(office):
    i = paper(office, actor=office.secretary)
    assert i.leader == office.mayor and i.recorded_by == office.secretary and i.on_behalf
    record = AuditRecord.objects.get(action="instructions.create")
    assert record.actor_id == office.secretary.pk and record.on_behalf_of_name == "张市长"


@pytest.mark.parametrize("who", ["farmer", "contact", "clerk", "sysadmin"])
def test_nobody_else_records_one(office, who):
    with pytest.raises(PermissionRefused):
        paper(office, actor=getattr(office, who))
    assert not Instruction.objects.exists()


def test_a_leader_does_not_record_for_another_leader(office):
    with pytest.raises(PermissionRefused):
        paper(office, leader=office.mayor, actor=office.deputy)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "  "}, "请填写批示内容"),
        ({"source_title": ""}, "呈批件标题"),
        ({"given_on": later(1)}, "批示日期不能晚于今天"),
        ({"due_date": later(-3), "given_on": later(-1)}, "办理时限不能早于批示日期"),
        ({"supervise": True}, "牵头单位"),
    ],
)
def test_bad_input_is_refused_with_a_reason(office, kwargs, message):
    with pytest.raises(GuardFailed, match=message):
        paper(office, **kwargs)
    assert not Instruction.objects.exists()


def test_the_leader_must_hold_a_leader_role(office):
    with pytest.raises(GuardFailed, match="批示领导须为"):
        paper(office, leader=office.farmer, actor=office.secretary)


def test_a_paper_above_the_recorders_clearance_is_refused(office):
    with pytest.raises(PermissionRefused):
        paper(office, actor=office.low, sensitivity=Clearance.INTERNAL)


# --- 列入督办 ------------------------------------------------------------------------------------


def test_supervise_opens_an_item_linked_to_the_instruction_and_the_case(office, incoming):
    due = later(30)
    i = instruction_create(
        actor=office.mayor,
        leader=office.mayor,
        text="请市交通运输局牵头，农经处配合，确保道路畅通。",
        case=incoming,
        units=[office.bureau, office.nongjing],
        due_date=due,
        supervise=True,
    )
    item = i.item
    assert item is not None and item.case_type == "supervision"
    # The supervision app keeps the deadline on a working day.
    assert item.parent == incoming and abs((item.due_date - due).days) <= 7
    assert "张市长" in item.title and incoming.title in item.title
    assert item.supervision.source_kind == "instruction"
    assert item.supervision.source_label == f"张市长 {TODAY().isoformat()} 批示"
    lead = item.assignments.get(role="lead")
    assert lead.unit == office.bureau
    assert set(item.assignments.filter(role="co").values_list("unit", flat=True)) == {
        office.nongjing.pk
    }
    assert i.sensitivity == incoming.sensitivity


def test_when_the_item_cannot_open_nothing_is_recorded(office, incoming):
    # The supervision app refuses a deadline of today: the 批示 goes with it.
    with pytest.raises(GuardFailed):
        instruction_create(
            actor=office.mayor,
            leader=office.mayor,
            text="请办理。",
            case=incoming,
            units=[office.bureau],
            due_date=TODAY(),
            supervise=True,
        )
    assert not Instruction.objects.exists()
    assert not Case.objects.filter(case_type="supervision").exists()


# --- the 批示 step of a workflow: the effect ---------------------------------------------------


def _perform(case, code, actor, **kwargs):
    case.refresh_from_db()
    return case_services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def test_the_workflows_instruct_step_lands_in_the_ledger(office, instructed_type):
    case = case_services.case_create(
        case_type="test_instructed",
        title="关于冬季道路保通的请示",
        owner_unit=office.mishu,
        actor=office.secretary,
    )
    _perform(case, "note", office.deputy, comment="呈张市长阅示。")
    first = Instruction.objects.get()
    assert first.leader == office.deputy and first.case == case and first.item is None
    assert first.text == "呈张市长阅示。" and first.event_seq and first.recorded_by is None
    due = later(20)
    _perform(
        case,
        "instruct",
        office.mayor,
        comment="请市交通运输局牵头抓好落实。",
        params={"due_date": due, "supervise": "1", "units": [office.bureau, office.nongjing]},
    )
    last = Instruction.objects.exclude(pk=first.pk).get()
    assert last.leader == office.mayor and last.supervise and last.due_date == due
    assert last.lead_unit == office.bureau and last.item.parent_id == case.pk
    assert set(last.units.all()) == {office.bureau, office.nongjing}
    event = case.events.get(action="instruct")
    assert event.data["instruction"] == last.pk and event.data["supervision_item"] == last.item_id


def test_a_refused_item_refuses_the_step(office, instructed_type):
    case = case_services.case_create(
        case_type="test_instructed", title="请示", owner_unit=office.mishu, actor=office.secretary
    )
    with pytest.raises(GuardFailed, match="牵头单位"):
        _perform(case, "instruct", office.mayor, comment="督办。", params={"supervise": "是"})
    case.refresh_from_db()
    assert case.state == "instructing" and not Instruction.objects.exists()


# --- the policy ------------------------------------------------------------------------------


def test_the_ledger_rule(office):
    mine = paper(office)
    theirs = paper(office, leader=office.deputy)
    internal = paper(office, sensitivity=Clearance.INTERNAL)

    def visible(user):
        return set(policies.instructions_visible_to(user))

    assert visible(office.mayor) == {mine, internal}
    assert visible(office.deputy) == {theirs}
    assert visible(office.secretary) == visible(office.inspector) == {mine, theirs, internal}
    assert visible(office.low) == {mine, theirs}  # 秘书一处, but 公开 only
    for outsider in (office.farmer, office.clerk, office.contact, office.sysadmin):
        assert visible(outsider) == set() and not policies.may_open_ledger(outsider)


def test_secretariats_are_configurable(office, settings):
    settings.INSTRUCTION_SECRETARIATS = ("农经处",)
    assert policies.is_secretary(office.farmer)
    assert not policies.is_secretary(office.secretary)


# --- the ledger page -------------------------------------------------------------------------


def test_the_ledger_shows_theirs_to_a_leader_and_everyones_to_a_secretary(client, office):
    paper(office, text="张市长的批示")
    paper(office, leader=office.deputy, text="李秘书长的批示")
    client.force_login(office.mayor)
    html = client.get(reverse("instructions:ledger")).content.decode()
    assert "张市长的批示" in html and "李秘书长的批示" not in html
    client.force_login(office.secretary)
    html = client.get(reverse("instructions:ledger")).content.decode()
    assert "张市长的批示" in html and "李秘书长的批示" in html


@pytest.mark.parametrize("who", ["farmer", "clerk", "contact", "sysadmin"])
def test_another_division_an_external_contact_and_the_admins_are_refused(client, office, who):
    paper(office)
    client.force_login(getattr(office, who))
    for name in ("instructions:ledger", "instructions:ledger_export", "instructions:record"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("instructions:record"), {}).status_code == 403


def test_filters_status_and_links(client, office, incoming):
    old = paper(office, given_on=later(-40), text="旧批示")
    on_case = instruction_create(
        actor=office.mayor, leader=office.mayor, text="请阅办。", case=incoming
    )
    supervised = instruction_create(
        actor=office.mayor,
        leader=office.mayor,
        text="列入督办的批示",
        case=incoming,
        units=[office.bureau],
        due_date=workdays(2),
        supervise=True,
    )
    other = paper(office, leader=office.deputy, text="副秘书长的批示")
    client.force_login(office.secretary)
    url = reverse("instructions:ledger")

    def listed(**query):
        html = client.get(url, query).content.decode()
        rows = (old, on_case, supervised, other)
        return {i.pk for i in rows if f'data-instruction="{i.pk}"' in html}

    assert listed() == {old.pk, on_case.pk, supervised.pk, other.pk}
    assert listed(leader=office.deputy.pk) == {other.pk}
    assert listed(given_from=later(-10).isoformat()) == {on_case.pk, supervised.pk, other.pk}
    assert listed(given_to=later(-30).isoformat()) == {old.pk}
    assert listed(supervise="yes") == {supervised.pk}
    assert listed(supervise="no") == {old.pk, on_case.pk, other.pk}
    assert listed(status=Handling.RECORDED) == {old.pk, other.pk}
    assert listed(status=Handling.ON_TRACK) == {on_case.pk}  # the 收文 has no deadline yet
    assert listed(status=Handling.DUE_SOON) == {supervised.pk}  # the item is due in 2 days
    assert listed(q="督办的") == {supervised.pk}
    client.force_login(office.mayor)  # who reads the 收文 and the item: linked
    html = client.get(url, {"supervise": "yes"}).content.decode()
    assert reverse("cases:detail", args=[incoming.pk]) in html
    assert reverse("cases:detail", args=[supervised.item_id]) in html
    assert supervised.item.number in html and "临期" in html
    # The item closes: the row reads 已办结 from it.
    client.force_login(office.secretary)
    Case.objects.filter(pk=supervised.item_id).update(closed=True)
    assert listed(status=Handling.DONE) == {supervised.pk}
    Case.objects.filter(pk=supervised.item_id).update(closed=False, due_date=later(-1))
    assert listed(status=Handling.OVERDUE) == {supervised.pk}


@pytest.mark.parametrize(
    "query",
    [
        {"leader": "abc"},
        {"given_from": "2026-13-01"},
        {"status": "nonsense"},
        {"given_from": "2026-05-01", "given_to": "2026-04-01"},
    ],
)
def test_bad_filters_are_a_400(client, office, query):
    client.force_login(office.secretary)
    assert client.get(reverse("instructions:ledger"), query).status_code == 400
    assert client.get(reverse("instructions:ledger_export"), query).status_code == 400


def test_a_leader_may_filter_only_on_themself(client, office):
    paper(office, leader=office.deputy)
    client.force_login(office.mayor)
    response = client.get(reverse("instructions:ledger"), {"leader": office.deputy.pk})
    assert response.status_code == 400


def _rows_queries(client, office, n):
    for k in range(n):
        paper(office, leader=office.deputy if k % 2 else office.mayor, units=[office.nongjing])
    client.force_login(office.secretary)
    office.secretary.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("instructions:ledger"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_ledger_runs_a_fixed_number_of_queries(client, office, incoming):
    instruction_create(
        actor=office.mayor,
        leader=office.mayor,
        text="督办",
        case=incoming,
        units=[office.bureau],
        due_date=later(10),
        supervise=True,
    )
    few = _rows_queries(client, office, 3)
    many = _rows_queries(client, office, 30)
    assert few == many, (few, many)


def test_the_excel_export_has_the_filtered_rows(client, office):
    i = paper(
        office,
        actor=office.secretary,
        text="请市交通运输局牵头办理。",
        source_number="秘呈〔2026〕9号",
        units=[office.bureau, office.nongjing],
        due_date=later(15),
        supervise=True,
    )
    paper(office, leader=office.deputy, text="不应导出")
    client.force_login(office.secretary)
    response = client.get(reverse("instructions:ledger_export"), {"supervise": "yes"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    header, row = rows
    values = dict(zip(header, row, strict=True))
    assert values["批示领导"] == "张市长" and values["批示内容"] == "请市交通运输局牵头办理。"
    assert values["所批事项"] == "关于春耕备耕的呈批件"
    assert values["事项编号/呈批件编号"] == "秘呈〔2026〕9号"
    assert values["牵头单位"] == "市交通运输局" and values["列入督办"] == "是"
    assert values["督办事项"] == i.item.number and values["代录人"] == "秘书甲"
    assert AuditRecord.objects.filter(action="instructions.export").count() == 1


# --- recording a paper 批示 through the page ---------------------------------------------------


def test_a_secretary_records_a_paper_instruction_through_the_page(client, office):
    client.force_login(office.secretary)
    page = client.get(reverse("instructions:record")).content.decode()
    assert "呈批件标题" in page and "批示领导" in page
    response = client.post(
        reverse("instructions:record"),
        {
            "leader": office.mayor.pk,
            "source_title": "关于加快推进老旧小区改造的呈批件",
            "source_number": "秘呈〔2026〕15号",
            "sensitivity": Clearance.PUBLIC,
            "text": "同意。请住建部门抓紧实施。",
            "given_on": TODAY().isoformat(),
            "lead_unit": office.nongjing.pk,
            "co_units": [office.bureau.pk],
            "due_date": later(30).isoformat(),
            "supervise": "on",
        },
    )
    i = Instruction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "instructions:detail", args=[i.pk]
    )
    assert i.recorded_by == office.secretary and i.leader == office.mayor
    assert i.item is not None and i.item.parent is None
    assert i.lead_unit == office.nongjing
    html = client.get(response["Location"]).content.decode()
    assert "秘书甲代录" in html and i.item.number in html


def test_an_invalid_record_is_a_400_and_saves_nothing(client, office):
    client.force_login(office.secretary)
    response = client.post(
        reverse("instructions:record"),
        {"source_title": "呈批件", "text": "同意", "given_on": "2026-02-30", "sensitivity": "0"},
    )
    assert response.status_code == 400 and not Instruction.objects.exists()
    # A secretary who is no leader must name the leader.
    response = client.post(
        reverse("instructions:record"),
        {"source_title": "呈批件", "text": "同意", "given_on": TODAY(), "sensitivity": "0"},
    )
    assert response.status_code == 400 and "批示领导" in response.content.decode()
    assert not Instruction.objects.exists()


def test_the_detail_page_follows_the_ledger_and_the_case(client, office, incoming):
    i = instruction_create(actor=office.mayor, leader=office.mayor, text="阅。", case=incoming)
    url = reverse("instructions:detail", args=[i.pk])
    for user, status in [
        (office.mayor, 200),
        (office.secretary, 200),
        (office.clerk, 200),  # 文电处 reads the 收文, so its 批示
        (office.farmer, 404),
        (office.contact, 404),
        (office.sysadmin, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    assert client.get(reverse("instructions:detail", args=[999999])).status_code == 404


def test_a_case_the_secretary_may_not_read_is_named_by_its_number_only(client, office, incoming):
    instruction_create(actor=office.mayor, leader=office.mayor, text="请阅办。", case=incoming)
    client.force_login(office.secretary)  # 秘书一处 does not see 文电处's 收文
    html = client.get(reverse("instructions:ledger")).content.decode()
    assert "请阅办。" in html and incoming.number in html
    assert incoming.title not in html and "无权查看该事项" in html
    assert reverse("cases:detail", args=[incoming.pk]) not in html
    client.force_login(office.mayor)
    html = client.get(reverse("instructions:ledger")).content.decode()
    assert incoming.title in html and reverse("cases:detail", args=[incoming.pk]) in html


def test_the_incoming_documents_own_instruct_step_records_in_the_ledger(office, incoming):
    """收文 declares `record_instruction()` on its 批示 (each chosen leader in turn)."""
    _perform(incoming, "submit", office.clerk)
    _perform(incoming, "accept", office.clerk)
    _perform(
        incoming,
        "propose",
        office.clerk,
        params=propose_params([office.deputy, office.mayor]),
        comment="拟请李秘书长、张市长阅示。",
    )
    _perform(incoming, "instruct", office.deputy, comment="呈张市长阅示。")
    due = later(30)
    _perform(
        incoming,
        "instruct",
        office.mayor,
        comment="请市交通运输局牵头办理，列入督办。",
        params={"due_date": due, "supervise": "1", "units": [office.bureau, office.nongjing]},
    )
    incoming.refresh_from_db()
    assert incoming.state == "dispatching"
    rows = list(Instruction.objects.filter(case=incoming).order_by("pk"))
    assert [(i.leader, i.supervise) for i in rows] == [(office.deputy, False), (office.mayor, True)]
    item = rows[1].item
    assert item.parent_id == incoming.pk and rows[1].lead_unit == office.bureau
    assert item.assignments.get(role="lead").unit == office.bureau
