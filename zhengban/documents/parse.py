"""A draft given as UTF-8 text or DOCX → `OfficialDocument` (for the 公文体检 and DOCX import).

One paragraph per line (DOCX: per paragraph). The elements are recognised by their form, in
the order GB/T 9704 puts them: 份号, 密级, 紧急程度, 发文机关标志, 发文字号 and 签发人 at the top;
the title; 主送 (a line ending in ：); the body; 附件说明; 署名, 成文日期 and 附注; attachments
(a line 附件 / 附件2); the 版记 (抄送：…, …印发). Nothing is dropped: a line that fits no element
is body text.
"""

import io
import re
import zipfile

from .content import Attachment, OfficialDocument, Paragraph, parse_chinese_date
from .numbers import looks_like_number


class DraftUnreadable(ValueError):
    """The input is not UTF-8 text nor a DOCX file."""


_COPY_RE = re.compile(r"^(?:份号[:：]?)?([0-9０-９]{6})$")
_SECRECY_RE = re.compile(r"^(?:密级[:：]?)?(绝密|机密|秘密)(?:\s*★\s*(.+))?$")
_URGENCY_RE = re.compile(r"^(?:紧急程度[:：]?)?(特急|加急|平急|特提)$")
_SIGNER_RE = re.compile(r"签发人[:：]\s*(.+)$")
_DATE_LIKE_RE = re.compile(
    r"^[0-9０-９〇○零一二三四五六七八九十]{2,4}\s*年.{1,3}月.{1,3}日$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}$"
)
_PRINT_RE = re.compile(r"^(.*?)\s*(\S+年\S+月\S+日)\s*印发$")
_ATTACH_HEAD_RE = re.compile(r"^附件\s*([0-9０-９]*)$")
_ATTACH_NOTE_RE = re.compile(r"^附件[:：]\s*(.*)$")
_NOTE_ITEM_RE = re.compile(r"^([0-9０-９]{1,2})[.．、]\s*(.*)$")
_ATTENDANCE_RE = re.compile(r"^(出席|请假|列席)[:：]\s*(.*)$")
_PUNCT = "，。；？！、"


def read_draft_bytes(data: bytes, *, filename: str = "") -> OfficialDocument:
    """Parse a draft file: DOCX (by content) or UTF-8 text (a BOM is allowed)."""
    if data[:4] == b"PK\x03\x04":
        return parse_text(_docx_text(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftUnreadable(f"不是 UTF-8 文本或 DOCX 文件：{filename or '输入'}") from exc
    if "\x00" in text:
        raise DraftUnreadable(f"不是 UTF-8 文本或 DOCX 文件：{filename or '输入'}")
    return parse_text(text)


def _docx_text(data: bytes) -> str:
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DraftUnreadable("DOCX 文件已损坏或不是 Word 文档") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise DraftUnreadable(f"无法读取 DOCX：{exc}") from exc
    return "\n".join(p.text for p in document.paragraphs)


def parse_text(text: str, *, doc_type: str = "") -> OfficialDocument:
    doc = OfficialDocument()
    lines = [
        (i + 1, raw.strip().replace("\u3000", " ").strip())
        for i, raw in enumerate(text.splitlines())
    ]
    items = [(n, s) for n, s in lines if s]
    i = 0
    # 版头
    while i < len(items):
        n, s = items[i]
        if m := _COPY_RE.match(s):
            doc.copy_number, doc.lines["份号"] = m[1], n
        elif m := _SECRECY_RE.match(s):
            doc.secrecy, doc.secrecy_period, doc.lines["密级"] = m[1], (m[2] or "").strip(), n
        elif m := _URGENCY_RE.match(s):
            doc.urgency, doc.lines["紧急程度"] = m[1], n
        elif looks_like_number(s.split("签发人")[0]):
            doc.number, doc.lines["发文字号"] = s.split("签发人")[0].strip(), n
            if m := _SIGNER_RE.search(s):
                doc.signers, doc.lines["签发人"] = _names(m[1]), n
        elif m := _SIGNER_RE.match(s):
            doc.signers, doc.lines["签发人"] = _names(m[1]), n
        elif (
            not doc.issuer_mark
            and not doc.number
            and _is_mark(s)
            and i + 1 < len(items)
            and (looks_like_number(items[i + 1][1].split("签发人")[0]) or _is_mark_word(s))
        ):
            doc.issuer_mark, doc.lines["发文机关标志"] = s, n
        else:
            break
        i += 1
    # 标题: up to the line that ends with a 文种 (at most four lines)
    if i < len(items):
        start = i
        title_lines = []
        while i < len(items) and len(title_lines) < 4:
            s = items[i][1]
            if s.endswith("：") or s.endswith(":") or s.endswith("。"):
                break
            title_lines.append(s)
            i += 1
            if _ends_with_type(s):
                break
        if title_lines and not _ends_with_type(title_lines[-1]) and len(title_lines) > 1:
            i = start + 1
            title_lines = title_lines[:1]
        doc.title, doc.lines["标题"] = "".join(title_lines), items[start][0]
    # 主送
    if i < len(items) and re.search(r"[:：]$", items[i][1]) and len(items[i][1]) < 120:
        n, s = items[i]
        doc.recipients, doc.lines["主送"] = _recipients(s[:-1]), n
        i += 1

    rest = items[i:]
    # 版记 from the bottom
    j = len(rest)
    while j > 0:
        n, s = rest[j - 1]
        if m := _PRINT_RE.match(s):
            doc.printer, doc.print_date_text, doc.lines["印发"] = m[1].strip(), m[2], n
        elif s.startswith(("抄送：", "抄送:")):
            doc.cc, doc.lines["抄送"] = _recipients(s[3:].rstrip("。")), n
            doc.lines["抄送原文"] = 0 if s.endswith("。") else 1
        elif s.startswith(("主送：", "主送:")) and not doc.recipients:
            doc.recipients, doc.lines["主送"] = _recipients(s[3:].rstrip("。")), n
        else:
            break
        j -= 1
    rest = rest[:j]
    # 附件 pages (after the signature)
    attach_at = next(
        (k for k, (_, s) in enumerate(rest) if _ATTACH_HEAD_RE.match(s) and k > 0), None
    )
    if attach_at is not None:
        doc.attachments = []
        current: Attachment | None = None
        for n, s in rest[attach_at:]:
            if _ATTACH_HEAD_RE.match(s):
                current = Attachment(title="")
                doc.attachments.append(current)
            elif current is not None and not current.title:
                current.title = s
            elif current is not None:
                current.body.append(Paragraph(s, line=n))
        rest = rest[:attach_at]
    # 纪要 attendance
    while rest and (m := _ATTENDANCE_RE.match(rest[-1][1])):
        doc.attendance = {m[1]: _names(m[2]), **doc.attendance}
        rest = rest[:-1]
    # 附注, 成文日期, 署名
    k = len(rest)
    if (
        k
        and re.match(r"^[（(].*[）)]$", rest[k - 1][1])
        and k >= 2
        and _DATE_LIKE_RE.match(rest[k - 2][1])
    ):
        doc.note, doc.lines["附注"] = rest[k - 1][1][1:-1], rest[k - 1][0]
        k -= 1
    if k and _DATE_LIKE_RE.match(rest[k - 1][1]):
        doc.date_text, doc.lines["成文日期"] = rest[k - 1][1], rest[k - 1][0]
        k -= 1
        signature = []
        while k and _is_signature(rest[k - 1][1]) and len(signature) < 4:
            signature.insert(0, rest[k - 1][1])
            doc.lines["署名"] = rest[k - 1][0]
            k -= 1
        doc.signature = signature
    while k and (m := _ATTENDANCE_RE.match(rest[k - 1][1])):
        doc.attendance = {m[1]: _names(m[2]), **doc.attendance}
        k -= 1
    rest = rest[:k]
    # 附件说明
    note_at = next((k for k, (_, s) in enumerate(rest) if _ATTACH_NOTE_RE.match(s)), None)
    if note_at is not None:
        n, s = rest[note_at]
        doc.lines["附件说明"] = n
        first = _ATTACH_NOTE_RE.match(s)[1]
        names = [first]
        for _, more in rest[note_at + 1 :]:
            names.append(more)
        doc.attachment_note = [x for x in names if x]
        rest = rest[:note_at]
    doc.body = [Paragraph(s, line=n) for n, s in rest]
    if doc_type:
        doc.doc_type = doc_type
    else:
        doc.doc_type = guess_type(doc)
    return doc


def guess_type(doc: OfficialDocument) -> str:
    from .content import DOC_TYPES

    for name in sorted(DOC_TYPES, key=len, reverse=True):
        if doc.title.endswith(name):
            return name
    if doc.issuer_mark.endswith("纪要"):
        return "纪要"
    return "通知"


def _ends_with_type(s: str) -> bool:
    from .content import DOC_TYPES

    return any(s.endswith(t) for t in DOC_TYPES)


def _is_mark_word(s: str) -> bool:
    return s.endswith("文件") or s.endswith("纪要")


def _is_mark(s: str) -> bool:
    return len(s) <= 30 and not any(c in s for c in _PUNCT + "：:") and "关于" not in s


def _is_signature(s: str) -> bool:
    return (
        len(s) <= 30
        and not any(c in s for c in _PUNCT + "：:.．")
        and not _DATE_LIKE_RE.match(s)
        and not s[0].isdigit()
        and not s.startswith(("附件", "（", "("))
    )


def _names(s: str) -> list[str]:
    return [x for x in re.split(r"[\s、，,]+", s.strip()) if x]


def _recipients(s: str) -> list[str]:
    return [x.strip() for x in re.split(r"[，,；;]", s.strip()) if x.strip()]


def split_recipient_names(recipients: list[str]) -> list[str]:
    """主送 groups → single names, for counting (各区、县（市）人民政府 counts as one)."""
    out = []
    for group in recipients:
        out.extend(x for x in re.split(r"、(?![^（(]*[）)])", group) if x)
    return out


__all__ = ["DraftUnreadable", "parse_chinese_date", "parse_text", "read_draft_bytes"]
