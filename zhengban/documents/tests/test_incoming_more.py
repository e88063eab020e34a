"""收文 beyond the flow: the pointer to the classified register, the scan of the original,
传阅 with read receipts and 催办 where practice expects them, the router's suggestions at
拟办, and the 收文处理笺 downloaded through the kernel's access."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from zhengban.audit.models import AuditRecord
from zhengban.cases import assignments, selectors, services
from zhengban.cases.assignments import assignment_report
from zhengban.cases.choices import TaskKind
from zhengban.cases.models import Case, CaseEvent, Task
from zhengban.documents.tests.test_incoming import (
    NUMBER,
    make_office,
    perform,
    register,
    registered,
)


@pytest.fixture
def office(db):
    return make_office()


def pdf(javascript: str = "") -> bytes:
    """A one-page A4 PDF, as a scanner would write (or with a script, as no scan has)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if javascript:
        script = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(javascript),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_classified_document_is_pointed_to_the_register(client, office):
    client.force_login(office.clerk)
    page = client.get(reverse("cases:create") + "?type=incoming").content.decode()
    link = f'<a href="{reverse("classified:list")}" data-testid="classified-link">'
    assert 'name="d-classified"' in page and link in page
    response = register(client, office, **{"d-classified": "on"})
    html = response.content.decode()
    assert response.status_code == 400 and link in html and "不在此登记正文和扫描件" in html
    assert not Case.objects.exists()


def test_the_registration_form_takes_the_scan(client, office):
    client.force_login(office.clerk)
    page = client.get(reverse("cases:create") + "?type=incoming").content.decode()
    assert 'name="d-scan"' in page and 'enctype="multipart/form-data"' in page


def test_the_scan_of_the_original_is_attached_and_listed_first(client, office):
    scan = SimpleUploadedFile("scan.pdf", pdf(), "application/pdf")
    response = register(client, office, **{"d-scan": scan})
    assert response.status_code == 302
    case = Case.objects.get()
    attachment = case.attachments.get()
    assert attachment.original_name == f"原件扫描件（{NUMBER}）.pdf"
    assert attachment.content_type == "application/pdf"
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="incoming-original"' in html and "原件扫描件" in html
    assert 'data-testid="incoming-needs-scan"' not in html
    # A file that is not a PDF is refused by the form, before anything is created.
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = register(client, office, number="辽政办发〔2026〕99号", **{"d-scan": fake})
    assert response.status_code == 400 and "须为PDF" in response.content.decode()
    assert Case.objects.count() == 1


def test_the_kernels_upload_checks_apply_to_the_scan_and_nothing_is_kept(client, office):
    active = SimpleUploadedFile("s.pdf", pdf(javascript="app.alert(1);"), "application/pdf")
    response = register(client, office, **{"d-scan": active})
    assert response.status_code == 400
    # The case and its history are rolled back with the refused scan.
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_registration_without_a_scan_asks_for_it(client, office):
    case = registered(client, office)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="incoming-needs-scan"' in html


def _to_dispatching(client, office) -> Case:
    case = registered(client, office)
    perform(case, "submit", office.clerk)
    perform(case, "accept", office.clerk)
    perform(
        case,
        "propose",
        office.clerk,
        params={
            "leader_1": office.leader1,
            "leader_2": office.leader2,
            "suggested_units": [office.nongjing],
        },
        comment="拟请两位领导阅示。",
    )
    perform(case, "instruct", office.leader1, comment="请农经处办理。")
    perform(case, "instruct", office.leader2, comment="同意。")
    case.refresh_from_db()
    return case


def test_the_routers_suggestions_at_proposing(client, office):
    case = registered(client, office)
    perform(case, "submit", office.clerk)
    perform(case, "accept", office.clerk)
    client.force_login(office.clerk)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="incoming-routing"' in html
    assert f"{reverse('routing:suggest')}?scope=all&amp;text=" in html
    # Not for a leader reading the case, and not once the units are chosen.
    client.force_login(office.leader1)
    assert (
        'data-testid="incoming-routing"'
        not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    )


def test_circulation_with_read_receipts_and_urging(client, office):
    case = _to_dispatching(client, office)
    assert case.state == "dispatching"
    client.force_login(office.clerk)
    offered = '<details data-action="circulate"'
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert offered in html  # 传阅 offered after the 批示
    services.case_circulate(
        case=case, actor=office.clerk, version=case.version, users=[office.farmer], note="请阅"
    )
    # The reader opens the case: a read receipt, shown in the 收文 panel.
    client.force_login(office.farmer)
    client.get(reverse("cases:detail", args=[case.pk]))
    task = Task.objects.get(case=case, kind=TaskKind.CIRCULATE)
    assert task.read_at is not None
    client.force_login(office.clerk)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="incoming-reader"' in html and "farmer" in html and "已阅" in html
    # 承办: 传阅 still offered, and 催办 for the working units.
    perform(
        case,
        "assign",
        office.clerk,
        params={"lead_unit": office.nongjing, "co_units": [office.bureau]},
    )
    case.refresh_from_db()
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert offered in html
    page = selectors.case_page(office.clerk, case)
    lead = next(v for v in page.assignments if v.assignment.unit_id == office.nongjing.pk)
    assert lead.can_urge  # 催办, offered on the unit's row
    assignments.case_urge(case=case, actor=office.clerk, message="请加快办理。")
    assert case.events.filter(action="urge").exists()


def test_the_slip_downloads_with_the_whole_handling(client, office):
    case = _to_dispatching(client, office)
    services.case_circulate(
        case=case, actor=office.clerk, version=case.version, users=[office.farmer]
    )
    perform(
        case,
        "assign",
        office.clerk,
        params={"lead_unit": office.nongjing, "co_units": [office.bureau]},
    )
    co = case.assignments.get(unit=office.bureau)
    assignment_report(assignment=co, actor=office.clerk, report="已配合检查。", on_behalf=True)
    perform(case, "complete", office.farmer, params={"report": "已部署全市检查。"})
    client.force_login(office.clerk)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("documents:incoming_slip", args=[case.pk])
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    for expected in (
        "测试市人民政府办公厅收文处理笺",
        NUMBER,
        case.number,
        "拟请两位领导阅示。",
        "请农经处办理。",
        "leader1",
        "leader2",
        "主办：农经处；协办：市应急管理局",
        "已部署全市检查。",
        "已配合检查。",
        "farmer（未阅）",
    ):
        assert expected in text, expected
    assert text.index("请农经处办理。") < text.index("同意。")
    assert AuditRecord.objects.filter(action="incoming.slip", object_id=str(case.pk)).exists()
    # Someone who may not read the case gets nothing; a POST is not a download.
    client.force_login(office.other_clerk)
    assert client.get(url).status_code == 404
    client.force_login(office.clerk)
    assert client.post(url).status_code == 405
    assert client.get(reverse("documents:incoming_slip", args=[999999])).status_code == 404


def test_proposing_names_the_leaders_in_the_order_picked(client, office):
    case = registered(client, office)
    perform(case, "submit", office.clerk)
    perform(case, "accept", office.clerk)
    url = reverse("cases:perform", args=[case.pk, "propose"])
    case.refresh_from_db()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "第一位批示领导" in page and "第二位批示领导" in page
    response = client.post(url, {"version": case.version, "comment": "拟请阅示。"})
    assert response.status_code in (302, 400)
    case.refresh_from_db()
    assert case.state == "proposing"  # nobody chosen: refused
    data = {
        "version": case.version,
        "comment": "拟请张、王两位领导依次阅示。",
        "leader_1": str(office.leader2.pk),
        "leader_2": str(office.leader1.pk),
    }
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.state == "instructing"
    order = list(case.slots.filter(name="leaders").order_by("position"))
    assert [s.user_id for s in order] == [office.leader2.pk, office.leader1.pk]
    task = Task.objects.get(case=case, kind=TaskKind.INSTRUCT, state="open")
    assert task.assignee_id == office.leader2.pk


def test_the_original_is_uploaded_from_the_panel(client, office):
    case = registered(client, office)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("documents:incoming_original", args=[case.pk])
    assert f'action="{url}"' in html
    fake = SimpleUploadedFile("x.pdf", b"<html>no</html>", "application/pdf")
    response = client.post(url, {"scan": fake}, follow=True)
    assert "须为PDF" in response.content.decode() and not case.attachments.exists()
    scan = SimpleUploadedFile("扫描.pdf", pdf(), "application/pdf")
    assert client.post(url, {"scan": scan}).status_code == 302
    attachment = case.attachments.get()
    assert attachment.original_name == f"原件扫描件（{NUMBER}）.pdf"
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="incoming-original"' in html and f'action="{url}"' not in html
    # Someone outside the case cannot reach it; a GET is not an upload.
    client.force_login(office.other_clerk)
    assert client.post(url, {"scan": scan}).status_code == 404
    assert client.get(url).status_code == 405
