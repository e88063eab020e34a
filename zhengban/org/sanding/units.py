"""内设机构: the internal organs, in the forms regulations list them.

- numbered paragraphs: "(一)秘书一处。\n负责…", "1.办公室\n负责…", "一、文秘科(保密办)"
- inline lists: "内设机构2个，即：秘书处、参事业务处", "设下列工作单位: 工资科, 福利科",
  "设综合股、应急值守股2个股室"
- unnumbered paragraphs: "办公室：负责…", "机关党委负责…", "纪检组、监察处 合署办公，…"

Numbered and inline-listed organs are counted; organs listed after them without a number
(机关党委, 离退休干部处 …) are not.
"""

import re
from dataclasses import dataclass, field

from . import pieces
from .brackets import find_top, split_top
from .lines import Line
from .names import (
    DUTY_START_RE,
    EXTRA_RE,
    Head,
    NamePart,
    is_organ_name,
    parse_head,
    plausible_name,
)
from .normalize import Doc, mask_titles
from .numerals import NUM, to_int
from .pieces import Piece

_ORGAN_WORD = r"(?:内设机构|机构|司局|司|局|处室|处|科室|科|股室|股|室|部门|单位|厅|庭)"
_COUNT_RES = [
    re.compile(rf"内设机构\s*(?:为|共)?\s*({NUM})\s*个"),
    re.compile(rf"设\s*(?:有|置)?\s*({NUM})\s*个\s*[^\s,，。;:(]{{0,6}}?{_ORGAN_WORD}"),
    re.compile(rf"({NUM})\s*个\s*(?:职能)?(?:股室|处室|科室|内设机构|司局|机构)"),
    # "内设机构数不变，仍为6个" (an amending notice), "三、内设机构(3个)" (a heading)
    re.compile(rf"内设机构(?:数|总数)?[^。;,，]{{0,6}}[,，]?\s*(?:仍|调整)?为\s*({NUM})\s*个"),
    re.compile(rf"^\(\s*(?:共)?\s*({NUM})\s*个\s*\)$"),
]
_LIST_INTRO_RE = re.compile(
    rf"设(?:立|置)?(?:下列|以下|如下)[^,，。;]{{0,10}}?{_ORGAN_WORD}"
    r"|内设机构\s*(?:如下|有|包括)?\s*[:(]|机构设置\s*:"
)
# "设综合股、应急值守股2个股室": the list sits between 设 and the count.
_SET_LIST_RE = re.compile(
    rf"(?<![内建开增预])设((?:[^、,，。;:\s]{{1,25}}[、,，])+[^、,，。;:\s]{{1,25}}?)\s*{NUM}\s*个"
)
_STAFF_START_RE = re.compile(r"^(?:人员编制|机关行政编制|行政编制|编制\s*:)")
_STAFF_ANY_RE = re.compile(rf"行政编制\s*{NUM}\s*名")


_DUTY_LABEL_RE = re.compile(r"(?:主要)?职责(?:是|为)?\s*:\s*")
# A body placed beside the organization, not inside it: "县公证处归口县司法局管理",
# "市粮食局由市发展和改革委员会管理", "各乡镇司法所为县司法局派出机构",
# "省法律援助中心挂省公共法律服务中心牌子".
_SEAT_RE = re.compile(
    r"归口[^。;]{0,30}?管理|由[^。;,，]{1,30}?(?:管理|领导)|派出机构|挂靠|设在"
    r"|^[市县省区州盟旗各][^。;,，]{1,30}?(?:加挂|挂)[^。;]{1,30}?牌子"
)
# "纪检监察机构按有关规定设置": a sentence that names an organ and says nothing else.
_SET_AS_RULED_RE = re.compile(r"^按(?:照)?(?:有关)?规定设置$")
_PLAQUE_RE = re.compile(r"(?:加挂|增挂|同时挂)([^,，。;、()]{2,30}?)牌子")


def stated_count(text: str) -> int | None:
    text = mask_titles(text)
    for regex in _COUNT_RES:
        m = regex.search(text)
        if m:
            return to_int(m.group(1))
    return None


def intro_position(text: str) -> int | None:
    """Where the first statement about the organ list starts in ``text``, if any."""
    text = mask_titles(text)
    starts = [
        m.start() for r in (*_COUNT_RES, _LIST_INTRO_RE, _SET_LIST_RE) if (m := r.search(text))
    ]
    return min(starts) if starts else None


def is_unit_intro(text: str) -> bool:
    return intro_position(text) is not None


@dataclass
class Draft:
    part: NamePart
    number: int | None  # list number, None for unnumbered
    listed: bool  # in a numbered or inline list
    piece: Piece  # duty text
    start: int
    end: int
    merged: list[str] = field(default_factory=list)


@dataclass
class UnitList:
    stated: int | None = None
    drafts: list[Draft] = field(default_factory=list)
    intro_seen: bool = False


_NAMELY_RE = re.compile(r"即\s*:?")


def _inline_region(doc: Doc, line: Line) -> tuple[int, int] | None:
    """Where an inline list of organ names sits in an intro line, if it has one."""
    text = mask_titles(line.text)
    m = _SET_LIST_RE.search(text)
    if m:
        return line.start + m.start(1), line.start + m.end(1)
    starts = []
    m = _NAMELY_RE.search(text)  # "内设机构2个，即：A、B"
    if m:
        starts.append(m.end())
    for regex in (_LIST_INTRO_RE, *_COUNT_RES):  # "设下列工作单位：A、B", "设11个处室：A、B"
        m = regex.search(text)
        colon = text.find(":", m.end(), m.end() + 40) if m else -1
        if colon >= 0 and "。" in text[m.end() : colon]:
            colon = -1
        if colon >= 0:
            starts.append(colon + 1)
    for after in starts:
        start = line.start + after
        end = find_top(doc.norm, "。;", start, line.end)
        if doc.norm[start:end].strip():
            return start, end
    return None


def _inline_units(doc: Doc, line: Line) -> tuple[list[NamePart], int] | None:
    region = _inline_region(doc, line)
    if not region:
        return None
    parts = []
    for a, b in split_top(doc.norm, "、,，", *region):
        piece = pieces.strip(doc.norm, [(a, b)], " 等")
        if not piece:
            continue
        head = parse_head(doc, piece[0][0], piece[0][1], strict=False)
        if head is None or len(head.names) != 1 or head.rest < piece[0][1]:
            return None
        name = doc.norm[slice(*head.names[0].name)]
        if not plausible_name(name):
            return None
        parts.append(head.names[0])
    return (parts, region[1]) if parts else None


def _trim(norm: str, start: int, end: int) -> tuple[int, int]:
    while start < end and norm[start] in " ,，":
        start += 1
    while end > start and norm[end - 1] == " ":
        end -= 1
    return start, end


def _name(doc: Doc, part: NamePart) -> str:
    return doc.norm[part.name[0] : part.name[1]]


def is_seat_sentence(text: str) -> bool:
    """ "X归口Y管理", "X由Y管理", "X挂Y牌子": a body beside the organization."""
    verb = DUTY_START_RE.search(text)
    seat = _SEAT_RE.search(text)
    return seat is not None and (verb is None or seat.start() < verb.start())


def organ_sentence(doc: Doc, start: int, end: int) -> Head | None:
    """ "离退休干部处负责…", "驻局纪检监察组按有关规定设置": an organ as a sentence's subject."""
    head = parse_head(doc, start, end, strict=True)
    if head is None:
        return None
    return head if DUTY_START_RE.match(doc.norm, head.rest) else None


class _Builder:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.result = UnitList()
        self.top_style: str | None = None
        self.current: list[Draft] = []  # drafts receiving continuation lines
        self.prev: Line | None = None
        self.prev_name_only = False

    def add(
        self,
        head: Head,
        line: Line,
        number: int | None,
        listed: bool,
        end: int | None = None,
        start: int | None = None,
    ) -> None:
        """New drafts for the names of ``head``, their paragraph [start, end) (the line's)."""
        end = line.end if end is None else end
        start = line.start if start is None else start
        piece = self.duty_piece(head.rest, end)
        names = [self.doc.raw[p.name[0] : p.name[1]] for p in head.names]
        self.current = []
        for part, name in zip(head.names, names, strict=True):
            draft = Draft(part, number, listed, list(piece), start, end)
            if head.merged:
                draft.merged = [n for n in names if n != name]
            self.result.drafts.append(draft)
            self.current.append(draft)
        self.prev_name_only = head.rest >= line.end

    def duty_piece(self, start: int, end: int) -> Piece:
        """Duty text in [start, end), keeping the full stop that separates sentences."""
        norm = self.doc.norm
        while start < end and norm[start] in " 。;,，":
            start += 1
        while end > start and norm[end - 1] in " ,，":
            end -= 1
        if start >= end or _SET_AS_RULED_RE.match(norm[start:end].rstrip("。;")):
            return []
        return [(start, end)]

    def paragraph(self, head: Head, line: Line) -> None:
        """An unnumbered paragraph: its organ, then every organ a later sentence is about.

        "机关党委负责…。纪检监察机构按有关规定设置。离退休干部处负责…" names three organs;
        "县公证处归口县司法局管理" names a body beside the organization, which is dropped.
        """
        norm = self.doc.norm
        sentences = split_top(norm, "。;", head.rest, line.end)
        cut = next(
            (
                a
                for a, b in sentences[1:]
                if organ_sentence(self.doc, *_trim(norm, a, b))
                or is_seat_sentence(norm[slice(*_trim(norm, a, b))])
            ),
            None,
        )
        self.add(head, line, None, listed=False, end=cut)
        if cut is None:
            return
        drafts = list(self.current)
        for a, b in sentences:
            if a < cut:
                continue
            a, b = _trim(norm, a, b)
            if a >= b:
                continue
            sub = organ_sentence(self.doc, a, b)
            if sub is not None:
                self.add(sub, line, None, listed=False, end=b, start=a)
                drafts = list(self.current)
            elif is_seat_sentence(norm[a:b]):
                drafts = []
            else:
                for draft in drafts:
                    draft.piece.extend(self.duty_piece(a, b))
                    draft.end = b
        self.current = drafts

    def intro(self, line: Line) -> None:
        result = self.result
        result.intro_seen = True
        if result.stated is None:
            result.stated = stated_count(line.body_text)
        self.current = []
        found = _inline_units(self.doc, line)
        if not found or (len(found[0]) == 1 and self.doc.norm[found[1] : line.end].strip(" 。")):
            # "设下列内设机构：办公室。负责…": the first organ's paragraph on the intro line.
            self.first_paragraph(line)
            return
        parts, region_end = found
        for part in parts:
            draft = Draft(part, None, True, [], part.name[0], part.name[1])
            result.drafts.append(draft)
        # "…2个股室。综合股负责…；应急值守股承担…": duties of the listed organs.
        for segment in pieces.split_sentences(self.doc.norm, [(region_end, line.end)]):
            self.attach(segment)

    def first_paragraph(self, line: Line) -> None:
        """The first organ's paragraph after the intro: "设下列内设机构：办公室。负责…",
        "县工业和信息化局设4个内设机构。办公室：负责…"."""
        norm = self.doc.norm
        region = _inline_region(self.doc, line)
        if region is None:
            stop = find_top(norm, "。", line.body, line.end)
            if stop >= line.end or not organ_sentence(self.doc, *_trim(norm, stop + 1, line.end)):
                return
            region = (stop + 1, line.end)
        start, _ = _trim(norm, region[0], line.end)
        head = parse_head(self.doc, start, line.end, strict=True)
        if head is not None and len(head.names) == 1:
            rest = Line(start, line.end, self.doc.norm[start : line.end], None, None, start)
            self.paragraph(head, rest)

    def attach(self, segment: Piece) -> None:
        a, b = segment[0][0], segment[-1][1]
        head = parse_head(self.doc, a, b, strict=True)
        if head is None or len(head.names) != 1:
            return
        name = _name(self.doc, head.names[0])
        for draft in self.result.drafts:
            if _name(self.doc, draft.part) == name:
                draft.piece.append((head.rest, b))
                draft.end = max(draft.end, b)
                return

    def numbered(self, line: Line) -> bool:
        head = parse_head(self.doc, line.body, line.end, strict=False)
        if head is None:
            return False
        self.top_style = line.style
        self.add(head, line, line.number, listed=True)
        return True

    def unnumbered(self, line: Line) -> bool:
        prev = self.prev
        norm = self.doc.norm
        first = _trim(norm, line.start, find_top(norm, "。;", line.start, line.end))
        starts_paragraph = prev is None or prev.ends_sentence() or self.prev_name_only
        if self.result.drafts and starts_paragraph and is_seat_sentence(norm[slice(*first)]):
            self.current = []  # "县公证处归口县司法局管理。": no organ, no duty
            self.prev_name_only = False
            return True
        head = parse_head(self.doc, line.start, line.end, strict=True)
        if head is None:
            return False
        name_only = head.rest >= line.end
        if prev is not None and not (prev.ends_sentence() or self.prev_name_only or name_only):
            return False  # a wrapped line of the previous paragraph
        if head.merged and self.merge_existing(head):
            self.prev_name_only = name_only
            return True
        if len(head.names) == 1:
            # Duties of an organ already named in an inline list.
            name = _name(self.doc, head.names[0])
            for draft in self.result.drafts:
                if _name(self.doc, draft.part) == name and not draft.piece and draft.listed:
                    if head.rest < line.end:
                        draft.piece.append((head.rest, line.end))
                    draft.end = line.end
                    self.current = [draft]
                    self.prev_name_only = name_only
                    return True
        self.paragraph(head, line)
        return True

    def merge_existing(self, head: Head) -> bool:
        """ "督查室与综合科合署办公" about organs listed before: no new organs."""
        names = [_name(self.doc, p) for p in head.names]
        found = {_name(self.doc, d.part): d for d in self.result.drafts}
        if not all(n in found for n in names):
            return False
        for name in names:
            draft = found[name]
            written = [self.doc.raw[slice(*found[n].part.name)] for n in names if n != name]
            draft.merged += [w for w in written if w not in draft.merged]
        self.current = []
        return True

    def is_unit_line(self, line: Line) -> bool:
        if not line.style:
            return False
        head = parse_head(self.doc, line.body, line.end, strict=False)
        return head is not None and is_organ_name(_name(self.doc, head.names[0]))

    def take_unit(self, line: Line) -> bool:
        if line.style:
            return self.top_style in (None, line.style) and self.numbered(line)
        return self.unnumbered(line)

    def continue_unit(self, line: Line) -> None:
        label = _DUTY_LABEL_RE.match(line.text)  # "主要职责：负责…" under the organ's name
        start = line.start + label.end() if label else line.start
        for draft in self.current:
            if start < line.end:
                draft.piece.append((start, line.end))
            draft.end = line.end
        self.prev_name_only = False

    def feed(self, line: Line) -> bool:
        """Take one line; False when the line ends the organ list (staffing starts)."""
        body = line.body_text
        intro = is_unit_intro(line.text if line.article is not None else body)
        if _STAFF_START_RE.search(body) or (_STAFF_ANY_RE.search(body) and not intro):
            return False
        if line.article is not None or (intro and not self.is_unit_line(line)):
            self.intro(line)
        elif not self.take_unit(line):
            self.continue_unit(line)
        self.prev = line
        return True


def parse_units(doc: Doc, lines: list[Line]) -> UnitList:
    builder = _Builder(doc)
    for line in lines:
        if not builder.feed(line):
            break
    return builder.result


def _counted(doc: Doc, unit_list: UnitList) -> list[bool]:
    """Which organs fall under the stated count / the list."""
    drafts = unit_list.drafts
    if not any(d.listed for d in drafts):
        # Unnumbered paragraphs only: party, discipline and retiree organs are the extras.
        return [not EXTRA_RE.search(_name(doc, d.part)) for d in drafts]
    counted = [d.listed for d in drafts]
    # "设12个…" followed by (一)…(十二) and "(十三)机关党委": the surplus tail is extra.
    listed = [i for i, d in enumerate(drafts) if d.listed]
    stated = unit_list.stated
    while stated is not None and len(listed) > stated:
        i = listed.pop()
        if not EXTRA_RE.search(_name(doc, drafts[i].part)):
            break
        counted[i] = False
    return counted


def _plaques(doc: Doc, duty_pieces: list[Piece]) -> list[str]:
    """Second names given in the duty text: "加挂应急指挥中心牌子"."""
    names = []
    for p in duty_pieces:
        for m in _PLAQUE_RE.finditer(pieces.text_of(doc.norm, p)):
            i = doc.norm.find(m.group(1), p[0][0])
            names.append(doc.raw[i : i + len(m.group(1))] if i >= 0 else m.group(1))
    return names


def finish(doc: Doc, unit_list: UnitList) -> list[dict]:
    """Unit dicts in document order, with counted flags and spans."""
    units = []
    for d, counted in zip(unit_list.drafts, _counted(doc, unit_list), strict=True):
        duty_pieces = pieces.split_sentences(doc.norm, d.piece) if d.piece else []
        other_names = list(d.part.other_names)
        other_names += [n for n in _plaques(doc, duty_pieces) if n not in other_names]
        units.append(
            {
                "name": doc.raw[d.part.name[0] : d.part.name[1]],
                "duties": [pieces.raw_text(doc.raw, p) for p in duty_pieces],
                "counted": counted,
                "merged_with": list(d.merged) + list(d.part.merged_with),
                "other_names": other_names,
                "span": [d.start, d.end],
                "name_span": list(d.part.name),
                "duty_spans": [pieces.span(p) for p in duty_pieces],
            }
        )
    return units
