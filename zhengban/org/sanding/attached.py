"""Offices attached to the organization (其他事项: "市政府参事室设在市政府办公厅，…").

An item of 其他事项 (or an article) is an attached office when it says where the office
sits (设在 / 挂靠 / …管理的…机构) and gives it organs or staffing of its own; items that
only say "另行规定" are not.
"""

import re

from . import pieces
from .items import Item
from .lines import Line
from .meta import rank_in
from .names import parse_head
from .normalize import Doc
from .staffing import ADMIN_RE, LOGISTICS_RE, empty_staffing, parse_staffing
from .units import finish, intro_position, is_unit_intro, parse_units

_SEAT_RE = re.compile(r"设在|挂靠|管理的[^。;]{0,12}机构|合署办公|归口")
_SEAT_WORD_RE = re.compile(r"设在|挂靠")
_NAME_END_RE = re.compile(r"为|由|是|与|,|。|:|;")
_DUTY_RE = re.compile(r"主要职责(?:是|为)?\s*:?\s*|主要负责(?=\S)|主要任务(?:是|为)?\s*:?\s*")
_DUTY_STOP_RE = re.compile(r"内设机构|行政编制|人员编制")


def _text(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)


def is_attached(item: Item) -> bool:
    text = _text(item.lines)
    has_own = ADMIN_RE.search(text) or LOGISTICS_RE.search(text) or is_unit_intro(text)
    return bool(_SEAT_RE.search(text) and has_own)


def _organization(doc: Doc, line: Line) -> tuple[str | None, list[str]]:
    # The name runs up to "设在"; failing that, to the first punctuation or verb.
    m = _SEAT_WORD_RE.search(doc.norm, line.body, line.end)
    m = m or _NAME_END_RE.search(doc.norm, line.body, line.end)
    end = m.start() if m else line.end
    head = parse_head(doc, line.body, end, strict=True)
    if head is None or len(head.names) != 1:
        return None, []
    part = head.names[0]
    return doc.raw[part.name[0] : part.name[1]], part.other_names


def _duties(doc: Doc, lines: list[Line]) -> list[pieces.Piece]:
    for line in lines:
        m = _DUTY_RE.search(doc.norm, line.body, line.end)
        if not m:
            continue
        start = m.end() if not m.group().startswith("主要负责") else m.start() + 2
        stop = _DUTY_STOP_RE.search(doc.norm, start, line.end)
        end = stop.start() if stop else line.end
        return pieces.split_sentences(doc.norm, [(start, end)])
    return []


def _unit_lines(doc: Doc, item: Item) -> list[Line]:
    """The office's organ list, from the sentence that introduces it ("内设机构2个，即：…")."""
    for i, line in enumerate(item.lines):
        pos = intro_position(line.text)
        if pos is not None:
            start = line.start + pos
            intro = Line(start, line.end, doc.norm[start : line.end], None, None, start)
            return [intro, *item.lines[i + 1 :]]
    return []


def _staffing(doc: Doc, item: Item) -> dict:
    """Quotas and posts, from the first quota ("行政编制11名，其中：…") on."""
    for i, line in enumerate(item.lines):
        m = ADMIN_RE.search(line.text) or LOGISTICS_RE.search(line.text)
        if m:
            rest = item.lines[i + 1 :]
            text = line.text[m.start() :] + "".join("\n" + x.text for x in rest)
            written = doc.raw[line.start + m.start() : line.end]
            written += "".join("\n" + doc.raw[x.start : x.end] for x in rest)
            return parse_staffing(text, written)
    return empty_staffing()


def parse_attached(doc: Doc, item: Item) -> dict:
    first = item.lines[0]
    organization, other_names = _organization(doc, first)
    duty_pieces = _duties(doc, item.lines)
    unit_list = parse_units(doc, _unit_lines(doc, item))
    # The grade stated before the office's own organs and staffing ("…管理的副科级机构").
    stop = _DUTY_STOP_RE.search(first.text)
    return {
        "organization": organization,
        "other_names": other_names,
        "rank": rank_in(first.text[: stop.start()] if stop else first.text),
        "span": [first.start, item.lines[-1].end],
        "duties": [pieces.raw_text(doc.raw, p) for p in duty_pieces],
        "duty_spans": [pieces.span(p) for p in duty_pieces],
        "stated_unit_count": unit_list.stated,
        "units": finish(doc, unit_list),
        "staffing": _staffing(doc, item),
    }
