"""The writes and reads behind 发文 (`outgoing.py`): the document as the library's
`OfficialDocument`, the 公文体检 of a draft, the workflow's effects (签发, 编号, 用印, 印发,
归档 — each inside the action's transaction), the integrity of the stored files, and
公文交换 (receipts: 签收, 退回, 催收)."""

from __future__ import annotations

import dataclasses
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.accounts.choices import Clearance, Role
from zhengban.audit.services import audit_record
from zhengban.cases.errors import GuardFailed, PermissionRefused
from zhengban.org.choices import UnitKind
from zhengban.org.models import Unit

from .content import DOC_TYPES, UPWARD, OfficialDocument, Paragraph, chinese_date
from .models import (
    DocumentSeries,
    ExchangeReceipt,
    FileKind,
    Openness,
    OutgoingDocument,
    OutgoingFile,
    ReceiptStatus,
    RecipientRole,
    Seal,
    SealStatus,
    SealUse,
)
from .services import DocumentsError

SECRECY = {Clearance.SECRET: "秘密", Clearance.CONFIDENTIAL: "机密", Clearance.TOP_SECRET: "绝密"}
URGENCY = {"extra_urgent": "特急", "urgent": "加急"}
# Rules of the 公文体检 whose element a later step supplies (编号 gives the 发文字号).
LATER = {"required.number": "numbering"}
NAMES_SPLIT = re.compile(r"[、，,；;\s]+")
CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.OFD: "application/ofd",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XML: "application/xml",
}
SEALED = (FileKind.PDF, FileKind.OFD)


def _names(text: str) -> list[str]:
    return [n for n in NAMES_SPLIT.split(text or "") if n]


def organ_name(case) -> str:
    """The issuing organ: the drafting unit's organization (沈阳市人民政府办公厅)."""
    org = case.owner_unit.organization
    return org.name if org else case.owner_unit.name


def recipient_names(detail: OutgoingDocument, units: dict[int, Unit] | None = None):
    """(主送, 抄送) names in order: directory units first, then the names typed."""
    if units is None:
        units = Unit.objects.in_bulk([*detail.recipients, *detail.cc])
    main = [units[i].name for i in detail.recipients if i in units]
    cc = [units[i].name for i in detail.cc if i in units]
    return main + _names(detail.recipients_text), cc + _names(detail.cc_text)


def official_document(case, detail: OutgoingDocument, *, units=None) -> OfficialDocument:
    """The 发文 as the library's document. Before 签发 the 成文日期 and before 用印 the 印发日期
    are today's (what they will read if the steps are taken today)."""
    organ = organ_name(case)
    today = timezone.localdate()
    main, cc = recipient_names(detail, units)
    notes = [n.strip() for n in detail.attachment_note.splitlines() if n.strip()]
    if not notes:
        notes = [a.original_name.rsplit(".", 1)[0] for a in case.attachments.order_by("pk")]
    body = [
        Paragraph(line.strip().lstrip("\u3000"))
        for line in case.body.splitlines()
        if line.strip().lstrip("\u3000")
    ]
    signers = []
    if detail.doc_type in UPWARD and detail.signer_id:
        signers = [str(detail.signer)]
    return OfficialDocument(
        doc_type=detail.doc_type,
        title=case.title,
        body=body,
        issuer_mark=f"{organ}文件",
        number=detail.number_text,
        identifier=case.number,
        copy_number=detail.copy_number,
        secrecy=SECRECY.get(case.sensitivity, ""),
        secrecy_period=detail.secrecy_period,
        urgency=URGENCY.get(case.urgency, ""),
        signers=signers,
        recipients=main,
        attachment_note=notes,
        signature=[organ] if detail.doc_type not in ("纪要", "命令") else [],
        date_text=chinese_date(detail.signed_on or today),
        note=detail.note,
        cc=cc,
        printer=detail.printer or organ,
        print_date_text=chinese_date(detail.printed_on or today),
        release_scope=str(Openness(detail.openness).label) if detail.openness else "",
    )


def document_check(case, detail: OutgoingDocument, *, units=None):
    """The 公文体检 of the 发文 as it stands: every problem with its rule. Elements a later
    step supplies (the 发文字号 before 编号) are not reported as missing."""
    from .check import check_document

    problems = check_document(official_document(case, detail, units=units))
    if not detail.number_text:
        problems = [p for p in problems if p.rule not in LATER]
    return problems


def signer_missing_for_upward(detail: OutgoingDocument) -> bool:
    return DOC_TYPES.get(detail.doc_type) == "上行" and not detail.signer_id


# --- effects of the workflow (each runs in the action's transaction) ---------------------------


def _detail(ctx) -> OutgoingDocument:
    return OutgoingDocument.objects.select_for_update().get(case=ctx.case)


def record_check(ctx) -> None:
    """审核通过: the 公文体检's findings at that moment are kept in the event."""
    detail = _detail(ctx)
    problems = document_check(ctx.case, detail)
    ctx.event_data["check"] = [p.as_dict() for p in problems[:50]]


def record_signoff(ctx) -> None:
    """签发: the leader is the 签发人; the 成文日期 is the day of signing (条例 art. 22)."""
    detail = _detail(ctx)
    detail.signer = ctx.principal
    detail.signed_at = timezone.now()
    detail.signed_on = ctx.today
    detail.save(update_fields=["signer", "signed_at", "signed_on"])
    ctx.event_data["signer"] = ctx.principal.pk
    ctx.event_data["signed_on"] = ctx.today.isoformat()


def _pk(value) -> int:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        raise GuardFailed(_("选择无效。")) from None


def allocate_number(ctx) -> None:
    """编号: the next 发文字号 of the chosen series, from the gapless allocator in this
    transaction (a refusal later in the action returns it)."""
    from .services import number_allocate

    detail = _detail(ctx)
    if detail.number_id:
        raise GuardFailed(_("该发文已编号：%(n)s。") % {"n": detail.number_text})
    series = DocumentSeries.objects.filter(pk=_pk(ctx.params.get("series"))).first()
    organization_id = ctx.case.owner_unit.organization_id
    if series is None or series.organization_id != organization_id:
        raise GuardFailed(_("请选择本机关的文号序列。"))
    try:
        number = number_allocate(
            series=series, purpose=f"{ctx.case.number} {ctx.case.title}"[:300], actor=ctx.actor
        )
    except DocumentsError as error:
        raise GuardFailed(str(error)) from None
    detail.series, detail.number, detail.number_text = series, number, number.text
    detail.save(update_fields=["series", "number", "number_text"])
    ctx.event_data["number"] = number.text


def file_tag(data: bytes) -> str:
    """HMAC-SM3 of a stored file under the deployment key (the seal library's secret)."""
    from .seals import _derived

    return hmac.new(_derived("outgoing-file"), data, "sm3").hexdigest()


def _store(detail, kind: str, data: bytes, name: str, seal_use=None) -> OutgoingFile:
    from .seals import sm3

    return OutgoingFile.objects.create(
        document=detail,
        kind=kind,
        name=name,
        data=data,
        size=len(data),
        sm3=sm3(data),
        tag=file_tag(data),
        seal_use=seal_use,
    )


def file_base_name(detail: OutgoingDocument, case) -> str:
    base = detail.number_text or case.number
    return re.sub(r"[\\/:*?\"<>|\s]", "", base) or "document"


def apply_seal(ctx) -> None:
    """用印: render the document as issued (PDF, OFD, DOCX and the GB/T 33480 XML), seal the
    PDF and the OFD with the chosen seal (each a 用印 record), and store the four files with
    their HMAC-SM3 tags. The 印发日期 is the day of sealing and printing."""
    from .metadata import metadata_xml
    from .render import render_docx
    from .seals import sm3
    from .services import seal_apply

    detail = _detail(ctx)
    seal = (
        Seal.objects.filter(pk=_pk(ctx.params.get("seal"))).select_related("organization").first()
    )
    if seal is None or seal.organization_id != ctx.case.owner_unit.organization_id:
        raise GuardFailed(_("请选择本机关的印章。"))
    if seal.status != SealStatus.ACTIVE:
        raise GuardFailed(_("印章“%(name)s”未启用。") % {"name": seal.name})
    if not detail.number_text:
        raise GuardFailed(_("尚未编号，不能用印。"))
    detail.printed_on = ctx.today
    detail.seal = seal
    detail.save(update_fields=["printed_on", "seal"])
    doc = official_document(ctx.case, detail)
    base = file_base_name(detail, ctx.case)
    OutgoingFile.objects.filter(document=detail).delete()
    for kind in SEALED:
        try:
            data = seal_apply(
                seal=seal, document=doc, file_format=kind, actor=ctx.actor, copies=detail.copies
            )
        except DocumentsError as error:
            raise GuardFailed(str(error)) from None
        use = SealUse.objects.filter(seal=seal, file_sm3=sm3(data)).order_by("-pk").first()
        _store(detail, kind, data, f"{base}.{kind}", seal_use=use)
    _store(detail, FileKind.DOCX, render_docx(doc), f"{base}.docx")
    # The metadata record names the 签发人 whatever the direction (the layout prints it for
    # 上行文 only, GB/T 9704 §7.2.6).
    record = dataclasses.replace(doc, signers=[str(detail.signer)] if detail.signer_id else [])
    _store(detail, FileKind.XML, metadata_xml(record), f"{base}.xml")
    ctx.event_data["seal"] = {"code": seal.code, "name": seal.name}


def _registrar(unit: Unit):
    """Who registers a 收文 in a division: its 文书, else its head, else any member."""
    from zhengban.accounts.models import User

    people = list(
        User.objects.filter(memberships__unit=unit, is_active=True)
        .prefetch_related("role_grants")
        .order_by("-memberships__is_head", "pk")
        .distinct()
    )
    for person in people:
        if Role.CLERK in {g.role for g in person.role_grants.all()}:
            return person
    return people[0] if people else None


def _ordered_recipients(detail: OutgoingDocument) -> list[tuple[Unit, str]]:
    units = Unit.objects.in_bulk([*detail.recipients, *detail.cc])
    seen, found = set(), []
    for ids, role in ((detail.recipients, RecipientRole.MAIN), (detail.cc, RecipientRole.CC)):
        for pk in ids:
            if pk in units and pk not in seen:
                seen.add(pk)
                found.append((units[pk], role))
    return found


def distribute(ctx) -> None:
    """印发: every recipient unit of the directory gets it — a division of the office as a
    收文 registered in its name (with the sealed PDF attached), an external unit through
    公文交换 (a receipt to 签收 or 退回, and a bell to its contacts). Names typed outside the
    directory are delivered on paper and only listed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengban.cases import notifications
    from zhengban.cases.attachments import attachment_add
    from zhengban.cases.errors import CaseError
    from zhengban.cases.services import case_create

    detail = _detail(ctx)
    case = ctx.case
    organ = organ_name(case)
    pdf = OutgoingFile.objects.filter(document=detail, kind=FileKind.PDF).first()
    if pdf is None:
        raise GuardFailed(_("尚未用印，不能印发。"))
    recipients = _ordered_recipients(detail)
    if not recipients and not (detail.recipients_text or detail.cc_text):
        raise GuardFailed(_("没有主送或抄送单位，无法分发。"))
    delivered = {"incoming": [], "exchange": [], "paper": []}
    for unit, role in recipients:
        receipt = ExchangeReceipt(document=detail, unit=unit, role=role)
        if unit.kind == UnitKind.EXTERNAL:
            receipt.save()
            notifications.notify_units(
                [unit],
                kind="exchange",
                message=_("公文交换：收到%(organ)s%(number)s《%(title)s》，请签收")
                % {"organ": organ, "number": detail.number_text, "title": case.title},
            )
            delivered["exchange"].append(unit.name)
            continue
        registrar = _registrar(unit)
        if registrar is None:
            receipt.save()  # nobody to register it: 文电处 follows it up on paper
            delivered["paper"].append(unit.name)
            continue
        try:
            incoming = case_create(
                case_type="incoming",
                title=case.title,
                owner_unit=unit,
                actor=registrar,
                sensitivity=case.sensitivity,
                urgency=case.urgency,
                # No `parent`: the recipient may not read the 发文's drafting history; the
                # receipt links the two.
                detail={
                    "sender": None,
                    "sender_name": organ,
                    "sender_number": detail.number_text,
                    "doc_type": detail.doc_type,
                    "secrecy_period": detail.secrecy_period,
                    "copies": 1,
                    "pages": _pages(bytes(pdf.data)),
                    "received_on": ctx.today,
                    "remarks": _("经公文交换自动登记（%(organ)s发文事项%(n)s）。")
                    % {"organ": organ, "n": case.number},
                },
            )
            attachment_add(
                case=incoming,
                actor=registrar,
                uploaded_file=SimpleUploadedFile(
                    pdf.name, bytes(pdf.data), CONTENT_TYPES[FileKind.PDF]
                ),
                original=True,  # the sealed document is the 收文's original
            )
        except (CaseError, ValueError) as error:
            raise GuardFailed(
                _("%(unit)s的收文未能登记：%(error)s") % {"unit": unit.name, "error": error}
            ) from None
        receipt.status = ReceiptStatus.FILED
        receipt.incoming_case = incoming
        receipt.acted_at = timezone.now()
        receipt.save()
        delivered["incoming"].append(incoming.number)
    delivered["paper"] += _names(detail.recipients_text) + _names(detail.cc_text)
    ctx.event_data["delivered"] = delivered


def _pages(pdf: bytes) -> int:
    from .archive import pdf_page_count

    try:
        return max(1, pdf_page_count(pdf))
    except Exception:  # a page count is a courtesy; the file itself was verified at sealing
        return 1


def archive(ctx) -> None:
    """归档: the sealed PDF becomes an archive item (件, DA/T 22) with its 档号 and 归档章."""
    from .services import archive_item_create

    detail = _detail(ctx)
    pdf = OutgoingFile.objects.filter(document=detail, kind=FileKind.PDF).first()
    if pdf is None:
        raise GuardFailed(_("没有盖章的版式文件，不能归档。"))
    if not verify_stored(pdf).ok:
        raise GuardFailed(_("版式文件校验失败，不能归档。"))
    fonds = getattr(settings, "DOCUMENTS_FONDS", "0001")
    unit_code = getattr(settings, "DOCUMENTS_ARCHIVE_UNIT_CODE", "WS")
    try:
        item = archive_item_create(
            organization=ctx.case.owner_unit.organization,
            document=official_document(ctx.case, detail),
            pdf=bytes(pdf.data),
            fonds=fonds,
            unit_code=unit_code,
            actor=ctx.actor,
        )
    except DocumentsError as error:
        raise GuardFailed(str(error)) from None
    detail.archive_item = item
    detail.save(update_fields=["archive_item"])
    ctx.event_data["archival_code"] = item.archival_code


# --- integrity of the stored files ------------------------------------------------------------


@dataclass
class Verification:
    ok: bool
    message: str
    seal_code: str = ""
    seal_name: str = ""

    @property
    def header(self) -> str:
        """`X-Zhengban-Integrity`: ASCII only (the seal's code, not its Chinese name)."""
        if not self.ok:
            return "failed"
        return f"verified {self.seal_code}" if self.seal_code else "verified hmac-sm3"


def verify_stored(file: OutgoingFile) -> Verification:
    """The stored bytes against their HMAC-SM3 tag and, for a sealed PDF/OFD, the seal's
    signature (seals.verify_file: digest, SM2 signature, the seal's own tag, the registry)."""
    from .seals import verify_file

    data = bytes(file.data)
    tag_ok = hmac.compare_digest(file.tag, file_tag(data))
    if file.kind not in SEALED:
        if tag_ok:
            return Verification(True, _("文件自生成后未被改动（HMAC-SM3 校验通过）。"))
        return Verification(False, _("文件已被改动：完整性标记（HMAC-SM3）不符。"))
    result = verify_file(data)
    if result.ok and tag_ok:
        return Verification(
            True,
            _("文件自盖章后未被改动；印章“%(name)s”（%(code)s）签名有效，HMAC-SM3 校验通过。")
            % {"name": result.seal_name, "code": result.seal_code},
            seal_code=result.seal_code,
            seal_name=result.seal_name,
        )
    problems = list(result.problems) or ([result.message] if not result.ok else [])
    if not tag_ok:
        problems.append(_("完整性标记（HMAC-SM3）不符"))
    return Verification(
        False,
        _("文件校验失败，拒绝下载：%(p)s。") % {"p": "；".join(problems)},
        seal_code=result.seal_code,
        seal_name=result.seal_name,
    )


# --- 公文交换 ------------------------------------------------------------------------------------


def receipts_for(user):
    """The receipts addressed to the user's units (their 公文交换 inbox), newest first."""
    unit_ids = list(user.memberships.values_list("unit_id", flat=True))
    return (
        ExchangeReceipt.objects.filter(unit_id__in=unit_ids)
        .exclude(status=ReceiptStatus.FILED)
        .select_related("document__case__owner_unit__organization", "unit", "acted_by")
        .order_by("-sent_at", "-pk")
    )


def receipt_for(user, pk: int) -> ExchangeReceipt | None:
    """A receipt of one of the user's units, or None (the page answers 404)."""
    return receipts_for(user).filter(pk=pk).first()


def _locked_receipt(receipt: ExchangeReceipt, actor) -> ExchangeReceipt:
    row = (
        ExchangeReceipt.objects.select_for_update()
        .select_related("document__case", "unit")
        .get(pk=receipt.pk)
    )
    if not actor.memberships.filter(unit_id=row.unit_id).exists():
        raise PermissionRefused(_("只有收文单位的人员可以签收或退回。"))
    return row


def _summary(receipt: ExchangeReceipt) -> str:
    doc = receipt.document
    return f"{receipt.unit.name}：{doc.number_text}《{doc.case.title}》"[:500]


def receipt_open(*, receipt: ExchangeReceipt, actor) -> ExchangeReceipt:
    """The first opening is recorded (the sender sees 已阅 before 签收)."""
    if receipt.opened_at is None:
        with transaction.atomic():
            ExchangeReceipt.objects.filter(pk=receipt.pk, opened_at__isnull=True).update(
                opened_at=timezone.now()
            )
            audit_record(
                actor=actor,
                action="documents.receipt_open",
                target=receipt,
                summary=_summary(receipt),
            )
        receipt.refresh_from_db()
    return receipt


def receipt_sign(*, receipt: ExchangeReceipt, actor, feedback: str = "") -> ExchangeReceipt:
    """签收: the recipient unit confirms receipt, optionally with feedback."""
    with transaction.atomic():
        row = _locked_receipt(receipt, actor)
        if row.status != ReceiptStatus.SENT:
            raise GuardFailed(
                _("该公文已%(status)s，不能再签收。") % {"status": row.get_status_display()}
            )
        row.status, row.acted_at, row.acted_by = ReceiptStatus.SIGNED, timezone.now(), actor
        row.feedback = feedback.strip()[:2000]
        row.opened_at = row.opened_at or row.acted_at
        row.save()
        audit_record(
            actor=actor,
            action="documents.receipt_sign",
            target=row,
            summary=_summary(row),
            changes={"feedback": row.feedback},
        )
        _tell_sender(row, _("%(unit)s已签收%(number)s") % _words(row))
    return row


def receipt_return(*, receipt: ExchangeReceipt, actor, reason: str) -> ExchangeReceipt:
    """退回: the recipient unit sends it back with a reason (not theirs to handle, …)."""
    reason = reason.strip()
    if not reason:
        raise GuardFailed(_("退回须说明理由。"))
    with transaction.atomic():
        row = _locked_receipt(receipt, actor)
        if row.status != ReceiptStatus.SENT:
            raise GuardFailed(
                _("该公文已%(status)s，不能再退回。") % {"status": row.get_status_display()}
            )
        row.status, row.acted_at, row.acted_by = ReceiptStatus.RETURNED, timezone.now(), actor
        row.reason = reason[:2000]
        row.opened_at = row.opened_at or row.acted_at
        row.save()
        audit_record(
            actor=actor,
            action="documents.receipt_return",
            target=row,
            summary=_summary(row),
            changes={"reason": row.reason},
        )
        _tell_sender(
            row, _("%(unit)s退回了%(number)s：%(reason)s") % {**_words(row), "reason": reason}
        )
    return row


def receipt_remind(*, receipt: ExchangeReceipt, actor) -> ExchangeReceipt:
    """催收: ring the bell of the recipient unit's contacts for an unsigned document. Only
    those who follow the distribution (文电处, the drafting unit) may."""
    from zhengban.cases import notifications
    from zhengban.cases.access import CaseAccess

    from .outgoing import manages_exchange

    with transaction.atomic():
        row = (
            ExchangeReceipt.objects.select_for_update()
            .select_related("document__case", "unit")
            .get(pk=receipt.pk)
        )
        if not manages_exchange(CaseAccess(actor, row.document.case)):
            refusal = PermissionRefused(_("您无权催收该公文。"))
            refusal.audit = (actor, row.document.case, _("催收"))
            raise refusal
        if row.status != ReceiptStatus.SENT:
            raise GuardFailed(_("该单位已%(s)s，无需催收。") % {"s": row.get_status_display()})
        row.reminders += 1
        row.reminded_at = timezone.now()
        row.save(update_fields=["reminders", "reminded_at"])
        notifications.notify_units(
            [row.unit],
            kind="exchange_remind",
            message=_("催收：请尽快签收%(number)s《%(title)s》") % _words(row),
        )
        audit_record(
            actor=actor,
            action="documents.receipt_remind",
            target=row,
            summary=_summary(row),
            changes={"reminders": row.reminders},
        )
    return row


def _words(receipt: ExchangeReceipt) -> dict:
    return {
        "unit": receipt.unit.name,
        "number": receipt.document.number_text,
        "title": receipt.document.case.title,
    }


def _tell_sender(receipt: ExchangeReceipt, message: str) -> None:
    """The drafter learns of each 签收/退回 (the bell on the 发文)."""
    from zhengban.cases import notifications

    case = receipt.document.case
    notifications.notify([case.creator], case=case, kind="exchange_receipt", message=message)


# --- the case page's panel ---------------------------------------------------------------------


def panel_context(user, case, detail) -> dict:
    """What the 发文 panel shows, in a fixed number of queries: the fields with names, the
    files (without their bytes), the receipts, and — at 审核 — the 公文体检."""
    from zhengban.cases.access import CaseAccess

    from .outgoing import manages_exchange

    if detail is None:
        return {}
    units = Unit.objects.in_bulk([*detail.recipients, *detail.cc])
    main, cc = recipient_names(detail, units)
    files = list(detail.files.defer("data").order_by("pk"))
    receipts = list(detail.receipts.select_related("unit", "incoming_case", "acted_by"))
    access = CaseAccess(user, case)
    return {
        "main_names": main,
        "cc_names": cc,
        "files": files,
        "receipts": receipts,
        "secrecy": SECRECY.get(case.sensitivity, ""),
        "problems": document_check(case, detail, units=units) if case.state == "checking" else None,
        "may_remind": bool(receipts) and manages_exchange(access),
        "may_import": access.may_edit and case.state in ("draft", "reviewing", "checking"),
    }
