"""Deep inspection of uploaded files, beyond the first bytes.

`inspect_upload(name, fileobj, declared_type)` decides the kind from the content, checks that
the name's extension and the declared type agree with it, then looks inside:

- Office Open XML (DOCX/XLSX/PPTX) and OFD are opened as zip archives with limits on the
  number of entries, the expanded size and the compression ratio (entries are inflated to
  count real bytes, not the sizes the archive claims); macro-enabled parts (vbaProject.bin,
  macro-enabled content types, .docm/.xlsm/.pptm) and XML with DOCTYPE/ENTITY declarations
  (entity expansion bombs) are refused;
- OLE2 documents (DOC/XLS/WPS/ET) carrying a VBA project or Word macros are refused;
- images are decoded in full with Pillow, within a pixel limit;
- PDFs are parsed with pypdf (every page and its content), and active content (JavaScript,
  launch actions) is refused;
- polyglots are refused: markup a browser would render or run (<html>, <script>, <svg>,
  <iframe>, javascript: …) anywhere in a binary file, or any data after a PNG's last chunk.

Every refusal raises `UploadRefused` with a Chinese message for the person uploading. Limits
are settings (UPLOAD_ZIP_MAX_ENTRIES, UPLOAD_ZIP_MAX_EXPANDED_BYTES, UPLOAD_ZIP_MAX_RATIO,
UPLOAD_IMAGE_MAX_PIXELS, UPLOAD_PDF_MAX_PAGES) with the defaults below.
"""

from __future__ import annotations

import io
import logging
import os
import re
import warnings
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
# pypdf logs every repair it makes of a sloppy file; the refusal message is what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_EXPANDED_BYTES = 100 * 1024 * 1024
# Apache POI's default: an entry inflating more than 100-fold is a zip bomb. Small entries
# (repeated XML boilerplate) may compress better; the ratio counts from this size on.
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1024 * 1024
IMAGE_MAX_PIXELS = 80_000_000
PDF_MAX_PAGES = 5000
CHUNK = 64 * 1024

PDF, PNG, JPEG, TIFF = "pdf", "png", "jpeg", "tiff"
DOCX, XLSX, PPTX, OFD, OLE2, TEXT = "docx", "xlsx", "pptx", "ofd", "ole2", "text"

CONTENT_TYPES = {
    PDF: {"application/pdf"},
    PNG: {"image/png"},
    JPEG: {"image/jpeg", "image/pjpeg"},
    TIFF: {"image/tiff"},
    DOCX: {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    XLSX: {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    PPTX: {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    OFD: {"application/ofd"},
    OLE2: {"application/x-ole-storage", "application/msword", "application/vnd.ms-excel"},
    TEXT: {"text/plain", "text/csv"},
}
EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    TIFF: {".tif", ".tiff"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
    PPTX: {".pptx"},
    OFD: {".ofd"},
    OLE2: {".doc", ".xls", ".wps", ".et"},
    TEXT: {".txt", ".csv"},
}
LABELS = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    TIFF: "TIFF",
    DOCX: "DOCX",
    XLSX: "XLSX",
    PPTX: "PPTX",
    OFD: "OFD",
    OLE2: "DOC/XLS",
    TEXT: "TXT",
}
# What browsers also send for these kinds.
ALIASES = {
    TEXT: {
        "application/csv",
        "text/comma-separated-values",
        "text/x-csv",
        "application/vnd.ms-excel",
    },
    JPEG: {"image/jpg"},
    PNG: {"image/x-png"},
    DOCX: {"application/zip", "application/x-zip-compressed"},
    XLSX: {"application/zip", "application/x-zip-compressed"},
    PPTX: {"application/zip", "application/x-zip-compressed"},
    OFD: {"application/zip", "application/x-zip-compressed"},
    OLE2: {"application/vnd.ms-powerpoint", "application/kswps", "application/wps-office.doc"},
}
# Declared types a browser would render or run: never accepted, whatever the content.
RENDERABLE = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "text/xml",
    "application/xml",
}
# Types a browser sends when it does not know: they declare nothing.
UNDECLARED = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
MACRO_EXTENSIONS = {".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppsm"}

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Tags and URL schemes through which a browser renders or runs a file as a page. Every tag
# name has a letter outside a–f, so PDF hex strings (<4a6f>) never match.
MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|svg|iframe|frame|frameset|object|embed|"
    rb"img|meta|link|style|form|math|xml:|x-)[\s/>]"
    rb"|(?:javascript|vbscript):",
    re.IGNORECASE,
)
LEADING_MARKUP = re.compile(rb"^\s*<(!doctype|html|head|body|script|svg|iframe|\?xml)", re.I)
# Stream names in an OLE2 directory (UTF-16LE) that hold macros.
OLE2_MACRO_NAMES = tuple(name.encode("utf-16-le") for name in ("_VBA_PROJECT", "PROJECTwm"))
XML_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class UploadRefused(Exception):
    """The upload is refused; `reason` is the message for the person uploading."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def _read_all(fileobj) -> bytes:
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    return data


# --- what the bytes are -----------------------------------------------------------------------


def _sniff(head: bytes, fileobj) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(PNG_MAGIC):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(OLE2_MAGIC):
        return OLE2
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(fileobj)
    return None


def _zip_kind(fileobj) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UploadRefused(_("压缩文档已损坏，无法打开。")) from error
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
            if any(n.startswith(prefix) for n in names):
                return kind
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


# --- the entry point ---------------------------------------------------------------------------


def inspect_upload(name: str, fileobj, declared_type: str | None = None) -> str:
    """The verified kind of the upload ("pdf", "png", "jpeg", "tiff", "docx", "xlsx",
    "pptx", "ofd", "ole2" or "text"), or `UploadRefused`. `fileobj` must be seekable; it is
    left at position 0. `declared_type` is the content type the client or an earlier check
    gave (parameters such as "; charset=utf-8" are ignored)."""
    extension = _extension(name)
    if extension in MACRO_EXTENSIONS:
        raise UploadRefused(_("不允许上传含宏的文档（%(ext)s）。") % {"ext": extension})
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    if not head:
        raise UploadRefused(_("文件为空。"))
    kind = _sniff(head, fileobj)
    if kind is None:
        data = _read_all(fileobj)
        text = data.removeprefix(b"\xef\xbb\xbf")
        if LEADING_MARKUP.match(text) or text.startswith(b"#!") or not _is_text(data):
            raise UploadRefused(
                _("不允许上传该类型的文件。允许的类型：%(types)s。")
                % {"types": "、".join(LABELS[k] for k in LABELS if k != OLE2) + "、DOC、XLS"}
            )
        kind = TEXT
    if extension not in EXTENSIONS[kind]:
        raise UploadRefused(
            _("文件内容与扩展名不符：内容为%(kind)s，扩展名为“%(ext)s”。")
            % {"kind": LABELS[kind], "ext": extension or _("无")}
        )
    declared = (declared_type or "").split(";")[0].strip().lower()
    if _declared_mismatch(declared, kind):
        raise UploadRefused(
            _("文件内容与声明的类型不符：内容为%(kind)s，声明为“%(declared)s”。")
            % {"kind": LABELS[kind], "declared": declared}
        )
    CHECKS[kind](fileobj)
    fileobj.seek(0)
    return kind


def _declared_mismatch(declared: str, kind: str) -> bool:
    """A declared type that a browser would render, or that names another known kind. Types
    nobody lists (and browsers' aliases, such as Windows sending CSV as an Excel type) say
    nothing either way."""
    if declared in UNDECLARED or declared in CONTENT_TYPES[kind] | ALIASES.get(kind, set()):
        return False
    if declared in RENDERABLE:
        return True
    return any(declared in types for other, types in CONTENT_TYPES.items() if other != kind)


# --- polyglots ---------------------------------------------------------------------------------


def _refuse_markup(data: bytes, kind: str) -> None:
    if MARKUP.search(data):
        raise UploadRefused(
            _("文件中夹带网页或脚本代码，不能作为%(kind)s上传。") % {"kind": LABELS[kind]}
        )


# --- archives ----------------------------------------------------------------------------------


def _check_zip(fileobj) -> None:
    max_entries = _limit("UPLOAD_ZIP_MAX_ENTRIES", ZIP_MAX_ENTRIES)
    max_expanded = _limit("UPLOAD_ZIP_MAX_EXPANDED_BYTES", ZIP_MAX_EXPANDED_BYTES)
    max_ratio = _limit("UPLOAD_ZIP_MAX_RATIO", ZIP_MAX_RATIO)
    too_big = UploadRefused(
        _("压缩文档解压后过大（超过%(mb)d MB或压缩比异常），疑似压缩炸弹，拒绝上传。")
        % {"mb": max_expanded // (1024 * 1024)}
    )
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UploadRefused(_("压缩文档已损坏，无法打开。")) from error
    with archive:
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise UploadRefused(
                _("压缩文档包含的条目过多（%(n)d个，最多%(max)d个）。")
                % {"n": len(entries), "max": max_entries}
            )
        # The claimed sizes first (cheap), then the real ones while inflating.
        if sum(e.file_size for e in entries) > max_expanded:
            raise too_big
        total = 0
        for entry in entries:
            lowered = entry.filename.lower()
            if lowered.endswith(("vbaproject.bin", "vbadata.xml")) or "/activex/" in lowered:
                raise UploadRefused(_("文档包含宏或ActiveX控件，不允许上传。"))
            if entry.flag_bits & 0x1:
                raise UploadRefused(_("不允许上传加密的压缩文档。"))
            size = 0
            first = b""
            try:
                with archive.open(entry) as member:
                    while chunk := member.read(CHUNK):
                        if not first:
                            first = chunk[:4096]
                        size += len(chunk)
                        total += len(chunk)
                        compressed = max(entry.compress_size, 1)
                        if (
                            total > max_expanded
                            or size > entry.file_size
                            or (size > ZIP_RATIO_FLOOR and size / compressed > max_ratio)
                        ):
                            raise too_big
            except (
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                NotImplementedError,
            ) as error:
                raise UploadRefused(_("压缩文档已损坏，无法打开。")) from error
            if lowered.endswith((".xml", ".rels")) and XML_DECLARATIONS.search(first):
                raise UploadRefused(_("文档包含不允许的XML实体声明。"))
            if lowered == "[content_types].xml" and b"macroenabled" in first.lower():
                raise UploadRefused(_("文档包含宏或ActiveX控件，不允许上传。"))


def _check_ole2(fileobj) -> None:
    data = _read_all(fileobj)
    if any(name in data for name in OLE2_MACRO_NAMES):
        raise UploadRefused(_("文档包含宏，不允许上传。"))
    _refuse_markup(data, OLE2)


# --- images ------------------------------------------------------------------------------------


def _check_image(kind: str):
    def check(fileobj) -> None:
        from PIL import Image, UnidentifiedImageError

        data = _read_all(fileobj)
        _refuse_markup(data, kind)
        max_pixels = _limit("UPLOAD_IMAGE_MAX_PIXELS", IMAGE_MAX_PIXELS)
        broken = UploadRefused(_("图片文件已损坏或格式不完整。"))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    width, height = image.size
                    if width * height > max_pixels:
                        raise UploadRefused(_("图片尺寸过大，拒绝上传。"))
                    image.verify()
                # verify() leaves the image unusable; decode every pixel from a fresh open.
                with Image.open(io.BytesIO(data)) as image:
                    expected = {PNG: "PNG", JPEG: "JPEG", TIFF: "TIFF"}[kind]
                    if image.format != expected:
                        raise broken
                    image.load()
        except UploadRefused:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise UploadRefused(_("图片尺寸过大，拒绝上传。")) from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
            raise broken from error
        except Exception as error:  # Pillow raises a wide variety on malformed input
            logger.info("image refused: %r", error)
            raise broken from error
        if kind == PNG:
            _check_png_end(data)

    return check


def _check_png_end(data: bytes) -> None:
    """Walk the chunks: the file must end exactly after IEND (no appended page or script)."""
    position = len(PNG_MAGIC)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length
        if chunk_type == b"IEND":
            if data[position:].strip(b"\x00"):
                raise UploadRefused(_("图片文件末尾夹带了其他数据，拒绝上传。"))
            return
    raise UploadRefused(_("图片文件已损坏或格式不完整。"))


# --- PDF ---------------------------------------------------------------------------------------

ACTIVE_PDF_KEYS = ("/JavaScript", "/JS", "/Launch")


def _check_pdf(fileobj) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    data = _read_all(fileobj)
    _refuse_markup(data, PDF)
    max_pages = _limit("UPLOAD_PDF_MAX_PAGES", PDF_MAX_PAGES)
    broken = UploadRefused(_("PDF文件已损坏，无法解析。"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise UploadRefused(_("不允许上传加密的PDF文件。"))
            count = len(reader.pages)
            if count == 0:
                raise broken
            if count > max_pages:
                raise UploadRefused(
                    _("PDF页数过多（%(n)d页，最多%(max)d页）。") % {"n": count, "max": max_pages}
                )
            root = reader.trailer["/Root"]
            if _has_active_content(root):
                raise UploadRefused(_("PDF文件包含脚本或启动动作，不允许上传。"))
            for page in reader.pages:
                if "/AA" in page or _annotations_active(page):
                    raise UploadRefused(_("PDF文件包含脚本或启动动作，不允许上传。"))
                page.get_contents()
    except UploadRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise broken from error
    except RecursionError as error:
        raise broken from error


def _has_active_content(root) -> bool:
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return True
    for key in ("/OpenAction", "/AA"):
        action = root.get(key)
        if action is not None and _is_active_action(action.get_object()):
            return True
    return False


def _is_active_action(action) -> bool:
    if not hasattr(action, "get"):
        return False
    if action.get("/S") in ("/JavaScript", "/Launch") or "/JS" in action:
        return True
    # /AA is a dictionary of actions keyed by trigger.
    return any(
        _is_active_action(value.get_object())
        for key, value in action.items()
        if key not in ("/S", "/Type", "/Next") and hasattr(value, "get_object")
    )


def _annotations_active(page) -> bool:
    annotations = page.get("/Annots")
    if annotations is None:
        return False
    for reference in annotations.get_object():
        annotation = reference.get_object()
        action = annotation.get("/A")
        if action is not None and _is_active_action(action.get_object()):
            return True
    return False


def _check_text(fileobj) -> None:
    # Plain text was checked while sniffing: it decodes and starts with no markup.
    return None


CHECKS = {
    PDF: _check_pdf,
    PNG: _check_image(PNG),
    JPEG: _check_image(JPEG),
    TIFF: _check_image(TIFF),
    DOCX: _check_zip,
    XLSX: _check_zip,
    PPTX: _check_zip,
    OFD: _check_zip,
    OLE2: _check_ole2,
    TEXT: _check_text,
}
