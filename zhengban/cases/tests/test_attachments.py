"""Attachments: type from content, size limit, safe names, private storage, permission and
audit on upload and download."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zhengban.accounts.choices import Clearance
from zhengban.audit.models import AuditRecord
from zhengban.cases import errors, services
from zhengban.cases.attachments import (
    AttachmentRefused,
    attachment_add,
    attachment_open,
    attachment_response,
    display_name,
)
from zhengban.cases.models import Attachment, CaseEvent


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Creating the office's users with the production hasher dominates the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    root = tmp_path / "private"
    settings.PRIVATE_STORAGE_DIR = root
    return root


@pytest.fixture
def case(office):
    return services.case_create(
        case_type="assigned_task",
        title="关于做好今冬明春农村饮水安全工作的通知",
        body="请农经处牵头抓好落实。",
        owner_unit=office.duchashi,
        actor=office.clerk,
        sensitivity=Clearance.INTERNAL,
    )


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def zip_bytes(*names: str, prefix: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return prefix + buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    """Real images: uploads are decoded in full, a header alone is refused."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return buffer.getvalue()


PDF = pdf_bytes()
ALLOWED = [
    ("通知.pdf", PDF, "application/pdf"),
    ("公文.ofd", zip_bytes("OFD.xml", "Doc_0/Document.xml"), "application/ofd"),
    (
        "方案.docx",
        zip_bytes("[Content_Types].xml", "word/document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "统计表.xlsx",
        zip_bytes("[Content_Types].xml", "xl/workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "汇报.pptx",
        zip_bytes("[Content_Types].xml", "ppt/presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("旧稿.doc", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504), "application/msword"),
    ("旧表.xls", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504), "application/vnd.ms-excel"),
    ("扫描件.png", image_bytes("PNG"), "image/png"),
    ("照片.jpg", image_bytes("JPEG"), "image/jpeg"),
    ("档案.tif", image_bytes("TIFF"), "image/tiff"),
    ("说明.txt", "请于本周五前反馈。\n".encode(), "text/plain; charset=utf-8"),
    ("名单.csv", "姓名,处室\n张三,农经处\n".encode("gb18030"), "text/plain; charset=utf-8"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), ALLOWED)
def test_allowed_types_are_stored_privately_under_a_random_name(
    office, case, storage, name, content, content_type
):
    # The browser's claim is ignored: everything arrives as octet-stream here.
    attachment = attachment_add(case=case, actor=office.clerk, uploaded_file=upload(name, content))
    assert attachment.original_name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    year, month, stored = attachment.stored_name.split("/")
    assert len(year) == 4 and len(month) == 2 and len(stored) == 32
    assert name not in attachment.stored_name
    path = storage / year / month / stored
    assert path.read_bytes() == content
    assert path.stat().st_mode & 0o077 == 0  # readable by the service account only
    assert stored_files(storage) == [path]


def test_upload_records_an_event_and_an_audit_entry(office, case, storage):
    attachment = attachment_add(case=case, actor=office.clerk, uploaded_file=upload("a.pdf", PDF))
    event = CaseEvent.objects.get(case=case, action="attachment.add")
    assert event.actor == office.clerk
    assert event.data["attachment_id"] == attachment.pk
    assert event.data["sha256"] == attachment.sha256
    record = AuditRecord.objects.get(action="cases.attachment.add")
    assert (record.actor_id, record.object_id) == (office.clerk.pk, str(case.pk))


def assert_refused(office, case, storage, name, content, match, actor=None):
    events = CaseEvent.objects.count()
    with pytest.raises(errors.CaseError, match=match):
        attachment_add(case=case, actor=actor or office.clerk, uploaded_file=upload(name, content))
    assert not Attachment.objects.exists()
    assert stored_files(storage) == []
    assert CaseEvent.objects.count() == events
    assert not AuditRecord.objects.filter(action="cases.attachment.add").exists()


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(118) + b"PE\x00\x00"
DISGUISED = [
    ("通知.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("通知.pdf", b"  <html><body onload=x()></body></html>"),
    ("通知.pdf", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>"),
    ("方案.docx", ELF),
    ("方案.docx", PE),
    ("方案.docx", zip_bytes("[Content_Types].xml", "payload/run.js")),
    ("方案.docx", zip_bytes("readme.txt")),
    # A web page with a valid document zipped onto its end.
    ("方案.docx", zip_bytes("[Content_Types].xml", "word/document.xml", prefix=b"<html>x</html>")),
    ("方案.docx", PDF),
    ("通知.pdf", "这其实是一段纯文本。".encode()),
    ("扫描件.jpg", b"\x89PNG\r\n\x1a\n" + bytes(64)),
    ("说明.txt", b"<html><script>alert(1)</script></html>"),
    ("说明.txt", b"#!/bin/sh\nrm -rf /\n"),
    ("说明.txt", b"\xef\xbb\xbf<html><script>alert(1)</script></html>"),
    ("说明.txt", PE),
    ("说明.txt", b"\xff\xfe\x00\x00binary\x00\x01\x02"),
    ("公文.ofd", zip_bytes("Doc_0/Document.xml")),
    ("noextension", PDF),
]


@pytest.mark.parametrize(("name", "content"), DISGUISED)
def test_content_that_does_not_match_the_extension_is_refused(office, case, storage, name, content):
    assert_refused(office, case, storage, name, content, "文件内容与扩展名不符")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", PE),
        ("page.html", b"<html></html>"),
        ("bundle.zip", zip_bytes("a.txt")),
        ("run.sh", b"#!/bin/sh\n"),
    ],
)
def test_types_outside_the_list_are_refused(office, case, storage, name, content):
    assert_refused(office, case, storage, name, content, "不允许上传该类型的文件")


def test_empty_file_is_refused(office, case, storage):
    assert_refused(office, case, storage, "空白.txt", b"", "文件为空")


def test_a_file_of_exactly_the_limit_is_accepted(office, case, storage, settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    content = PDF + bytes(2048 - len(PDF))
    upload_ = upload("a.pdf", content)
    attachment = attachment_add(case=case, actor=office.clerk, uploaded_file=upload_)
    assert attachment.size == 2048


def test_size_limit_gives_the_limit_in_the_message(office, case, storage, settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    content = PDF + bytes(2049 - len(PDF))
    assert_refused(office, case, storage, "big.pdf", content, "不得超过2 KB")


def test_size_reported_by_django_is_checked_before_reading(office, case, storage, settings):
    settings.ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
    big = upload("big.pdf", PDF)
    big.size = 60 * 1024 * 1024  # what Django reports for a large upload
    with pytest.raises(AttachmentRefused, match="不得超过50 MB"):
        attachment_add(case=case, actor=office.clerk, uploaded_file=big)
    assert stored_files(storage) == []


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\system32\\说明.txt", "说明.txt"),
        ("/var/lib/zhengban/说明.txt", "说明.txt"),
        ("说\x00明\r\n.txt", "说明.txt"),
        ("\u202etxt.exe", "txt.exe"),  # right-to-left override hides the real extension
        ('a<b>:"c|d?*.txt', "a_b___c_d__.txt"),
        ("...", "附件"),
    ],
)
def test_display_names_lose_paths_and_control_characters(given, shown):
    assert display_name(given) == shown


def test_a_traversal_name_is_stored_inside_the_storage_directory(office, case, storage):
    content = "正文".encode()
    attachment = attachment_add(
        case=case, actor=office.clerk, uploaded_file=upload("../../../../tmp/evil.txt", content)
    )
    assert attachment.original_name == "evil.txt"
    [path] = stored_files(storage)
    assert path.resolve().is_relative_to(storage.resolve())
    assert not Path("/tmp/evil.txt").exists() or Path("/tmp/evil.txt").read_bytes() != content


def test_a_disguised_extension_after_the_override_is_checked_on_the_cleaned_name(
    office, case, storage
):
    # Shown as "说明exe.txt" by a bidi-aware viewer; what counts is the cleaned name.
    assert_refused(office, case, storage, "说明\u202etxt.exe", PE, "不允许上传该类型的文件")


def test_classified_record_refuses_scans_on_an_ordinary_system(office, storage, settings):
    settings.CLASSIFIED_SYSTEM_LEVEL = 0
    register = services.case_create(
        case_type="assigned_task",
        title="某涉密文件登记",
        owner_unit=office.duchashi,
        actor=office.leader,
        sensitivity=Clearance.SECRET,
    )
    assert_refused(office, register, storage, "扫描件.pdf", PDF, "保守国家秘密法", office.leader)
    settings.CLASSIFIED_SYSTEM_LEVEL = Clearance.SECRET
    attachment = attachment_add(
        case=register, actor=office.leader, uploaded_file=upload("扫描件.pdf", PDF)
    )
    assert attachment.size == len(PDF)


@pytest.mark.parametrize("who", ["outsider", "low", "sysadmin", "anonymous"])
def test_people_who_may_not_work_on_the_case_cannot_upload(office, case, storage, who):
    actor = AnonymousUser() if who == "anonymous" else getattr(office, who)
    assert_refused(office, case, storage, "a.pdf", PDF, "无权", actor=actor)
    if who != "anonymous":
        assert AuditRecord.objects.filter(action="cases.denied", actor_id=actor.pk).exists()


def test_members_of_an_assigned_unit_may_upload(office, case, storage):
    case.refresh_from_db()
    case = services.case_perform(
        case=case, action_code="submit", actor=office.clerk, version=case.version
    )
    case = services.case_perform(
        case=case,
        action_code="assign",
        actor=office.head,
        version=case.version,
        params={"lead_unit": office.nongjing},
    )
    attachment = attachment_add(case=case, actor=office.farmer, uploaded_file=upload("b.pdf", PDF))
    assert attachment.uploaded_by == office.farmer
    with pytest.raises(errors.PermissionRefused):
        attachment_add(case=case, actor=office.teacher, uploaded_file=upload("c.pdf", PDF))


def test_closed_case_takes_no_attachments_even_if_closed_meanwhile(office, case, storage):
    stale = type(case).objects.get(pk=case.pk)
    type(case).objects.filter(pk=case.pk).update(closed=True)
    with pytest.raises(errors.TransitionNotAllowed, match="已办结"):
        attachment_add(case=stale, actor=office.clerk, uploaded_file=upload("a.pdf", PDF))
    assert stored_files(storage) == [] and not Attachment.objects.exists()


def test_download_returns_the_file_and_is_audited(office, case, storage):
    attachment = attachment_add(
        case=case, actor=office.clerk, uploaded_file=upload("通知 (定稿).pdf", PDF)
    )
    handle, content_type, name = attachment_open(attachment=attachment, actor=office.leader)
    with handle:
        assert handle.read() == PDF
    assert (content_type, name) == ("application/pdf", "通知 (定稿).pdf")
    record = AuditRecord.objects.get(action="cases.download")
    assert record.actor_id == office.leader.pk
    assert record.changes["attachment_id"] == attachment.pk
    assert record.changes["sha256"] == attachment.sha256


def test_download_response_is_an_attachment_and_never_sniffed(office, case, storage):
    attachment = attachment_add(
        case=case, actor=office.clerk, uploaded_file=upload("说明.txt", "内容".encode())
    )
    response = attachment_response(attachment=attachment, actor=office.clerk)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%AF%B4%E6%98%8E.txt" in response["Content-Disposition"]
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == "内容".encode()


@pytest.mark.parametrize("who", ["outsider", "low", "sysadmin", "anonymous"])
def test_download_is_404_for_people_who_cannot_see_the_case(office, case, storage, who):
    attachment = attachment_add(case=case, actor=office.clerk, uploaded_file=upload("a.pdf", PDF))
    actor = AnonymousUser() if who == "anonymous" else getattr(office, who)
    with pytest.raises(Http404):
        attachment_open(attachment=attachment, actor=actor)
    assert not AuditRecord.objects.filter(action="cases.download").exists()
    denied = AuditRecord.objects.get(action="audit.denied")
    assert denied.changes["attempted"] == "cases.download"
    assert denied.actor_id == (None if who == "anonymous" else actor.pk)


def test_a_tampered_stored_name_cannot_leave_the_storage_directory(office, case, storage):
    attachment = attachment_add(case=case, actor=office.clerk, uploaded_file=upload("a.pdf", PDF))
    attachment.stored_name = "../../../etc/passwd"
    with pytest.raises(Http404):
        attachment_open(attachment=attachment, actor=office.clerk)


def test_private_storage_is_outside_every_served_directory():
    private = Path(django_settings.PRIVATE_STORAGE_DIR).resolve()
    served = [Path(django_settings.STATIC_ROOT)]
    served += [Path(d[1] if isinstance(d, tuple) else d) for d in django_settings.STATICFILES_DIRS]
    if getattr(django_settings, "MEDIA_ROOT", ""):
        served.append(Path(django_settings.MEDIA_ROOT))
    for directory in served:
        directory = directory.resolve()
        assert not private.is_relative_to(directory)
        assert not directory.is_relative_to(private)


def test_no_url_serves_a_stored_file(office, case, storage, client):
    attachment = attachment_add(case=case, actor=office.clerk, uploaded_file=upload("a.pdf", PDF))
    client.force_login(office.clerk)
    for url in (
        f"/static/{attachment.stored_name}",
        f"/media/{attachment.stored_name}",
        f"/{attachment.stored_name}",
        f"/private/{attachment.stored_name}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_zip_bombs_and_polyglots_are_refused_and_leave_nothing(office, case, storage):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w/>" + bytes(200 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 1024 * 1024  # a small file that inflates to 200 MB
    polyglot = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"
    for name, content in (("方案.docx", bomb), ("扫描件.png", polyglot)):
        with pytest.raises(AttachmentRefused):
            attachment_add(case=case, actor=office.clerk, uploaded_file=upload(name, content))
    assert not Attachment.objects.exists() and stored_files(storage) == []
