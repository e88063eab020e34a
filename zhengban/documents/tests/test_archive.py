"""归档 of a 收文 (its 收文处理笺 with the original's scan as one 件, DA/T 22) and the archive's
pages: the 归档文件目录 with its filters at a fixed number of queries, the archived PDF
re-checked on download (409 when changed), a year's transfer package that verifies, and who
is refused (audited)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from zhengban.accounts.choices import Role
from zhengban.audit.models import AuditRecord
from zhengban.cases.errors import GuardFailed
from zhengban.documents import archive, archive_services, incoming
from zhengban.documents.content import OfficialDocument
from zhengban.documents.models import ArchiveItem
from zhengban.documents.services import archive_item_create
from zhengban.documents.tests.test_incoming import (
    NUMBER,
    TITLE,
    _user,
    make_office,
    perform,
    registered,
)

pytestmark = pytest.mark.django_db


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_of(page) -> str:
    return page.extract_text().replace(" ", "").replace("\n", "")


@pytest.fixture
def office(settings, tmp_path):
    settings.PRIVATE_STORAGE_DIR = tmp_path / "private"
    settings.DOCUMENTS_FONDS = "0194"
    return make_office()


def to_closed(client, office, *, scan: bytes | None = None, **kwargs):
    case = registered(client, office, **kwargs)
    if scan is not None:
        incoming.attach_original(
            case=case,
            actor=office.clerk,
            uploaded_file=SimpleUploadedFile("scan.pdf", scan, "application/pdf"),
        )
    perform(case, "submit", office.clerk)
    perform(case, "accept", office.clerk)
    perform(
        case, "propose", office.clerk, params={"leader_1": office.leader1}, comment="拟请阅示。"
    )
    perform(case, "instruct", office.leader1, comment="请农经处办理。")
    perform(case, "assign", office.clerk, params={"lead_unit": office.nongjing})
    perform(case, "complete", office.farmer, params={"report": "已办理。"})
    case.refresh_from_db()
    return case


def test_an_archived_incoming_document_is_one_item_with_its_slip_and_scan(client, office):
    case = to_closed(client, office, scan=blank_pdf(2))
    perform(case, "archive", office.clerk)
    case.refresh_from_db()
    detail = case.incoming
    item = detail.archive_item
    year = timezone.localdate().year
    # A 通知 received: 定期10年 (第八条); 来文机关 is the 责任者, 来文字号 the 文号.
    assert item.archival_code == f"0194-WS·{year}-D10-WS-0001"
    assert (item.retention, item.item_number) == ("D10", 1)
    assert (item.document_number, item.responsible, item.title) == (NUMBER, "省政府办公厅", TITLE)
    assert (item.doc_type, item.date) == ("通知", detail.received_on)
    assert case.events.get(action="archive").data["archival_code"] == item.archival_code
    reader = PdfReader(io.BytesIO(bytes(item.file)))
    slip_pages = archive.pdf_page_count(incoming_slip_pdf(case))
    assert item.pages == len(reader.pages) == slip_pages + 2
    first = text_of(reader.pages[0])
    # The slip first, with the 归档章 on its first page; the scan after it.
    assert "收文处理笺" in first
    for stamp in ("全宗号", "0194", "年度", str(year), "件号", "0001", "保管期限", "定期10年"):
        assert stamp in first, stamp
    assert text_of(reader.pages[-1]) == ""  # the blank scan
    assert item.file_sm3 == archive.sm3(bytes(item.file))
    # The panel shows the 档号, linked for 文电处.
    client.force_login(office.clerk)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    link = reverse("documents:archive_file", args=[item.pk])
    assert f'<dd data-testid="archival-code"><a href="{link}">{item.archival_code}</a>' in html
    # 农经处 sees the code on the case it handled, without the archive's link.
    client.force_login(office.farmer)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'<dd data-testid="archival-code">{item.archival_code}</dd>' in html


def incoming_slip_pdf(case) -> bytes:
    from zhengban.documents.render.slip import render_slip

    return render_slip(incoming.slip_for(case))


def test_without_a_scan_the_slip_alone_is_archived(client, office):
    case = to_closed(client, office)
    perform(case, "archive", office.clerk)
    item = ArchiveItem.objects.get()
    assert item.pages == archive.pdf_page_count(bytes(item.file)) >= 1
    assert "收文处理笺" in text_of(PdfReader(io.BytesIO(bytes(item.file))).pages[0])


def test_a_changed_scan_is_not_archived(client, office):
    from zhengban.cases.attachments import _path_of

    case = to_closed(client, office, scan=blank_pdf())
    path = _path_of(case.attachments.get())
    path.write_bytes(path.read_bytes() + b"\n% changed")
    with pytest.raises(GuardFailed, match="校验失败"):
        perform(case, "archive", office.clerk)
    case.refresh_from_db()
    assert case.state == "closed" and not ArchiveItem.objects.exists()


# --- the register --------------------------------------------------------------------------


@pytest.fixture
def keeper(office):
    return office.clerk  # 文电处's 文书


def file_item(office, *, title, doc_type="通知", number="", year=None, incoming=False, **kw):
    day = timezone.localdate().replace(year=year) if year else timezone.localdate()
    document = OfficialDocument(
        doc_type=doc_type,
        title=title,
        number=number,
        signature=["测试市人民政府办公厅"],
        date_text=f"{day.year}年{day.month}月{day.day}日",
    )
    return archive_item_create(
        organization=office.wendian.organization,
        document=document,
        pdf=blank_pdf(),
        fonds="0194",
        unit_code=kw.pop("unit_code", "WS"),
        actor=office.clerk,
        incoming=incoming,
        **kw,
    )


def codes(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-code="')[1:]]


def test_the_register_lists_and_filters(client, office, keeper):
    year = timezone.localdate().year
    decision = file_item(
        office, title="关于调整议事协调机构的决定", doc_type="决定", number="沈政办发〔2026〕3号"
    )
    letter = file_item(
        office, title="关于商请支持的函", doc_type="函", number="沈政办函〔2026〕8号"
    )
    old = file_item(office, title="关于上年值班情况的通报", doc_type="通报", year=year - 1)
    other = file_item(office, title="农经处的通知", unit_code="NJC")
    client.force_login(keeper)
    url = reverse("documents:archive")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "归档文件目录" in html
    for column in (
        "档号",
        "件号",
        "文号",
        "责任者",
        "题名",
        "日期",
        "页数",
        "密级",
        "保管期限",
        "备注",
    ):
        assert f"<th>{column}</th>" in html, column
    assert set(codes(page)) == {i.archival_code for i in (decision, letter, old, other)}
    assert decision.retention == "Y" and letter.retention == "D10"
    link = reverse("documents:archive_file", args=[decision.pk])
    assert f'href="{link}"' in html and "沈政办发〔2026〕3号" in html
    assert codes(client.get(url, {"year": year - 1})) == [old.archival_code]
    assert codes(client.get(url, {"retention": "Y"})) == [decision.archival_code]
    assert codes(client.get(url, {"unit_code": "NJC"})) == [other.archival_code]
    assert codes(client.get(url, {"doc_type": "函"})) == [letter.archival_code]
    assert codes(client.get(url, {"q": "议事协调"})) == [decision.archival_code]
    assert codes(client.get(url, {"q": "沈政办函"})) == [letter.archival_code]
    assert client.get(url, {"retention": "X"}).status_code == 400
    assert client.get(url, {"year": "abc"}).status_code == 400
    assert client.get(url, {"year": "１９９９"}).status_code == 400  # full-width digits
    # A year without items (a bookmark, a year just begun) is an empty list, not an error.
    empty = client.get(url, {"year": year + 1})
    assert empty.status_code == 200 and codes(empty) == []
    assert "没有符合条件的归档文件" in empty.content.decode()


def test_the_register_pages_by_25_at_a_fixed_cost(client, office, keeper):
    client.force_login(keeper)
    url = reverse("documents:archive")
    file_item(office, title="第1件")
    client.get(url)  # warm the caches (fonts, session)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(2, 28):
        file_item(office, title=f"第{n}件", doc_type=("通知", "函", "报告")[n % 3])
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(codes(page)) == 25 and "第1页，共2页（27件）" in page.content.decode()
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
    assert len(codes(client.get(url, {"page": 2}))) == 2


# --- downloads -----------------------------------------------------------------------------


def test_the_archived_file_downloads_and_a_changed_one_is_refused(client, office, keeper):
    item = file_item(office, title="关于加强值班工作的通知")
    client.force_login(keeper)
    url = reverse("documents:archive_file", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data == bytes(item.file) and response["Content-Disposition"].startswith("attachment")
    assert AuditRecord.objects.filter(action="documents.archive_download").count() == 1
    # One byte changed in the database: refused with the reason, and recorded.
    changed = bytearray(item.file)
    changed[-20] ^= 1
    ArchiveItem.objects.filter(pk=item.pk).update(file=bytes(changed))
    response = client.get(url)
    assert response.status_code == 409
    html = response.content.decode()
    assert "SM3 校验值与归档时记录的不一致" in html and item.archival_code in html
    assert AuditRecord.objects.filter(action="documents.archive_refused").count() == 1
    # A package of that year is refused too.
    package = client.get(reverse("documents:archive_package"), {"year": item.year})
    assert package.status_code == 409 and item.archival_code in package.content.decode()


def test_the_transfer_package_carries_the_files_manifest_and_checksums(
    client, office, keeper, tmp_path, monkeypatch
):
    year = timezone.localdate().year
    items = [
        file_item(office, title="关于调整议事协调机构的决定", doc_type="决定"),
        file_item(office, title="关于商请支持的函", doc_type="函"),
    ]
    file_item(office, title="上年度的报告", doc_type="报告", year=year - 1)
    made = []
    original = archive_services.package_zip

    def spy(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(archive_services, "package_zip", spy)
    client.force_login(keeper)
    response = client.get(reverse("documents:archive_package"), {"year": year})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    # Closed as the server would, without the request_finished handler that would close the
    # test's database connection (the test client keeps it disconnected likewise).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert not made[0].parent.exists()  # the temporary directory went with the response
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        names = bundle.namelist()
        bundle.extractall(tmp_path / "out")
    root = tmp_path / "out" / f"0194-WS-{year}"
    wanted = ("manifest.csv", "manifest.xml", "SM3SUMS", "SM3SUMS.hmac")
    assert {f"0194-WS-{year}/{n}" for n in wanted} <= set(names)
    pdfs = sorted(Path(n).name for n in names if n.endswith(".pdf"))
    assert pdfs == sorted(f"{i.archival_code}.pdf" for i in items)  # only that year's
    assert archive.verify_package(root, tag=archive_services.package_tag) == []
    manifest = (root / "manifest.csv").read_text(encoding="utf-8-sig")
    assert all(i.archival_code in manifest for i in items)
    record = AuditRecord.objects.get(action="documents.archive_package")
    assert record.changes["items"] == 2
    # An altered file in the extracted package is named by the verification.
    pdf = next(root.rglob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"x")
    assert {p.path for p in archive.verify_package(root)} >= {pdf.relative_to(root).as_posix()}


def test_a_year_without_items_goes_back_to_the_register(client, office, keeper):
    client.force_login(keeper)
    response = client.get(reverse("documents:archive_package"), {"year": 1999})
    assert response.status_code == 302 and response["Location"] == reverse("documents:archive")
    assert client.get(reverse("documents:archive_package")).status_code == 400


# --- who may ---------------------------------------------------------------------------------


def test_only_the_document_office_and_office_leaders_open_the_archive(client, office):
    item = file_item(office, title="关于加强值班工作的通知")
    head = _user("wendian_head", [office.wendian], [Role.DIVISION_HEAD])
    office.wendian.memberships.filter(user=head).update(is_head=True)
    head = type(head).objects.get(pk=head.pk)
    contact = _user("bureau_contact", [office.bureau], [Role.UNIT_CONTACT])
    sysadmin = _user("sysadmin", [], [Role.SYSTEM_ADMIN])
    mayor = _user("mayor", [], [Role.CITY_LEADER])
    urls = [
        reverse("documents:archive"),
        reverse("documents:archive_file", args=[item.pk]),
        reverse("documents:archive_package") + f"?year={item.year}",
    ]
    for user in (office.clerk, head, office.leader1):
        client.force_login(user)
        assert [client.get(u).status_code for u in urls] == [200, 200, 200], user
        assert "归档文件目录" in client.get(reverse("home")).content.decode()
    # Another division's staff and its clerk, an external contact, a city leader, the 三员.
    for user in (office.farmer, office.other_clerk, contact, mayor, sysadmin):
        client.force_login(user)
        before = AuditRecord.objects.filter(action="audit.denied").count()
        assert [client.get(u).status_code for u in urls] == [403, 403, 403], user
        denied = AuditRecord.objects.filter(action="audit.denied").order_by("seq")
        assert denied.count() == before + 3
        assert denied.last().changes["attempted"] == "documents.archive"
        if user is not sysadmin:
            assert "归档文件目录" not in client.get(reverse("home")).content.decode()
    client.logout()
    for u in urls:
        response = client.get(u)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
