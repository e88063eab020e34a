"""Writes of the documents library: number series and numbers, seals and their use, archive
items. Each service is one transaction and appends its audit record last."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhengban.audit.services import audit_record
from zhengban.cases.numbering import SERIES_MAX_LENGTH, number_next

from .content import OfficialDocument
from .models import (
    ArchiveItem,
    DocumentNumber,
    DocumentSeries,
    NumberAct,
    NumberActKind,
    NumberStatus,
    Seal,
    SealStatus,
    SealUse,
)
from .numbers import KNOWN_SERIES, format_number


class DocumentsError(ValueError):
    """A refused write; the message is one Chinese sentence for the user."""


# --- 文号 ----------------------------------------------------------------------------------


def series_create(*, organization, organ_code: str, name: str, kind: str, actor) -> DocumentSeries:
    organ_code, name = organ_code.strip(), name.strip()
    if not organ_code or not all(
        "\u4e00" <= c <= "\u9fff" or (c.isascii() and c.isalpha()) for c in organ_code
    ):
        raise DocumentsError("机关代字只能由汉字或字母组成")
    if not name:
        raise DocumentsError("请填写序列名称（如“发”“函”“纪要”）")
    if name not in KNOWN_SERIES and len(name) > 4:
        raise DocumentsError("序列名称过长")
    # the kernel's allocator keys series by a bounded string
    if len(f"documents:{organ_code}{name}") > SERIES_MAX_LENGTH:
        raise DocumentsError(f"机关代字与序列名称合计不能超过{SERIES_MAX_LENGTH - 10}个字")
    with transaction.atomic():
        if DocumentSeries.objects.filter(
            organization=organization, organ_code=organ_code, name=name
        ).exists():
            raise DocumentsError(f"文号序列“{organ_code}{name}”已存在")
        series = DocumentSeries.objects.create(
            organization=organization, organ_code=organ_code, name=name, kind=kind
        )
        audit_record(
            actor=actor, action="documents.series_create", target=series, summary=str(series)
        )
    return series


def number_allocate(
    *, series: DocumentSeries, purpose: str = "", actor, year: int | None = None
) -> DocumentNumber:
    """The next 文号 of `series` in `year` through the kernel's gapless allocator. Call it in
    the transaction that uses the number (e.g. 编号 of a 发文): a rollback returns it."""
    if not series.active:
        raise DocumentsError(f"文号序列“{series}”已停用")
    year = year or timezone.localdate().year
    with transaction.atomic():
        seq = number_next(series=series.allocator_key, year=year)
        text = format_number(organ_code=series.organ_code, series=series.name, year=year, seq=seq)
        number = DocumentNumber.objects.create(
            series=series,
            year=year,
            sequence=seq,
            text=text,
            purpose=purpose[:300],
            allocated_by=actor,
        )
        NumberAct.objects.create(
            number=number, kind=NumberActKind.ALLOCATE, purpose=purpose[:300], actor=actor
        )
        audit_record(actor=actor, action="documents.number_allocate", target=number, summary=text)
    return number


def number_void(*, number: DocumentNumber, reason: str, actor) -> DocumentNumber:
    """作废 a number: an explicit act with a reason. The number stays taken (no gap, no reuse)
    until someone decides to re-use it."""
    reason = reason.strip()
    if not reason:
        raise DocumentsError("作废文号必须说明理由")
    with transaction.atomic():
        number = DocumentNumber.objects.select_for_update().get(pk=number.pk)
        if number.status == NumberStatus.VOIDED:
            raise DocumentsError(f"文号{number.text}已作废")
        number.status = NumberStatus.VOIDED
        number.save(update_fields=["status"])
        NumberAct.objects.create(number=number, kind=NumberActKind.VOID, reason=reason, actor=actor)
        audit_record(
            actor=actor,
            action="documents.number_void",
            target=number,
            summary=number.text,
            changes={"reason": reason, "purpose": number.purpose},
        )
    return number


def number_reuse(*, number: DocumentNumber, purpose: str, reason: str, actor) -> DocumentNumber:
    """Re-use a voided number for another document: a decision, recorded with its reason."""
    reason, purpose = reason.strip(), purpose.strip()
    if not reason:
        raise DocumentsError("重新启用已作废的文号必须说明理由")
    with transaction.atomic():
        number = DocumentNumber.objects.select_for_update().get(pk=number.pk)
        if number.status != NumberStatus.VOIDED:
            raise DocumentsError(f"文号{number.text}未作废，不能重新启用")
        old = number.purpose
        number.status, number.purpose = NumberStatus.IN_USE, purpose[:300]
        number.save(update_fields=["status", "purpose"])
        NumberAct.objects.create(
            number=number,
            kind=NumberActKind.REUSE,
            reason=reason,
            purpose=purpose[:300],
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="documents.number_reuse",
            target=number,
            summary=number.text,
            changes={"reason": reason, "purpose": {"old": old, "new": purpose}},
        )
    return number


# --- seals ---------------------------------------------------------------------------------


def seal_create(
    *,
    organization,
    name: str,
    kind: str,
    actor,
    holder=None,
    image: bytes | None = None,
    code: str = "",
) -> Seal:
    from .seals import encrypt_private_key, generate_keypair, seal_image

    name = name.strip()
    if not name:
        raise DocumentsError("请填写印章名称")
    private, public = generate_keypair()
    with transaction.atomic():
        seal = Seal.objects.create(
            organization=organization,
            name=name,
            kind=kind,
            holder=holder,
            image=image or seal_image(organization.name, "" if name == organization.name else name),
            public_key=public,
            private_key=encrypt_private_key(private),
            code=code or f"S{timezone.now():%Y%m%d%H%M%S%f}",
        )
        audit_record(
            actor=actor,
            action="documents.seal_create",
            target=seal,
            summary=name,
            changes={"code": seal.code, "public_key": public, "holder": str(holder or "")},
        )
    return seal


def seal_set_status(*, seal: Seal, status: str, reason: str, actor) -> Seal:
    if status not in SealStatus.values:
        raise DocumentsError("未知的印章状态")
    with transaction.atomic():
        seal = Seal.objects.select_for_update().get(pk=seal.pk)
        old = seal.status
        if old == SealStatus.REVOKED:
            raise DocumentsError("已注销的印章不能再启用或停用")
        seal.status = status
        seal.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="documents.seal_status",
            target=seal,
            summary=seal.name,
            changes={"status": {"old": old, "new": status}, "reason": reason},
        )
    return seal


def seal_info(seal: Seal):
    from .seals import SealInfo, decrypt_private_key

    return SealInfo(
        code=seal.code,
        name=seal.name,
        kind=seal.kind,
        organization=seal.organization.name,
        public_key=seal.public_key,
        image=bytes(seal.image),
        private_key=decrypt_private_key(bytes(seal.private_key)) if seal.private_key else "",
        signer=seal.signer,
    )


def seal_apply(
    *, seal: Seal, document: OfficialDocument, file_format: str, actor, copies: int = 1
) -> bytes:
    """用印: render `document` with the seal's impression at the signature (GB/T 9704
    §7.3.5.1), sign the file, record the use. Returns the sealed PDF or OFD."""
    from .render.layout import layout_document
    from .render.ofd import layout_to_ofd
    from .render.pdf import layout_to_pdf
    from .seals import seal_ofd, seal_pdf, sm3

    if file_format not in ("pdf", "ofd"):
        raise DocumentsError("只能对 PDF 或 OFD 文件用印")
    if copies < 1:
        raise DocumentsError("用印份数至少为1")
    if not document.signature:
        raise DocumentsError("没有发文机关署名的公文不加盖印章")
    with transaction.atomic():
        seal = Seal.objects.select_for_update().select_related("organization").get(pk=seal.pk)
        if seal.status != SealStatus.ACTIVE:
            raise DocumentsError(f"印章“{seal.name}”当前为{seal.get_status_display()}，不能用印")
        info = seal_info(seal)
        layout = layout_document(document, seal_png=info.image)
        described = {"title": document.title, "number": document.number, "copies": copies}
        if file_format == "pdf":
            sealed, signature = seal_pdf(layout_to_pdf(layout), info, document=described)
        else:
            stamp = _stamp_box(layout)
            sealed, signature = seal_ofd(
                layout_to_ofd(layout, document), info, document=described, stamp_box=stamp
            )
        use = SealUse.objects.create(
            seal=seal,
            actor=actor,
            document_title=document.title[:300],
            document_number=document.number,
            copies=copies,
            file_format=file_format,
            file_sm3=sm3(sealed),
            signature=signature["signature"],
            tag=signature["tag"],
        )
        audit_record(
            actor=actor,
            action="documents.seal_use",
            target=use,
            summary=f"{seal.name}：{document.number or document.title}",
            changes={"copies": copies, "format": file_format, "file_sm3": use.file_sm3},
        )
    return sealed


def _stamp_box(layout) -> tuple | None:
    for index, page in enumerate(layout.pages):
        for pic in page.pictures:
            return (index + 1, pic.x, pic.y, pic.w, pic.h)
    return None


# --- archive -------------------------------------------------------------------------------


def archive_item_create(
    *,
    organization,
    document: OfficialDocument,
    pdf: bytes,
    fonds: str,
    unit_code: str,
    actor,
    incoming: bool = False,
    important: bool = False,
    retention: str = "",
    year: int | None = None,
    stamp_top: float | None = None,
) -> ArchiveItem:
    """File a finished document as an archive item (件): retention proposed from the 归档范围
    rules unless given, the next 件号 of its class (gapless), the 档号, the 归档章 on page 1
    (`stamp_top` mm from the top edge; a form's title sits higher than a document's)."""
    from . import archive

    if not (len(fonds) == 4 and fonds.isalnum()):
        raise DocumentsError("全宗号应为4位字母或数字")
    if not unit_code.isalnum():
        raise DocumentsError("机构（问题）代码只能由字母或数字组成")
    proposal = archive.propose_retention(document, incoming=incoming, important=important)
    retention = retention or proposal.retention
    basis = proposal.basis if retention == proposal.retention else "人工确定"
    when = document.date or timezone.localdate()
    year = year or when.year
    pages = archive.pdf_page_count(pdf)
    with transaction.atomic():
        item_number = number_next(series=f"archive:{fonds}:{retention}:{unit_code}", year=year)
        code = archive.archival_code(
            fonds=fonds, year=year, retention=retention, unit=unit_code, item=item_number
        )
        stamped = archive.stamp_pdf(
            pdf,
            fonds=fonds,
            year=year,
            retention=retention,
            unit=unit_code,
            item=item_number,
            pages=pages,
            top=archive.STAMP_TOP if stamp_top is None else stamp_top,
        )
        item = ArchiveItem.objects.create(
            organization=organization,
            fonds=fonds,
            year=year,
            retention=retention,
            retention_basis=basis[:200],
            unit_code=unit_code,
            item_number=item_number,
            archival_code=code,
            title=document.title[:300] or "[无题名]",
            document_number=document.number,
            responsible=(document.organ_name or organization.name)[:100],
            date=when if isinstance(when, date) else timezone.localdate(),
            secrecy=document.secrecy,
            pages=pages,
            doc_type=document.doc_type,
            file=stamped,
            file_name=f"{code}.pdf",
            file_sm3=archive.sm3(stamped),
        )
        audit_record(
            actor=actor, action="documents.archive", target=item, summary=f"{code} {item.title}"
        )
    return item
