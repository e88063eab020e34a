"""发文 as a kernel case type: 拟稿 → 核稿 (with a revision) → 会签 → 审核 (公文体检) → 签发
(text frozen) → 编号 (gapless) → 用印 (sealed files stored with their tags) → 印发 (internal
divisions get a 收文, external bureaus a receipt) → 归档; downloads re-verified, 公文交换
签收/退回/催收, and who may do what."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhengban.accounts.choices import Clearance, Role
from zhengban.accounts.services import user_create
from zhengban.cases import services
from zhengban.cases.choices import Opinion, TaskKind, TaskState
from zhengban.cases.errors import GuardFailed, PermissionRefused, TransitionNotAllowed
from zhengban.cases.models import Case, Notification, Task
from zhengban.documents import outgoing_services as svc
from zhengban.documents.models import (
    ExchangeReceipt,
    FileKind,
    OutgoingDocument,
    OutgoingFile,
    ReceiptStatus,
    SealUse,
    SeriesKind,
)
from zhengban.documents.services import seal_create, series_create
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization, Regulation, Unit

TITLE = "沈阳市人民政府办公厅关于做好冬季供暖保障工作的通知"
BODY = (
    "为做好今冬供暖保障工作，现就有关事项通知如下。\n"
    "一、提高认识\n"
    "各地区、各部门要充分认识供暖保障工作的重要性。\n"
    "二、落实责任\n"
    "各供热单位要落实主体责任。"
)


@dataclass
class Office:
    org: Organization
    wendian: Unit
    zonghe: Unit  # the drafting division
    nongjing: Unit  # co-signing division and internal recipient
    education: Unit  # external, signs
    health: Unit  # external, returns
    drafter: object
    head: object
    cosigner: object
    clerk: object
    leader: object
    farmer_clerk: object
    teacher: object  # 市教育局 contact
    doctor: object  # 市卫健委 contact
    outsider: object
    series: object
    seal: object


def _user(name, units=(), roles=(), head_of=(), clearance=Clearance.INTERNAL):
    return user_create(
        username=name,
        password="x",
        display_name=name,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        clearance=clearance,
        validate_password=False,
    )


@pytest.fixture
def office(db, settings, tmp_path) -> Office:
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="沈阳市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )
    wendian = Unit.objects.create(organization=org, name="文电处", order=1)
    zonghe = Unit.objects.create(organization=org, name="综合一处", order=2)
    nongjing = Unit.objects.create(organization=org, name="农经处", order=3)
    other = Unit.objects.create(organization=org, name="保卫处", order=4)
    education = Unit.objects.create(name="市教育局", kind=UnitKind.EXTERNAL, order=900)
    health = Unit.objects.create(name="市卫生健康委", kind=UnitKind.EXTERNAL, order=901)
    clerk = _user("wenshu", [wendian], [Role.CLERK])
    office = Office(
        org=org,
        wendian=wendian,
        zonghe=zonghe,
        nongjing=nongjing,
        education=education,
        health=health,
        drafter=_user("drafter", [zonghe], [Role.STAFF]),
        head=_user("head", [zonghe], [Role.DIVISION_HEAD], head_of=[zonghe]),
        cosigner=_user("cosigner", [nongjing], [Role.DIVISION_HEAD], head_of=[nongjing]),
        clerk=clerk,
        leader=_user("mayor", [], [Role.CITY_LEADER]),
        farmer_clerk=_user("nongjing_wenshu", [nongjing], [Role.CLERK]),
        teacher=_user("jiaoyu", [education], [Role.UNIT_CONTACT]),
        doctor=_user("weijian", [health], [Role.UNIT_CONTACT]),
        outsider=_user("guard", [other], [Role.STAFF]),
        series=series_create(
            organization=org, organ_code="沈政办", name="发", kind=SeriesKind.OUTGOING, actor=clerk
        ),
        seal=seal_create(
            organization=org, name="沈阳市人民政府办公厅", kind="official", actor=clerk
        ),
    )
    return office


def draft(o: Office, *, body: str = BODY, title: str = TITLE, **detail) -> Case:
    values = {
        "doc_type": "通知",
        "recipients": [o.nongjing.pk, o.education.pk, o.health.pk],
        "openness": "active",
        **detail,
    }
    return services.case_create(
        case_type="outgoing",
        title=title,
        body=body,
        owner_unit=o.zonghe,
        actor=o.drafter,
        detail=values,
    )


def act(case, code, actor, **kwargs) -> Case:
    case.refresh_from_db()
    return services.case_perform(
        case=case, action_code=code, actor=actor, version=case.version, **kwargs
    )


def to_signing(o: Office, case) -> Case:
    act(case, "submit", o.drafter)
    act(case, "review_pass", o.head)
    return act(case, "check_pass", o.clerk, params={"signer": o.leader})


def to_issuing(o: Office, case) -> Case:
    to_signing(o, case)
    act(case, "sign", o.leader, comment="同意")
    act(case, "number", o.clerk, params={"series": str(o.series.pk)})
    return act(case, "seal", o.clerk, params={"seal": str(o.seal.pk)})


def open_tasks(case, **filters):
    return Task.objects.filter(case=case, state=TaskState.OPEN, **filters)


# --- the flow, step by step --------------------------------------------------------------------


def test_the_whole_flow(office):
    o = office
    case = draft(o)
    detail = case.outgoing
    assert case.state == "draft" and detail.doc_type == "通知"
    assert open_tasks(case, assignee=o.drafter, kind=TaskKind.DRAFT).exists()

    act(case, "submit", o.drafter)
    case.refresh_from_db()
    assert case.state == "reviewing"
    assert open_tasks(case, unit=o.zonghe, heads_only=True).exists()

    # 核稿: the head edits; the kernel keeps the revision.
    case.refresh_from_db()
    services.case_update(
        case=case,
        actor=o.head,
        version=case.version,
        title=case.title,
        body=case.body.replace("落实主体责任", "切实落实主体责任"),
        urgency=case.urgency,
    )
    update = case.events.filter(action="update").get()
    assert "切实" in update.data["changes"]["body"][1]

    # 会签 by the co-signing division's head, in parallel through the kernel's round.
    act(case, "countersign", o.head, params={"units": [o.nongjing]})
    case.refresh_from_db()
    assert case.state == "countersigning"
    task = open_tasks(case, assignee=o.cosigner, kind=TaskKind.COUNTERSIGN).get()
    services.task_complete(task=task, actor=o.cosigner, opinion=Opinion.AGREE, text="同意")
    case.refresh_from_db()
    assert case.state == "reviewing"

    act(case, "review_pass", o.head)
    case.refresh_from_db()
    assert case.state == "checking"
    assert open_tasks(case, unit=o.wendian, state_code="checking").exists()

    act(case, "check_pass", o.clerk, params={"signer": o.leader}, comment="格式规范")
    case.refresh_from_db()
    assert case.state == "signing"
    assert open_tasks(case, assignee=o.leader).exists()

    act(case, "sign", o.leader, comment="同意")
    detail.refresh_from_db()
    assert detail.signer == o.leader and detail.signed_on is not None

    act(case, "number", o.clerk, params={"series": str(o.series.pk)})
    detail.refresh_from_db()
    assert detail.number_text.startswith("沈政办发〔") and detail.number_text.endswith("〕1号")

    act(case, "seal", o.clerk, params={"seal": str(o.seal.pk)})
    detail.refresh_from_db()
    kinds = set(detail.files.values_list("kind", flat=True))
    assert kinds == {"pdf", "ofd", "docx", "xml"}
    assert SealUse.objects.filter(seal=o.seal).count() == 2
    pdf = detail.files.get(kind="pdf")
    assert svc.verify_stored(pdf).ok and pdf.seal_use is not None
    xml = bytes(detail.files.get(kind="xml").data).decode()
    assert detail.number_text in xml and "<签发人>" in xml

    act(case, "issue", o.clerk)
    case.refresh_from_db()
    assert case.state == "issued" and case.closed

    # The internal division received it as a 收文, with the sealed PDF attached.
    receipt = detail.receipts.get(unit=o.nongjing)
    assert receipt.status == ReceiptStatus.FILED
    incoming = receipt.incoming_case
    assert incoming.case_type == "incoming" and incoming.owner_unit == o.nongjing
    assert incoming.creator == o.farmer_clerk
    assert incoming.incoming.sender_number == detail.number_text
    assert incoming.incoming.sender_name == "沈阳市人民政府办公厅"
    assert incoming.incoming.doc_type == "通知"
    original = incoming.attachments.get()
    assert original.original_name.endswith(".pdf") and original.original  # the sealed 原件
    assert open_tasks(incoming, assignee=o.farmer_clerk, kind=TaskKind.DRAFT).exists()

    # External bureaus got receipts and a bell.
    assert detail.receipts.get(unit=o.education).status == ReceiptStatus.SENT
    assert Notification.objects.filter(recipient=o.teacher, kind="exchange").exists()

    act(case, "archive", o.clerk)
    case.refresh_from_db()
    detail.refresh_from_db()
    assert case.state == "archived" and detail.archive_item.document_number == detail.number_text


def test_a_non_head_cannot_review(office):
    o = office
    case = draft(o)
    act(case, "submit", o.drafter)
    for person in (o.drafter, o.cosigner, o.clerk):
        with pytest.raises(PermissionRefused):
            act(case, "review_pass", person)


def test_cosigners_must_be_heads_of_other_divisions(office):
    o = office
    case = draft(o)
    act(case, "submit", o.drafter)
    with pytest.raises(GuardFailed, match="会签人须为"):
        act(case, "countersign", o.head, params={"units": [o.nongjing], "users": [o.drafter]})
    for units in ([o.zonghe], [o.education], [o.wendian]):  # own, external, no head
        with pytest.raises(GuardFailed, match="会签处室须为"):
            act(case, "countersign", o.head, params={"units": units})


def test_a_countersign_disagreement_goes_back_to_the_drafter(office):
    o = office
    case = draft(o)
    act(case, "submit", o.drafter)
    act(case, "countersign", o.head, params={"units": [o.nongjing]})
    task = open_tasks(case, assignee=o.cosigner).get()
    services.task_complete(
        task=task, actor=o.cosigner, opinion=Opinion.DISAGREE, text="涉及农经处职责，需修改"
    )
    case.refresh_from_db()
    assert case.state == "draft"


def test_only_the_document_office_checks_and_returns_with_a_reason(office):
    o = office
    case = draft(o)
    act(case, "submit", o.drafter)
    act(case, "review_pass", o.head)
    with pytest.raises(PermissionRefused):
        act(case, "check_pass", o.head, params={"signer": o.leader})
    with pytest.raises(GuardFailed):
        act(case, "check_return", o.clerk)
    act(case, "check_return", o.clerk, comment="标题不规范，请修改")
    case.refresh_from_db()
    assert case.state == "draft"
    assert open_tasks(case, assignee=o.drafter, kind=TaskKind.DRAFT).exists()


def test_the_signer_must_be_a_leader_and_only_the_chosen_one_signs(office):
    o = office
    case = draft(o)
    act(case, "submit", o.drafter)
    act(case, "review_pass", o.head)
    with pytest.raises(GuardFailed, match="签发人须为"):
        act(case, "check_pass", o.clerk, params={"signer": o.head})
    act(case, "check_pass", o.clerk, params={"signer": o.leader})
    other_leader = _user("deputy", [], [Role.OFFICE_LEADER])
    for person in (o.head, o.clerk, other_leader):
        with pytest.raises(PermissionRefused):
            act(case, "sign", person)
    act(case, "sign", o.leader)


def test_text_is_frozen_from_sign_off(office):
    o = office
    case = to_signing(o, draft(o))
    case.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="不能再修改"):
        services.case_update(
            case=case,
            actor=o.drafter,
            version=case.version,
            title=case.title,
            body=case.body + "补充一句。",
            urgency=case.urgency,
        )
    act(case, "sign", o.leader)
    case.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        services.case_update(
            case=case,
            actor=o.drafter,
            version=case.version,
            title=case.title,
            body=case.body,
            urgency=case.urgency,
            detail={"note": "改附注"},
        )


def test_numbers_are_gapless_and_a_failed_step_returns_its_number(office, monkeypatch):
    o = office
    first, second, third = draft(o), draft(o, title=TITLE), draft(o, title=TITLE)
    for case in (first, second, third):
        to_signing(o, case)
        act(case, "sign", o.leader)
    act(first, "number", o.clerk, params={"series": str(o.series.pk)})

    # A failure later in the same action rolls the allocation back with everything else.
    from zhengban.documents import outgoing

    real = outgoing.office_task

    def failing(*args, **kwargs):
        raise GuardFailed("模拟故障")

    monkeypatch.setattr("zhengban.cases.todo.tasks_open", lambda *a, **k: failing())
    with pytest.raises(GuardFailed, match="模拟故障"):
        act(second, "number", o.clerk, params={"series": str(o.series.pk)})
    monkeypatch.undo()
    assert real is outgoing.office_task
    act(third, "number", o.clerk, params={"series": str(o.series.pk)})
    act(second, "number", o.clerk, params={"series": str(o.series.pk)})
    numbers = [OutgoingDocument.objects.get(case=c).number.sequence for c in (first, third, second)]
    assert numbers == [1, 2, 3]


def test_a_series_of_another_organization_is_refused(office):
    o = office
    other = Organization.objects.create(
        name="某县政府办", kind=OrganizationKind.MAIN, regulation=o.org.regulation
    )
    foreign = series_create(
        organization=other, organ_code="某政办", name="发", kind=SeriesKind.OUTGOING, actor=o.clerk
    )
    case = to_signing(o, draft(o))
    act(case, "sign", o.leader)
    with pytest.raises(GuardFailed, match="本机关的文号序列"):
        act(case, "number", o.clerk, params={"series": str(foreign.pk)})


# --- 公文体检 ------------------------------------------------------------------------------------


def test_the_check_lists_a_planted_mistake_at_review_and_on_demand(office):
    o = office
    planted = BODY.replace("二、落实责任", "三、落实责任").replace(
        "供暖保障工作，现", "供暖保障工作,现"
    )
    case = draft(o, body=planted)
    act(case, "submit", o.drafter)
    act(case, "review_pass", o.head)
    problems = svc.document_check(case, case.outgoing)
    rules = {p.rule for p in problems}
    assert "heading.gap" in rules or any(r.startswith("heading") for r in rules), rules
    assert any(r.startswith("punct") for r in rules), rules
    assert "required.number" not in rules  # 编号 supplies it

    client = Client()
    client.force_login(o.clerk)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="outgoing-problems"' in page and "三、" in page
    on_demand = client.get(f"/documents/outgoing/{case.pk}/check/")
    assert on_demand.status_code == 200
    for p in problems:
        assert p.rule in on_demand.content.decode()


def test_a_clean_draft_has_no_problems(office):
    o = office
    case = draft(o)
    assert svc.document_check(case, case.outgoing) == []


# --- downloads and integrity -----------------------------------------------------------------


@pytest.fixture
def sealed(office):
    case = to_issuing(office, draft(office))
    return case, OutgoingDocument.objects.get(case=case)


def test_downloads_are_verified_and_a_changed_byte_is_refused(office, sealed):
    o = office
    case, detail = sealed
    client = Client()
    client.force_login(o.drafter)
    for kind in ("pdf", "ofd", "docx", "xml"):
        response = client.get(f"/documents/outgoing/{case.pk}/files/{kind}/")
        assert response.status_code == 200, kind
        header = response["X-Zhengban-Integrity"]
        if kind in ("pdf", "ofd"):
            assert header == f"verified {o.seal.code}"
        else:
            assert header == "verified hmac-sm3"
    verify = client.get(f"/documents/outgoing/{case.pk}/files/pdf/verify/")
    assert verify.status_code == 200 and "签名有效" in verify.content.decode()

    pdf = detail.files.get(kind="pdf")
    data = bytearray(bytes(pdf.data))
    data[len(data) // 3] ^= 0x01
    OutgoingFile.objects.filter(pk=pdf.pk).update(data=bytes(data))
    refused = client.get(f"/documents/outgoing/{case.pk}/files/pdf/")
    assert refused.status_code == 409
    assert refused["X-Zhengban-Integrity"] == "failed"
    assert "拒绝下载" in refused.content.decode()
    assert client.get(f"/documents/outgoing/{case.pk}/files/pdf/verify/").status_code == 409


def test_a_changed_unsealed_file_is_refused_by_its_tag(office, sealed):
    _case, detail = sealed
    docx = detail.files.get(kind="docx")
    data = bytearray(bytes(docx.data))
    data[-10] ^= 0xFF
    OutgoingFile.objects.filter(pk=docx.pk).update(data=bytes(data))
    assert not svc.verify_stored(OutgoingFile.objects.get(pk=docx.pk)).ok


def test_downloads_follow_case_access(office, sealed):
    o = office
    case, _detail = sealed
    client = Client()
    for user, status in ((o.outsider, 404), (o.teacher, 404), (o.clerk, 200), (o.leader, 200)):
        client.force_login(user)
        assert client.get(f"/documents/outgoing/{case.pk}/files/pdf/").status_code == status
    client.force_login(o.drafter)
    assert client.get(f"/documents/outgoing/{case.pk}/files/nope/").status_code == 404


# --- 公文交换 ------------------------------------------------------------------------------------


@pytest.fixture
def issued(office, sealed):
    case, detail = sealed
    act(case, "issue", office.clerk)
    return case, detail


def test_an_external_bureau_signs_and_another_returns_with_a_reason(office, issued):
    o = office
    case, detail = issued
    teacher = Client()
    teacher.force_login(o.teacher)
    inbox = teacher.get("/documents/exchange/").content.decode()
    assert case.title in inbox
    receipt = detail.receipts.get(unit=o.education)
    page = teacher.get(f"/documents/exchange/{receipt.pk}/")
    assert page.status_code == 200 and detail.number_text in page.content.decode()
    download = teacher.get(f"/documents/exchange/{receipt.pk}/files/pdf/")
    assert download.status_code == 200 and download["X-Zhengban-Integrity"].startswith("verified")
    assert (
        teacher.post(f"/documents/exchange/{receipt.pk}/sign/", {"feedback": "已收悉"}).status_code
        == 302
    )
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.SIGNED and receipt.acted_by == o.teacher
    assert receipt.feedback == "已收悉" and receipt.opened_at is not None

    doctor = Client()
    doctor.force_login(o.doctor)
    other = detail.receipts.get(unit=o.health)
    doctor.post(f"/documents/exchange/{other.pk}/return/", {"reason": ""})
    other.refresh_from_db()
    assert other.status == ReceiptStatus.SENT  # a reason is required
    doctor.post(f"/documents/exchange/{other.pk}/return/", {"reason": "不属于本单位职责"})
    other.refresh_from_db()
    assert other.status == ReceiptStatus.RETURNED and other.reason == "不属于本单位职责"
    assert Notification.objects.filter(recipient=o.drafter, kind="exchange_receipt").count() == 2

    # A bureau sees only its own receipts; another's is 404.
    assert doctor.get(f"/documents/exchange/{receipt.pk}/").status_code == 404
    assert doctor.post(f"/documents/exchange/{receipt.pk}/sign/").status_code == 404
    # Signed once is signed.
    with pytest.raises(GuardFailed):
        svc.receipt_sign(receipt=receipt, actor=o.teacher)

    # The sender's page shows every recipient's status.
    clerk = Client()
    clerk.force_login(o.clerk)
    page = clerk.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-status="signed"' in page and 'data-status="returned"' in page
    assert "不属于本单位职责" in page and 'data-status="filed"' in page


def test_remind_rings_the_recipients_bell(office, issued):
    o = office
    case, detail = issued
    receipt = detail.receipts.get(unit=o.education)
    client = Client()
    client.force_login(o.clerk)
    url = f"/documents/outgoing/{case.pk}/receipts/{receipt.pk}/remind/"
    assert client.post(url).status_code == 302
    receipt.refresh_from_db()
    assert receipt.reminders == 1
    assert Notification.objects.filter(recipient=o.teacher, kind="exchange_remind").count() == 1
    # Those who do not follow the distribution may not; a signed one needs no reminder.
    for user, status in ((o.outsider, 404), (o.leader, 403)):
        client.force_login(user)
        assert client.post(url).status_code == status
    svc.receipt_sign(receipt=receipt, actor=o.teacher)
    with pytest.raises(GuardFailed, match="无需催收"):
        svc.receipt_remind(receipt=receipt, actor=o.clerk)


def test_the_recipients_copy_is_verified_too(office, issued):
    o = office
    _case, detail = issued
    pdf = detail.files.get(kind="pdf")
    data = bytearray(bytes(pdf.data))
    data[100] ^= 0x01
    OutgoingFile.objects.filter(pk=pdf.pk).update(data=bytes(data))
    receipt = detail.receipts.get(unit=o.education)
    client = Client()
    client.force_login(o.teacher)
    assert client.get(f"/documents/exchange/{receipt.pk}/files/pdf/").status_code == 409


# --- forms, import, bad input ------------------------------------------------------------------


def test_the_create_page_takes_the_detail_fields(office):
    o = office
    client = Client()
    client.force_login(o.drafter)
    response = client.post(
        "/cases/new/?type=outgoing",
        {
            "title": TITLE,
            "body": BODY,
            "urgency": "normal",
            "sensitivity": str(Clearance.INTERNAL),
            "owner_unit": str(o.zonghe.pk),
            "d-doc_type": "通知",
            "d-recipients": [str(o.nongjing.pk), str(o.education.pk)],
            "d-recipients_text": "各区、县（市）人民政府",
            "d-openness": "not_public",
            "d-openness_reason": "",
            "d-copies": "",
        },
    )
    assert response.status_code == 400  # 不予公开 needs its reason
    assert "须说明理由" in response.content.decode()
    response = client.post(
        "/cases/new/?type=outgoing",
        {
            "title": TITLE,
            "body": BODY,
            "urgency": "urgent",
            "sensitivity": str(Clearance.INTERNAL),
            "owner_unit": str(o.zonghe.pk),
            "d-doc_type": "通知",
            "d-recipients": [str(o.nongjing.pk), str(o.education.pk)],
            "d-recipients_text": "各区、县（市）人民政府",
            "d-openness": "on_request",
            "d-openness_reason": "涉及内部管理",
            "d-copy_number": "12ab",
        },
    )
    assert response.status_code == 400 and "份号" in response.content.decode()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(paragraphs) -> bytes:
    import io

    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_draft_is_imported_from_docx(office):
    o = office
    data = _docx(
        [
            "沈阳市人民政府办公厅关于开展安全生产检查的通知",
            "各区、县（市）人民政府，市政府各部门：",
            "为加强安全生产工作，现通知如下。",
            "一、检查范围",
            "全市各类生产经营单位。",
            "沈阳市人民政府办公厅",
            "2026年3月1日",
        ]
    )
    client = Client()
    client.force_login(o.drafter)
    response = client.post(
        "/documents/outgoing/import/",
        {
            "owner_unit": str(o.zonghe.pk),
            "file": SimpleUploadedFile("草稿.docx", data, DOCX),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(case_type="outgoing")
    assert case.title == "沈阳市人民政府办公厅关于开展安全生产检查的通知"
    assert "一、检查范围" in case.body and "各区" in case.outgoing.recipients_text

    # A non-DOCX upload is a clear 400.
    bad = client.post(
        "/documents/outgoing/import/",
        {"owner_unit": str(o.zonghe.pk), "file": SimpleUploadedFile("a.docx", b"not a zip")},
    )
    assert bad.status_code == 400


def test_reimport_replaces_the_text_as_a_revision(office):
    o = office
    case = draft(o)
    client = Client()
    client.force_login(o.drafter)
    data = _docx([TITLE, "各区、县（市）人民政府：", "新的正文。", "沈阳市人民政府办公厅"])
    client.post(
        f"/documents/outgoing/{case.pk}/reimport/",
        {"version": str(case.version), "file": SimpleUploadedFile("新稿.docx", data, DOCX)},
    )
    case.refresh_from_db()
    assert "新的正文" in case.body
    assert case.events.filter(action="update").exists()


def test_bad_ids_are_404_not_500(office):
    client = Client()
    client.force_login(office.drafter)
    for url in (
        "/documents/outgoing/999999/check/",
        "/documents/outgoing/999999/files/pdf/",
        "/documents/exchange/999999/",
        "/documents/outgoing/99999999999999999999/check/",
    ):
        assert client.get(url).status_code == 404, url
    # Another type's case is not a 发文.
    other = services.case_create(
        case_type="assigned_task",
        title="交办",
        body="x",
        owner_unit=office.zonghe,
        actor=office.drafter,
    )
    assert client.get(f"/documents/outgoing/{other.pk}/check/").status_code == 404


def test_the_panel_costs_a_fixed_number_of_queries(office, issued, django_assert_max_num_queries):
    case, _detail = issued
    client = Client()
    client.force_login(office.clerk)
    client.get(f"/cases/{case.pk}/")  # warm caches
    with django_assert_max_num_queries(80):
        assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_receipts_unique_per_unit(office, issued):
    _case, detail = issued
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeReceipt.objects.create(document=detail, unit=office.education, role="main")
    assert FileKind.PDF in set(detail.files.values_list("kind", flat=True))


# --- the permission matrix with a real 发文 ----------------------------------------------------


def test_permission_matrix_of_a_real_document(office, issued):
    """Who gets what of an issued 发文's URLs: the drafting unit, 文电处 and the signing
    leader read it; another division, an external bureau (not a recipient of the case) and
    the administrators get 404; 催收 is for 文电处 and the drafting unit only."""
    o = office
    case, detail = issued
    sysadmin = _user("sysadmin", [], [Role.SYSTEM_ADMIN])
    receipt = detail.receipts.get(unit=o.education)
    reads = {
        f"/cases/{case.pk}/": None,
        f"/documents/outgoing/{case.pk}/check/": None,
        f"/documents/outgoing/{case.pk}/files/pdf/": None,
        f"/documents/outgoing/{case.pk}/files/xml/verify/": None,
    }
    allowed = {o.drafter, o.head, o.clerk, o.leader}
    for user in (o.drafter, o.head, o.clerk, o.leader, o.outsider, o.teacher, sysadmin):
        client = Client()
        client.raise_request_exception = False
        client.force_login(user)
        for url in reads:
            want = 200 if user in allowed else 404
            assert client.get(url).status_code == want, (user, url)
        # The recipient bureau's copy is its own; others cannot open it.
        want = 200 if user == o.teacher else 404
        assert client.get(f"/documents/exchange/{receipt.pk}/").status_code == want, user
        assert client.post(f"/documents/exchange/{receipt.pk}/sign/").status_code in (
            (302,) if user == o.teacher else (404,)
        ), user
        receipt.refresh_from_db()
        if receipt.status == ReceiptStatus.SIGNED:  # signed by the teacher: reopen for the rest
            ExchangeReceipt.objects.filter(pk=receipt.pk).update(status=ReceiptStatus.SENT)
        remind = client.post(f"/documents/outgoing/{case.pk}/receipts/{receipt.pk}/remind/")
        want = {o.drafter: 302, o.head: 302, o.clerk: 302, o.leader: 403}.get(user, 404)
        assert remind.status_code == want, (user, remind.status_code)
    anonymous = Client()
    assert anonymous.get(f"/documents/outgoing/{case.pk}/files/pdf/").status_code == 302
    assert anonymous.get("/documents/exchange/").status_code == 302


def test_demo_series_are_created_once(office):
    from zhengban.documents.demo import create_demo_series
    from zhengban.documents.models import DocumentSeries

    assert create_demo_series(office.org) == 2  # 函 and 纪要; 发 and the seal exist
    assert create_demo_series(office.org) == 0
    names = set(
        DocumentSeries.objects.filter(organization=office.org).values_list("name", flat=True)
    )
    assert names == {"发", "函", "纪要"}


def test_the_workflow_page_and_diagram(office):
    client = Client()
    client.force_login(office.drafter)
    page = client.get("/cases/types/outgoing/")
    assert page.status_code == 200
    for label in ("拟稿", "核稿", "会签", "审核", "签发", "编号", "用印", "印发", "归档"):
        assert label in page.content.decode()
    svg = client.get("/cases/types/outgoing/diagram.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content


def test_no_document_office_no_review_pass(office):
    o = office
    Unit.objects.filter(pk=o.wendian.pk).update(active=False)
    case = draft(o)
    act(case, "submit", o.drafter)
    with pytest.raises(GuardFailed, match="未设置文电处"):
        act(case, "review_pass", o.head)


def test_page_queries_do_not_grow_with_recipients(office, django_assert_num_queries):
    """The panel's queries are fixed: more recipients and receipts cost none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    o = office
    case = to_issuing(o, draft(o))
    act(case, "issue", o.clerk)
    client = Client()
    client.force_login(o.clerk)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/cases/{case.pk}/")
    extra = [
        Unit.objects.create(name=f"市直部门{i}", kind=UnitKind.EXTERNAL, order=950 + i)
        for i in range(5)
    ]
    detail = OutgoingDocument.objects.get(case=case)
    for unit in extra:
        ExchangeReceipt.objects.create(document=detail, unit=unit, role="cc")
    OutgoingDocument.objects.filter(pk=detail.pk).update(cc=[u.pk for u in extra])
    with CaptureQueriesContext(connection) as many:
        client.get(f"/cases/{case.pk}/")
    assert len(few) > 10 and len(many) == len(few), (len(few), len(many))


def test_reimport_by_someone_who_may_not_edit_is_refused(office):
    o = office
    case = draft(o)
    act(case, "submit", o.drafter)
    act(case, "review_pass", o.head)  # 文电处 now sees it, but does not edit the text
    client = Client()
    client.force_login(o.clerk)
    data = _docx([TITLE, "各区、县（市）人民政府：", "另一稿。", "沈阳市人民政府办公厅"])
    case.refresh_from_db()
    response = client.post(
        f"/documents/outgoing/{case.pk}/reimport/",
        {"version": str(case.version), "file": SimpleUploadedFile("另稿.docx", data, DOCX)},
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert "另一稿" not in case.body
