"""The classified register: metadata only (content refused on every path), who may see and
act, the circulation log, 退还 and the approved 销毁, each audited."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhengban.accounts.choices import Role
from zhengban.accounts.services import user_create
from zhengban.audit.models import AuditRecord
from zhengban.classified.models import ClassifiedDocument, DecisionState, Status
from zhengban.org.choices import OrganizationKind, UnitKind
from zhengban.org.models import Organization, Regulation, Unit


def _user(name, units=(), roles=(), head_of=()):
    return user_create(
        username=name,
        password="x",
        display_name=name,
        roles=tuple(roles),
        units=tuple(units),
        head_of=tuple(head_of),
        validate_password=False,
    )


@pytest.fixture
def office(db):
    regulation = Regulation.objects.create(title="t", source_text="t", sha256="0", parsed={})
    org = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )
    wendian = Unit.objects.create(organization=org, name="文电处", order=1)
    other = Unit.objects.create(organization=org, name="综合处", order=2)
    province = Unit.objects.create(name="省委办公厅", kind=UnitKind.EXTERNAL, order=10)

    o = SimpleNamespace()
    o.wendian, o.province = wendian, province
    o.clerk = _user("clerk", [wendian], [Role.CLERK])
    o.head = _user("head", [wendian], [Role.DIVISION_HEAD], head_of=[wendian])
    o.other_clerk = _user("other_clerk", [other], [Role.CLERK])
    o.other_head = _user("other_head", [other], [Role.DIVISION_HEAD], head_of=[other])
    o.staff = _user("staff", [wendian], [Role.STAFF])
    o.leader = _user("leader", [], [Role.OFFICE_LEADER])
    o.confidential = _user("jiyao", [other], ["confidential_clerk"])
    return o


def form_data(office, **extra):
    return {
        "sender": str(office.province.pk),
        "sender_name": "",
        "sender_number": "辽委办发〔2026〕3号",
        "title": "关于某项工作的通知",
        "register_title": "",
        "level": "3",
        "secrecy_period": "10年",
        "copy_number": "000012",
        "copies": "1",
        "received_on": timezone.localdate().isoformat(),
        "holder": str(office.clerk.pk),
        "location": "机要室保密柜2号",
        "remarks": "",
        **extra,
    }


def registered(client, office, **extra) -> ClassifiedDocument:
    client.force_login(office.clerk)
    response = client.post(reverse("classified:create"), form_data(office, **extra))
    assert response.status_code == 302, response.content.decode()
    return ClassifiedDocument.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/")[-1]))


def audited(action) -> int:
    return AuditRecord.objects.filter(action=action).count()


def test_registered_as_metadata_and_listed_with_filters(client, office):
    document = registered(client, office)
    year = timezone.localdate().year
    assert document.number == f"密收〔{year}〕1号"
    assert (document.sender_name, document.level, document.status) == ("省委办公厅", 3, "held")
    assert document.level_mark == "机密★10年" and document.unit == office.wendian
    assert audited("classified.register") == 1
    secret = registered(client, office, level="2", copy_number="000013", title="另一份")
    html = client.get(reverse("classified:detail", args=[document.pk])).content.decode()
    assert "000012" in html and "机密★10年" in html and "机要室保密柜2号" in html
    assert audited("classified.read") == 1  # reading the record is audited
    page = client.get(reverse("classified:list") + "?level=2").content.decode()
    assert f'data-record="{secret.pk}"' in page and f'data-record="{document.pk}"' not in page
    page = client.get(reverse("classified:list") + "?status=returned").content.decode()
    assert "data-record=" not in page
    assert client.get(reverse("classified:list") + "?level=9").status_code == 200


def test_a_classified_title_is_not_stored(client, office):
    client.force_login(office.clerk)
    data = form_data(office, title_classified="on")
    response = client.post(reverse("classified:create"), data)
    assert response.status_code == 400 and "不得录入原标题" in response.content.decode()
    document = registered(
        client, office, title_classified="on", title="", register_title="省委办公厅来文（机密件）"
    )
    assert document.title == "" and document.display_title == "省委办公厅来文（机密件）"
    listing = client.get(reverse("classified:list")).content.decode()
    assert "省委办公厅来文（机密件）" in listing


@pytest.mark.parametrize(
    ("level", "period", "message"),
    [("2", "15年", "不超过10年"), ("4", "31年", "不超过30年"), ("3", "十年", "保密期限请写作")],
)
def test_the_secrecy_period_is_checked(client, office, level, period, message):
    client.force_login(office.clerk)
    response = client.post(
        reverse("classified:create"), form_data(office, level=level, secrecy_period=period)
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not ClassifiedDocument.objects.exists()


def test_content_is_refused_on_every_path(client, office):
    client.force_login(office.clerk)
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 secret", "application/pdf")
    response = client.post(reverse("classified:create"), {**form_data(office), "scan": scan})
    assert response.status_code == 400
    assert "不接收正文、扫描件或附件" in response.content.decode()
    response = client.post(reverse("classified:create"), form_data(office, body="正文内容"))
    assert response.status_code == 400 and "保守国家秘密法" in response.content.decode()
    assert not ClassifiedDocument.objects.exists()
    # The API: a body under any name, or a file, is refused; metadata alone is registered.
    api = reverse("api-classified:list")
    payload = {k: v for k, v in form_data(office).items() if v != ""}
    for key in ("body", "content", "attachments"):
        response = client.post(api, {**payload, key: "x"}, content_type="application/json")
        assert response.status_code == 400, key
        assert "不接收正文" in str(response.json())
    response = client.post(api, {**payload, "file": scan.open()})
    assert response.status_code == 400
    assert not ClassifiedDocument.objects.exists()
    response = client.post(api, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["level"] == "机密" and response.json()["copy_number"] == "000012"
    response = client.post(api, {**payload, "level": 1}, content_type="application/json")
    assert response.status_code == 400  # 内部 is not a classified level
    # An existing record takes no file either.
    document = ClassifiedDocument.objects.get()
    response = client.post(
        reverse("classified:circulate", args=[document.pk]),
        {"recipient_name": "张三", "attachment": scan.open()},
    )
    assert response.status_code == 400 and not document.circulations.exists()


def test_who_sees_the_register(client, office):
    document = registered(client, office)
    for outsider in (office.other_clerk, office.other_head, office.staff):
        client.force_login(outsider)
        before = audited("audit.denied")
        assert client.get(reverse("classified:list")).status_code == 403
        assert client.get(reverse("classified:detail", args=[document.pk])).status_code == 403
        assert client.get(reverse("api-classified:list")).status_code == 403
        assert audited("audit.denied") == before + 3
    # Leaders read, but do not register or circulate.
    client.force_login(office.leader)
    assert client.get(reverse("classified:detail", args=[document.pk])).status_code == 200
    assert client.get(reverse("api-classified:list")).json()["count"] == 1
    assert client.post(reverse("classified:create"), form_data(office)).status_code == 403
    url = reverse("classified:circulate", args=[document.pk])
    assert client.post(url, {"recipient_name": "x"}).status_code == 403
    # The head of 文电处 and a 机要员 keep it.
    for keeper in (office.head, office.confidential):
        client.force_login(keeper)
        response = client.post(reverse("classified:create"), form_data(office, copy_number="9"))
        assert response.status_code == 302
    assert ClassifiedDocument.objects.count() == 3


def test_circulation_is_logged(client, office):
    document = registered(client, office)
    url = reverse("classified:circulate", args=[document.pk])
    assert client.post(url, {}).status_code == 400  # nobody named
    response = client.post(url, {"recipient": str(office.leader.pk), "note": "请阅"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.CIRCULATING
    # One copy is in one place: a second hand-out waits for the first to come back.
    response = client.post(url, {"recipient_name": "李四"})
    assert response.status_code == 400 and "正在传阅" in response.content.decode()
    # Nor can it be returned to the sender while out.
    response = client.post(
        reverse("classified:return", args=[document.pk]),
        {"returned_to": "省委办公厅", "returned_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    circulation = document.circulations.get()
    response = client.post(
        reverse("classified:circulation_return", args=[document.pk, circulation.pk])
    )
    assert response.status_code == 302
    document.refresh_from_db()
    circulation.refresh_from_db()
    assert document.status == Status.HELD and circulation.returned_at is not None
    assert client.post(url, {"recipient_name": "李四"}).status_code == 302
    html = client.get(reverse("classified:detail", args=[document.pk])).content.decode()
    assert "leader" in html and "李四" in html and "未退回" in html
    assert audited("classified.circulate") == 2 and audited("classified.circulation_return") == 1


def test_return_to_the_sender(client, office):
    document = registered(client, office)
    url = reverse("classified:return", args=[document.pk])
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert client.post(url, {"returned_to": "省委办公厅", "returned_on": future}).status_code == 400
    today = timezone.localdate().isoformat()
    assert (
        client.post(url, {"returned_to": "省委机要交通", "returned_on": today}).status_code == 302
    )
    document.refresh_from_db()
    assert document.status == Status.RETURNED and document.returned_to == "省委机要交通"
    # Gone: no more edits or hand-outs.
    assert client.get(reverse("classified:edit", args=[document.pk])).status_code == 403
    circulate = reverse("classified:circulate", args=[document.pk])
    assert client.post(circulate, {"recipient_name": "x"}).status_code == 400


def test_destruction_needs_approval(client, office):
    document = registered(client, office)
    today = timezone.localdate().isoformat()
    destroyed = reverse("classified:destroyed", args=[document.pk])
    # Not without approval.
    response = client.post(destroyed, {"destroyed_on": today, "witness": "王五"})
    assert response.status_code == 400 and "须先经审批" in response.content.decode()
    ask = reverse("classified:destruction_request", args=[document.pk])
    assert client.post(ask, {"reason": "已过保密期限，无保存价值"}).status_code == 302
    request = document.destruction_requests.get()
    decide = reverse("classified:destruction_decide", args=[document.pk, request.pk])
    # The clerk who keeps it may not approve; a leader refuses only with a reason.
    assert client.post(decide, {"approve": "1"}).status_code == 403
    client.force_login(office.leader)
    response = client.post(decide, {"approve": "0"})
    assert response.status_code == 400 and "写明理由" in response.content.decode()
    assert client.post(decide, {"approve": "0", "reason": "尚需备查"}).status_code == 302
    document.refresh_from_db()
    request.refresh_from_db()
    assert document.status == Status.HELD and request.state == DecisionState.REFUSED
    # Asked again by the head, who may not approve their own request; a leader does.
    client.force_login(office.head)
    assert client.post(ask, {"reason": "备查期满"}).status_code == 302
    second = document.destruction_requests.latest("pk")
    decide = reverse("classified:destruction_decide", args=[document.pk, second.pk])
    response = client.post(decide, {"approve": "1"})
    assert response.status_code == 400 and "不能审批本人" in response.content.decode()
    client.force_login(office.leader)
    page = client.get(reverse("classified:detail", args=[document.pk])).content.decode()
    assert 'data-testid="decision-form"' in page
    assert client.post(decide, {"approve": "1", "reason": "同意销毁"}).status_code == 302
    document.refresh_from_db()
    assert document.status == Status.DESTRUCTION_APPROVED
    client.force_login(office.clerk)
    assert client.post(destroyed, {"destroyed_on": today, "witness": ""}).status_code == 400
    assert client.post(destroyed, {"destroyed_on": today, "witness": "王五"}).status_code == 302
    document.refresh_from_db()
    assert document.status == Status.DESTROYED and document.destruction_witness == "王五"
    html = client.get(reverse("classified:detail", args=[document.pk])).content.decode()
    assert "尚需备查" in html and "同意销毁" in html and "王五" in html
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "classified.destruction_request",
        "classified.destruction_refuse",
        "classified.destruction_approve",
        "classified.destroyed",
    } <= actions


def test_edit_keeps_the_metadata_checks(client, office):
    document = registered(client, office)
    url = reverse("classified:edit", args=[document.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(office, holder=str(office.head.pk), copy_number="000099"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.holder, document.copy_number) == (office.head, "000099")
    record = AuditRecord.objects.filter(action="classified.update").get()
    assert record.changes["copy_number"] == ["000012", "000099"]
    response = client.post(url, form_data(office, sender_number="辽委办发[2026]3号"))
    assert response.status_code == 400 and "六角括号" in response.content.decode()
