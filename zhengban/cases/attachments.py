"""Case attachments: checked by content, stored outside the web root, served through the policy.

The file type is decided from the bytes, never from the name or the browser's content type;
the name's extension must agree with the content, so a script or executable renamed to
`.pdf` is refused as disguised. Files are stored under a random name in
`PRIVATE_STORAGE_DIR/yyyy/mm/`, which no URL maps to; `attachment_open` is the only way out.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengban.audit.services import audit_denied, audit_record
from zhengban.security.uploads import UploadRefused, inspect_upload

from . import errors, services
from .access import CaseAccess
from .choices import Audience
from .models import Attachment, Case
from .policies import case_get_for
from .workflow import get_workflow

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
HEAD = 8 * 1024


class AttachmentRefused(errors.CaseError):
    """An upload refused for its size, type or content; nothing was stored."""

    code = "attachment_refused"


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: frozenset[str]


def _kind(label: str, content_type: str, *extensions: str) -> FileKind:
    return FileKind(label, content_type, frozenset(extensions))


PDF = _kind("PDF", "application/pdf", ".pdf")
OFD = _kind("OFD", "application/ofd", ".ofd")
DOCX = _kind(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
XLSX = _kind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
PPTX = _kind(
    "PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"
)
# OLE2 compound files: Word 97–2003, Excel 97–2003 and their WPS counterparts.
OLE2 = _kind("DOC/XLS", "application/x-ole-storage", ".doc", ".xls", ".wps", ".et")
OLE2_TYPES = {
    ".doc": "application/msword",
    ".wps": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".et": "application/vnd.ms-excel",
}
PNG = _kind("PNG", "image/png", ".png")
JPEG = _kind("JPEG", "image/jpeg", ".jpg", ".jpeg")
TIFF = _kind("TIFF", "image/tiff", ".tif", ".tiff")
TEXT = _kind(gettext_lazy("纯文本"), "text/plain; charset=utf-8", ".txt", ".csv")

ALLOWED_EXTENSIONS = frozenset().union(
    *(k.extensions for k in (PDF, OFD, DOCX, XLSX, PPTX, OLE2, PNG, JPEG, TIFF, TEXT))
)
ALLOWED_LABELS = "PDF、OFD、DOCX、XLSX、PPTX、DOC、XLS、PNG、JPEG、TIFF、TXT"

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
# Markup a browser would render or run, looked for at the start of "text" files.
MARKUP = re.compile(rb"^\s*<(!doctype|html|head|body|script|svg|iframe|\?xml)", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')


# --- names ---------------------------------------------------------------------------------


def display_name(name: str) -> str:
    """The original name made safe to show and to offer as a download name: no directory
    parts, no control or bidi-override characters (which can disguise an extension)."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = WINDOWS_RESERVED.sub("_", CONTROL.sub("", name)).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name or _("附件")


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


# --- content sniffing ----------------------------------------------------------------------


def _zip_kind(fileobj) -> FileKind | None:
    """OFD or an Office Open XML document; any other zip is refused. Only the central
    directory is read, nothing is decompressed."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        for prefix, kind in OOXML_PARTS:
            if any(n.startswith(prefix) for n in names):
                return kind
    return None


def _binary_kind(head: bytes, fileobj) -> FileKind | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(OLE2_MAGIC):
        return OLE2
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    # A zip must start with a local header: a script with a zip appended is not a document.
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(fileobj)
    return None


class _TextCheck:
    """Feeds chunks to UTF-8 and GB18030 decoders; the content is text if one accepts all
    of it and there is no NUL byte."""

    def __init__(self):
        self.decoders = {
            "utf-8": codecs.getincrementaldecoder("utf-8")(),
            "gb18030": codecs.getincrementaldecoder("gb18030")(),
        }
        self.nul = False

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if b"\x00" in chunk:
            self.nul = True
        for name, decoder in list(self.decoders.items()):
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError:
                del self.decoders[name]

    @property
    def ok(self) -> bool:
        return not self.nul and bool(self.decoders)


def _disguised(kind_label: str, extension: str) -> AttachmentRefused:
    return AttachmentRefused(
        _("文件内容与扩展名不符：内容为%(kind)s，扩展名为“%(ext)s”。")
        % {"kind": kind_label, "ext": extension or _("无")}
    )


def _not_allowed(extension: str) -> AttachmentRefused:
    if extension in ALLOWED_EXTENSIONS:
        # The name claims an allowed type but the content is something else (a script,
        # an executable, a web page, an archive).
        return AttachmentRefused(
            _("文件内容与扩展名不符：扩展名为“%(ext)s”，但内容不是该类型的文件。")
            % {"ext": extension}
        )
    return AttachmentRefused(
        _("不允许上传该类型的文件。允许的类型：%(types)s。") % {"types": ALLOWED_LABELS}
    )


# --- writing -------------------------------------------------------------------------------


def storage_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_DIR)


def _new_location() -> tuple[str, Path]:
    """A fresh relative name `yyyy/mm/<uuid>` and its absolute path (directories created)."""
    now = timezone.localtime()
    relative = f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}"
    path = storage_root() / relative
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return relative, path


def _limit_message(limit: int) -> str:
    if limit >= 1024 * 1024:
        size = _("%(n)s MB") % {"n": f"{limit / 1024 / 1024:g}"}
    else:
        size = _("%(n)s KB") % {"n": f"{limit / 1024:g}"}
    return _("附件超过大小限制：单个文件不得超过%(size)s。") % {"size": size}


def _store(uploaded_file, path: Path, kind: FileKind | None, limit: int):
    """Copy the upload to `path` in chunks; returns (size, sha256, text check or None)."""
    digest = hashlib.sha256()
    size = 0
    text = _TextCheck() if kind is None else None
    uploaded_file.seek(0)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in uploaded_file.chunks(CHUNK):
            size += len(chunk)
            if size > limit:
                raise AttachmentRefused(_limit_message(limit))
            digest.update(chunk)
            if text is not None:
                text.feed(chunk)
            out.write(chunk)
        if text is not None:
            text.feed(b"", final=True)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest(), text


def _sniff(uploaded_file, extension: str) -> FileKind | None:
    """The checked kind of the upload; None means "plain text if it decodes" (decided
    while storing, which reads every byte anyway)."""
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD)
    if not head:
        raise AttachmentRefused(_("文件为空。"))
    kind = _binary_kind(head, uploaded_file)
    if kind is None:
        text = head.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 BOM must not hide markup
        if MARKUP.match(text) or text.startswith(b"#!") or extension not in TEXT.extensions:
            raise _not_allowed(extension)
    elif extension not in kind.extensions:
        raise _disguised(kind.label, extension)
    return kind


@services.audits_denials
def attachment_add(
    *,
    case: Case,
    actor,
    uploaded_file,
    audience: str = Audience.INTERNAL,
    once=None,
    original: bool = False,
) -> Attachment:
    """Attach an uploaded file to a case. Refused, leaving no file and no row, for people
    who may not work on the case, in a state that no longer takes files (a unit handling
    the case may still attach its evidence), for oversize, empty or disguised files, and
    for classified records on a system not approved for their content."""
    if case.closed:
        raise errors.TransitionNotAllowed(_("事项已办结，不能再上传附件。"))
    access = CaseAccess(actor, case)
    working = next(
        (a for a in access.assignments if a.status == "open" and access.assignment_member(a)),
        None,
    )
    holder = access.holder()
    if holder is None and working is None:
        raise services.refuse(actor, case, _("上传附件"))
    principal = holder.user if holder else access.assignment_member(working).user
    state = get_workflow(case.case_type).state(case.state)
    if "attachments" not in state.editable and working is None:
        raise errors.TransitionNotAllowed(
            _("“%(state)s”环节不能再上传附件。") % {"state": state.label}
        )
    if access.external:
        audience = Audience.SHARED  # what a handling unit sends is for the owner to read
    services.check_content_allowed(case.sensitivity, has_content=True)
    name = display_name(getattr(uploaded_file, "name", ""))
    extension = _extension(name)
    limit = settings.ATTACHMENT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise AttachmentRefused(_limit_message(limit))
    kind = _sniff(uploaded_file, extension)
    # The file is copied before the transaction, so the case row is not locked (and on
    # SQLite the database not write-locked) while a large upload is written to disk.
    relative, path = _new_location()
    try:
        size, sha256, text = _store(uploaded_file, path, kind, limit)
        if text is not None and not text.ok:
            raise _not_allowed(extension)
        uploaded_file.seek(0)
        try:  # beyond the type: zip bombs, macros, images decoded in full, PDFs parsed, polyglots
            inspect_upload(name, uploaded_file, getattr(uploaded_file, "content_type", None))
        except UploadRefused as refusal:
            raise AttachmentRefused(refusal.reason) from refusal
        kind = kind or TEXT
        content_type = OLE2_TYPES[extension] if kind is OLE2 else kind.content_type
        with transaction.atomic():
            if once is not None:
                once()  # a one-time form token: of parallel submissions, one writes
            case = services.lock_case(case)
            if case.closed:
                raise errors.TransitionNotAllowed(_("事项已办结，不能再上传附件。"))
            attachment = Attachment.objects.create(
                case=case,
                uploaded_by=actor,
                original_name=name,
                stored_name=relative,
                content_type=content_type,
                size=size,
                sha256=sha256,
                audience=audience,
                original=original,
            )
            services.append_event(
                case,
                actor=actor,
                principal=principal,
                action="attachment.add",
                comment=name,
                data={
                    "attachment_id": attachment.pk,
                    "name": name,
                    "size": size,
                    "sha256": sha256,
                    "content_type": content_type,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return attachment


# --- reading -------------------------------------------------------------------------------

STORED_NAME = re.compile(r"\d{4}/\d{2}/[0-9a-f]{32}")


def _path_of(attachment: Attachment) -> Path:
    # The stored name never comes from user input; checking its shape still guarantees a
    # tampered row cannot point outside the storage directory.
    if not STORED_NAME.fullmatch(attachment.stored_name):
        raise Http404
    return storage_root().joinpath(*PurePosixPath(attachment.stored_name).parts)


def attachment_content(attachment: Attachment) -> bytes | None:
    """The stored bytes for a service that files them elsewhere (归档), or None when the file
    is missing or no longer has the digest recorded at upload. Not a download: the caller's
    own act is what is audited."""
    try:
        data = _path_of(attachment).read_bytes()
    except (OSError, Http404):  # Http404: a stored name of the wrong shape
        return None
    return data if hashlib.sha256(data).hexdigest() == attachment.sha256 else None


def attachment_open(*, attachment: Attachment, actor):
    """(open binary file, content type, display name) for a download; Http404 when the
    case is missing or not visible to the actor. Every download is audited."""
    try:
        case = case_get_for(actor, attachment.case_id)
        if not CaseAccess(actor, case).may_read(attachment):
            raise Http404
    except Http404:
        audit_denied(
            actor=actor,
            action="cases.download",
            target=attachment,
            summary=attachment.original_name[:200],
        )
        raise
    try:
        handle = open(_path_of(attachment), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        logger.error("attachment %s: file %s is missing", attachment.pk, attachment.stored_name)
        raise Http404 from None
    try:
        audit_record(
            actor=actor,
            action="cases.download",
            target=case,
            summary=attachment.original_name[:200],
            changes={
                "attachment_id": attachment.pk,
                "name": attachment.original_name,
                "sha256": attachment.sha256,
                "sensitivity": case.sensitivity,
            },
        )
    except BaseException:
        handle.close()
        raise
    return handle, attachment.content_type, attachment.original_name


def attachment_response(*, attachment: Attachment, actor) -> FileResponse:
    """The download response for views and the API: always a download, never rendered."""
    handle, content_type, name = attachment_open(attachment=attachment, actor=actor)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
