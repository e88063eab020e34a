"""Pages of 发文 beyond the kernel's case page: downloads of the issued files (each
re-verified), a draft preview, the 公文体检 on demand, DOCX import, and 公文交换 (the
recipient units' inbox, 签收/退回, 催收). Case access goes through the kernel
(`case_for_page` → 404, `CaseAccess`); a receipt is the recipient unit's own copy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengban.audit.services import audit_record
from zhengban.cases import selectors
from zhengban.cases.access import CaseAccess
from zhengban.cases.errors import CaseError, PermissionRefused

from . import outgoing_services as svc
from .models import FileKind, OutgoingDocument, OutgoingFile
from .outgoing import CASE_TYPE

DOCX_MAX_BYTES = 10 * 1024 * 1024


def _outgoing(request, pk: int):
    """The 发文 case the user may read, with its detail (404 otherwise, as the kernel does)."""
    case = selectors.case_for_page(request.user, pk)
    if case.case_type != CASE_TYPE:
        raise Http404
    detail = OutgoingDocument.objects.filter(case=case).first()
    if detail is None:
        raise Http404
    return case, detail


def _send(data: bytes, name: str, kind: str, verification=None) -> HttpResponse:
    response = HttpResponse(data, content_type=svc.CONTENT_TYPES[kind])
    from django.utils.encoding import escape_uri_path

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    if verification is not None:
        response["X-Zhengban-Integrity"] = verification.header
    response["Cache-Control"] = "no-store"
    return response


def _refuse_file(request, file: OutgoingFile, verification, target) -> HttpResponse:
    audit_record(
        actor=request.user,
        action="documents.file_refused",
        target=target,
        summary=f"{file.name}：{verification.message}"[:500],
    )
    response = render(
        request,
        "documents/outgoing_refused.html",
        {"file": file, "verification": verification},
        status=409,
    )
    response["X-Zhengban-Integrity"] = "failed"
    return response


def _kind(kind: str) -> str:
    if kind not in FileKind.values:
        raise Http404
    return kind


@login_required
@require_GET
def file_download(request, pk: int, kind: str):
    """An issued file of the 发文, re-verified on every download (409 if it changed)."""
    case, detail = _outgoing(request, pk)
    access = CaseAccess(request.user, case)
    file = detail.files.filter(kind=_kind(kind)).first()
    if file is None or not access.may_read(file):
        raise Http404
    verification = svc.verify_stored(file)
    if not verification.ok:
        return _refuse_file(request, file, verification, case)
    audit_record(
        actor=request.user, action="documents.file_download", target=case, summary=file.name
    )
    return _send(bytes(file.data), file.name, file.kind, verification)


@login_required
@require_GET
def file_verify(request, pk: int, kind: str):
    """The verification of a stored file, as a page (what the download header says)."""
    case, detail = _outgoing(request, pk)
    file = detail.files.filter(kind=_kind(kind)).defer("data").first()
    if file is None:
        raise Http404
    file = OutgoingFile.objects.get(pk=file.pk)
    verification = svc.verify_stored(file)
    return render(
        request,
        "documents/outgoing_verify.html",
        {"case": case, "file": file, "verification": verification},
        status=200 if verification.ok else 409,
    )


@login_required
@require_GET
def preview(request, pk: int):
    """The draft as it would be issued today, unsealed (a 草稿 PDF rendered now)."""
    from .render import render_pdf

    case, detail = _outgoing(request, pk)
    doc = svc.official_document(case, detail)
    return _send(render_pdf(doc), f"{svc.file_base_name(detail, case)}-草稿.pdf", FileKind.PDF)


@login_required
@require_GET
def check(request, pk: int):
    """公文体检 on demand: every problem with its rule."""
    case, detail = _outgoing(request, pk)
    problems = svc.document_check(case, detail)
    return render(request, "documents/outgoing_check.html", {"case": case, "problems": problems})


# --- DOCX import -------------------------------------------------------------------------------


class DocxForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("公文草稿（DOCX）"))

    def clean_file(self):
        from .parse import DraftUnreadable, read_draft_bytes

        upload = self.cleaned_data["file"]
        if upload.size > DOCX_MAX_BYTES:
            raise forms.ValidationError(_("文件过大（不超过10MB）。"))
        if not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError(_("请上传 .docx 格式的文件。"))
        from zhengban.security.uploads import UploadRefused, inspect_upload

        try:
            kind = inspect_upload(upload.name, upload, upload.content_type)
        except UploadRefused as refusal:
            raise forms.ValidationError(refusal.reason) from None
        if kind != "docx":
            raise forms.ValidationError(_("请上传 .docx 格式的文件。"))
        data = upload.read()
        try:
            return read_draft_bytes(data, filename=upload.name)
        except DraftUnreadable as error:
            raise forms.ValidationError(str(error)) from None


class ImportForm(DocxForm):
    owner_unit = forms.ChoiceField(label=gettext_lazy("拟稿单位"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in selectors.creatable_units(user)}
        self.fields["owner_unit"].choices = [(k, u.name) for k, u in self.units.items()]

    def clean_owner_unit(self):
        return self.units[self.cleaned_data["owner_unit"]]


def _from_draft(doc) -> tuple[str, str, dict]:
    """Title, body and the detail fields a parsed draft gives."""
    from .models import DocType

    body = "\n".join(p.text for p in doc.body)
    detail = {
        "doc_type": doc.doc_type if doc.doc_type in DocType.values else DocType.NOTICE,
        "recipients_text": "、".join(doc.recipients)[:500],
        "cc_text": "、".join(doc.cc)[:500],
        "attachment_note": "\n".join(doc.attachment_note)[:2000],
        "copy_number": doc.copy_number if len(doc.copy_number) == 6 else "",
        "secrecy_period": doc.secrecy_period[:40],
        "printer": doc.printer[:100],
        "note": doc.note[:300],
    }
    return doc.title, body, detail


@login_required
@require_http_methods(["GET", "POST"])
def import_docx(request):
    """起草发文 from a Word file: the parsed title, body (heading levels kept), 主送, 抄送,
    附件说明 and 版记 become a new draft."""
    from zhengban.cases import services
    from zhengban.cases.access import acts_externally

    if request.user.is_admin_role:
        raise PermissionDenied(_("系统管理员、安全保密管理员和安全审计员不办理业务。"))
    if acts_externally(request.user):
        raise PermissionDenied(_("承办单位不起草本机关的发文。"))
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        title, body, detail = _from_draft(form.cleaned_data["file"])
        try:
            case = services.case_create(
                case_type=CASE_TYPE,
                title=title or _("（未识别标题）"),
                body=body,
                owner_unit=form.cleaned_data["owner_unit"],
                actor=request.user,
                detail=detail,
            )
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("已从 DOCX 导入%(number)s，请核对各项内容。") % {"number": case.number}
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "documents/outgoing_import.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def reimport_docx(request, pk: int):
    """Replace the draft's text from a Word file: a 修改 like any other (versions with the
    difference shown), only where the state lets the user edit."""
    from zhengban.cases import services

    case, detail = _outgoing(request, pk)
    form = DocxForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("cases:detail", pk=case.pk)
    title, body, fields = _from_draft(form.cleaned_data["file"])
    changed = {k: v for k, v in fields.items() if v and getattr(detail, k) != v}
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        services.case_update(
            case=case,
            actor=request.user,
            version=version,
            title=title or case.title,
            body=body,
            urgency=case.urgency,
            detail=changed,
        )
    except PermissionRefused as error:
        raise PermissionDenied(str(error)) from None
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已用 DOCX 更新正文，修改已留痕。"))
    return redirect("cases:detail", pk=case.pk)


# --- 公文交换 ---------------------------------------------------------------------------------


@login_required
@require_GET
def exchange_inbox(request):
    """The recipient unit's 公文交换 inbox: documents received, to 签收 or 退回."""
    receipts = list(svc.receipts_for(request.user)[:200])
    return render(request, "documents/exchange_inbox.html", {"receipts": receipts})


def _receipt(request, pk: int):
    receipt = svc.receipt_for(request.user, pk)
    if receipt is None:
        raise Http404
    return receipt


@login_required
@require_GET
def receipt_detail(request, pk: int):
    receipt = svc.receipt_open(receipt=_receipt(request, pk), actor=request.user)
    document = receipt.document
    files = list(document.files.filter(kind__in=svc.SEALED).defer("data").order_by("pk"))
    main, cc = svc.recipient_names(document)
    return render(
        request,
        "documents/exchange_receipt.html",
        {
            "receipt": receipt,
            "document": document,
            "case": document.case,
            "organ": svc.organ_name(document.case),
            "files": files,
            "main_names": main,
            "cc_names": cc,
        },
    )


@login_required
@require_GET
def receipt_file(request, pk: int, kind: str):
    """The recipient's download of the sealed PDF/OFD, verified like the sender's."""
    receipt = _receipt(request, pk)
    if kind not in svc.SEALED:
        raise Http404
    file = receipt.document.files.filter(kind=kind).first()
    if file is None:
        raise Http404
    verification = svc.verify_stored(file)
    if not verification.ok:
        return _refuse_file(request, file, verification, receipt)
    svc.receipt_open(receipt=receipt, actor=request.user)
    audit_record(
        actor=request.user, action="documents.file_download", target=receipt, summary=file.name
    )
    return _send(bytes(file.data), file.name, file.kind, verification)


@login_required
@require_POST
def receipt_sign(request, pk: int):
    receipt = _receipt(request, pk)
    try:
        svc.receipt_sign(
            receipt=receipt, actor=request.user, feedback=request.POST.get("feedback", "")
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已签收。"))
    return redirect("documents:receipt", pk=receipt.pk)


@login_required
@require_POST
def receipt_return(request, pk: int):
    receipt = _receipt(request, pk)
    try:
        svc.receipt_return(
            receipt=receipt, actor=request.user, reason=request.POST.get("reason", "")
        )
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已退回发文单位。"))
    return redirect("documents:receipt", pk=receipt.pk)


@login_required
@require_POST
def receipt_remind(request, pk: int, receipt_pk: int):
    """催收 from the 发文's case page."""
    case, detail = _outgoing(request, pk)
    receipt = detail.receipts.filter(pk=receipt_pk).first()
    if receipt is None:
        raise Http404
    try:
        svc.receipt_remind(receipt=receipt, actor=request.user)
    except PermissionRefused as error:
        raise PermissionDenied(str(error)) from None
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已催收%(unit)s。") % {"unit": receipt.unit.name})
    return redirect("cases:detail", pk=case.pk)
