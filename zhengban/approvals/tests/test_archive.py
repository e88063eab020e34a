"""归档 of a 签报: its 签报单 becomes one archive item (件, DA/T 22) with its 档号 and the
归档章 on page 1, shown on the panel and listed in the 归档文件目录."""

import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from zhengban.approvals.models import ApprovalRequest
from zhengban.documents import archive
from zhengban.documents.models import ArchiveItem

from .conftest import draft, perform, to_leaders


def test_an_archived_request_is_an_item_with_its_slip(client, office, settings):
    settings.DOCUMENTS_FONDS = "0194"
    case = draft(office)
    to_leaders(office, case, office.leader1, office.leader2)
    perform(case, "approve", office.leader1, comment="同意，请陈副市长审批。")
    perform(case, "approve", office.leader2, comment="同意。")
    perform(case, "archive", office.drafter)
    case.refresh_from_db()
    detail = ApprovalRequest.objects.get(case=case)
    item = detail.archive_item
    year = timezone.localdate().year
    # A 签报 is the office's own general business document: 定期30年 (第八条).
    assert item.archival_code == f"0194-WS·{year}-D30-WS-0001"
    assert (item.doc_type, item.document_number) == ("签报", case.number)
    assert (item.responsible, item.title) == ("综合处", case.title)
    assert item.date == timezone.localtime(detail.decided_at).date()
    reader = PdfReader(io.BytesIO(bytes(item.file)))
    assert item.pages == len(reader.pages) >= 1
    first = reader.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert "签报单" in first and "同意，请陈副市长审批。" in first
    for stamp in ("全宗号", "0194", "件号", "0001", "定期30年", str(year)):
        assert stamp in first, stamp
    assert item.file_sm3 == archive.sm3(bytes(item.file))
    # The panel shows the 档号 to the drafter (the archive's link is 文电处's).
    client.force_login(office.drafter)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'<dd data-testid="archival-code">{item.archival_code}</dd>' in html
    # An office leader keeps the archive: the code links to the file, the register lists it.
    client.force_login(office.leader1)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("documents:archive_file", args=[item.pk]) in html
    register = client.get(reverse("documents:archive"), {"doc_type": "签报"}).content.decode()
    assert f'data-code="{item.archival_code}"' in register


def test_a_refused_request_is_archived_too(office):
    case = draft(office)
    to_leaders(office, case, office.leader1)
    perform(case, "refuse", office.leader1, comment="不符合规定。")
    perform(case, "archive", office.drafter)
    item = ArchiveItem.objects.get()
    assert ApprovalRequest.objects.get(case=case).archive_item == item
    assert item.item_number == 1 and item.doc_type == "签报"
