"""Logical lines with their numbering markers.

A logical line is a physical line, further split where a web copy has run paragraphs
together ("。 (二)会议处。 ") or where a numbered list starts after a colon
("执行下列任务: (一)…"). Offsets are into the document; ``text`` is the matching copy.
"""

import itertools
import re
from dataclasses import dataclass

from .normalize import Doc
from .numerals import circled_value, to_int

_CN = "一二三四五六七八九十"

# Numbering at the start of a line, most specific first. The style names the list level.
_MARKERS = [
    ("paren_cn", re.compile(rf"\(\s*([{_CN}]{{1,4}})\s*\)")),
    ("paren_num", re.compile(r"\(\s*(\d{1,3})\s*\)")),
    ("circled", re.compile(r"([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")),
    ("cn", re.compile(rf"([{_CN}]{{1,4}})\s*[、.](?!\d)")),
    ("num", re.compile(r"(\d{1,3})\s*[、.](?![\d.])")),
    ("num_paren", re.compile(r"(\d{1,3})\)")),
]
_ARTICLE_RE = re.compile(rf"第\s*([{_CN}百\d]{{1,6}})\s*条\s*")

# Where a new logical line starts inside a physical one: before a bracketed or circled
# number that follows a colon, semicolon, full stop or a run of spaces, and after "。 ".
_INLINE_MARK = (
    rf"(?:\(\s*[{_CN}]{{1,4}}\s*\)|\(\s*\d{{1,3}}\s*\)|[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])"
)
# Section headings and articles run into the text of a flattened page.
_INLINE_HEADING = (
    rf"[{_CN}]{{1,3}}、\s*(?:职责调整|职能调整|职能转变|主要职责|内设机构|人员编制|其他事项|附则)"
    rf"|(?<=。)第[{_CN}]{{1,3}}条"
)
_SPLIT_RE = re.compile(
    rf"(?<=[:;。])\s*(?={_INLINE_MARK})|\s+(?={_INLINE_MARK})|(?<=。)\s+(?=\S)"
    rf"|\s*(?={_INLINE_HEADING})"
)


@dataclass(frozen=True)
class Line:
    start: int  # first non-space character
    end: int  # after the last non-space character
    text: str  # matching copy of doc[start:end]
    style: str | None  # numbering style, None when unnumbered
    number: int | None  # value of the number
    body: int  # offset where the content after the marker starts
    article: int | None = None  # N of a leading 第N条

    @property
    def body_text(self) -> str:
        return self.text[self.body - self.start :]

    def ends_sentence(self) -> bool:
        return self.text[-1:] in ("。", ";", ":", "!", "?", ")")


def _marker(text: str) -> tuple[str | None, int | None, int]:
    for style, regex in _MARKERS:
        m = regex.match(text)
        if m:
            raw = m.group(1)
            number = circled_value(raw) if style == "circled" else to_int(raw)
            return style, number, m.end()
    return None, None, 0


def logical_line(doc: Doc, start: int, end: int) -> Line | None:
    """The line doc[start:end] (trimmed, with its marker), None when blank."""
    text = doc.norm[start:end]
    stripped = text.strip()
    if not stripped:
        return None
    start += len(text) - len(text.lstrip())
    end = start + len(stripped)
    article = None
    m = _ARTICLE_RE.match(stripped)
    if m:
        article = to_int(m.group(1))
        body = m.end()
        style, number = None, None
    else:
        style, number, body = _marker(stripped)
    rest = stripped[body:]
    body = start + body + len(rest) - len(rest.lstrip())
    return Line(start, end, stripped, style, number, body, article)


def logical_lines(doc: Doc) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for physical in doc.norm.split("\n"):
        line_start, line_end = pos, pos + len(physical)
        pos = line_end + 1
        cuts = [line_start]
        for m in _SPLIT_RE.finditer(physical):
            if m.start() > 0:
                cuts.append(line_start + m.start())
        cuts.append(line_end)
        for a, b in itertools.pairwise(cuts):
            line = logical_line(doc, a, b)
            if line:
                lines.append(line)
    return lines
