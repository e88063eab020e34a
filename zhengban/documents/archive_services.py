"""归档 of the case types other than 发文, and the archive's files.

Each 归档 effect runs inside its action's transaction and makes one archive item (件, DA/T 22)
with `services.archive_item_create`: the 收文 as its 收文处理笺 followed by the original's scan
(国家档案局令第8号 art. 10: the 文件处理单 is filed with the document it belongs to), the
签报 as its 签报单 (approvals). A stored item is re-checked against its SM3 digest before
it leaves the archive, alone or in a transfer package.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from zhengban.accounts.choices import Clearance
from zhengban.cases.errors import GuardFailed

from . import archive
from .content import OfficialDocument, chinese_date
from .models import ArchiveItem
from .services import DocumentsError

SECRECY = {Clearance.SECRET: "秘密", Clearance.CONFIDENTIAL: "机密", Clearance.TOP_SECRET: "绝密"}
SECRECY_LEVEL = {name: level for level, name in SECRECY.items()}


def fonds() -> str:
    return getattr(settings, "DOCUMENTS_FONDS", "0001")


def unit_code() -> str:
    return getattr(settings, "DOCUMENTS_ARCHIVE_UNIT_CODE", "WS")


def archive_case_file(ctx, *, document: OfficialDocument, pdf: bytes, incoming: bool = False):
    """The archive item of the case acting in `ctx` (a refusal is the action's GuardFailed,
    so the whole 归档 rolls back)."""
    from .services import archive_item_create

    organization = ctx.case.owner_unit.organization
    if organization is None:
        raise GuardFailed(_("所属处室不属于本机关，不能归档。"))
    try:
        item = archive_item_create(
            organization=organization,
            document=document,
            pdf=pdf,
            fonds=fonds(),
            unit_code=unit_code(),
            actor=ctx.actor,
            incoming=incoming,
            # Page 1 is a form (收文处理笺, 签报单) whose title starts near the top.
            stamp_top=archive.FORM_STAMP_TOP,
        )
    except DocumentsError as error:
        raise GuardFailed(str(error)) from None
    ctx.event_data["archival_code"] = item.archival_code
    return item


def merge_pdfs(parts: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- 收文 ----------------------------------------------------------------------------------


def _original_scans(case) -> list[bytes]:
    """The original's scans that are PDFs, in upload order, each checked against the digest
    recorded at upload: a missing or changed file is not archived as the original."""
    from zhengban.cases.attachments import attachment_content

    scans = []
    rows = case.attachments.filter(original=True, content_type="application/pdf").order_by(
        "created_at", "pk"
    )
    for attachment in rows:
        data = attachment_content(attachment)
        if data is None:
            raise GuardFailed(
                _("原件扫描件“%(name)s”缺失或校验失败（文件被改动），不能归档。")
                % {"name": attachment.original_name}
            )
        scans.append(data)
    return scans


def incoming_document(case, detail) -> OfficialDocument:
    """The 收文 as the library describes an archive item: 来文机关 is the 责任者, 来文字号 the
    文号, the 收文日期 the date (the sender's own 成文日期 is not registered)."""
    return OfficialDocument(
        doc_type=detail.doc_type,
        title=case.title,
        number=detail.sender_number,
        signature=[detail.sender_name] if detail.sender_name else [],
        secrecy=SECRECY.get(case.sensitivity, ""),
        date_text=chinese_date(detail.received_on),
    )


def archive_incoming(ctx) -> None:
    """归档 of a 收文: the 收文处理笺, then the original's scan when it is a PDF, as one 件."""
    from .incoming import slip_for
    from .models import IncomingDocument
    from .render.slip import render_slip

    detail = IncomingDocument.objects.select_for_update().get(case=ctx.case)
    pdf = merge_pdfs([render_slip(slip_for(ctx.case)), *_original_scans(ctx.case)])
    item = archive_case_file(
        ctx, document=incoming_document(ctx.case, detail), pdf=pdf, incoming=True
    )
    detail.archive_item = item
    detail.save(update_fields=["archive_item"])


# --- the stored items ----------------------------------------------------------------------


def item_intact(item: ArchiveItem) -> bool:
    """The stored file still has the digest it was archived with."""
    return archive.sm3(bytes(item.file)) == item.file_sm3


def package_tag(data: bytes) -> str:
    """HMAC-SM3 of a transfer package's checksum list under the deployment key."""
    import hmac

    from .seals import _derived

    return hmac.new(_derived("archive-package"), data, "sm3").hexdigest()


def package_zip(items: list[ArchiveItem], *, fonds: str, year: int) -> Path:
    """The transfer package of `items` (`archive.build_package`: the files, manifest.csv and
    manifest.xml, SM3SUMS) as a zip in a new temporary directory; the caller removes the
    directory (`zip_path.parent`) when done."""
    workdir = Path(tempfile.mkdtemp(prefix="zhengban-archive-"))
    try:
        root = archive.build_package(
            items, workdir / "package", fonds=fonds, year=year, tag=package_tag
        )
        zip_path = workdir / f"{root.name}.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    bundle.write(path, f"{root.name}/{path.relative_to(root).as_posix()}")
        shutil.rmtree(root.parent)  # only the zip is served
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return zip_path
