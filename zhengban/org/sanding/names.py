"""Organ names at the head of a unit paragraph: "秘书一处。", "办公室：负责…",
"纪检组、监察处 合署办公，…", "体制改革股(加挂药物政策股牌子)。"."""

import re
from dataclasses import dataclass, field

from .brackets import split_top, top_level
from .normalize import Doc

# What an organ's name ends with.
ORGAN_SUFFIX_RE = re.compile(
    r"(?:办公室|办公厅|委员会|中心|党委|工委|总支|支部|分局|大队|支队|总队"
    r"|[处科室股局司厅办组委部所队站馆院会庭])$"
)
# Organs a regulation lists outside its count (party, discipline, retirees, unions);
# "安全监察科" or "党委办公室" are ordinary organs.
EXTRA_RE = re.compile(r"机关党|党委$|党组$|党总支|党支部|离退休|纪检|纪委|^监察|工会$|团委$|妇委会")
# Party and discipline organs named generically: "纪检监察机构按有关规定设置".
_EXTRA_GENERIC_RE = re.compile(r"(?:纪检|监察|党|离退休)[^,，。;]{0,12}(?:机构|组织)$")
# Where the name ends and the duty text starts when there is no punctuation.
DUTY_START_RE = re.compile(r"负责|承担|主要职责|职责是|合署办公|合署|按(?:照)?(?:有关)?规定设置")
_DUTY_START_RE = DUTY_START_RE
# A suffix strong enough to split "纪检组与监察处" at the joiner ("数字社会和数字政府处" is one).
_JOIN_LEFT_RE = re.compile(
    r"(?:办公室|委员会|中心|党委|工委|支部|[处科室股局司厅办组部所队站馆院庭])$"
)
_HEAD_STOP = set("。:;,， \t.")
_BAD_START_RE = re.compile(
    r"^(?:负责|承担|根据|按照|依照|依据|其中|以上|上述|本|各|对(?!外|台)|由|在|将|为|有关|相关|所属|其他|其它|部分)"
)
_NAME_CHARS_RE = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf0-9A-Za-z·\-〇]+$")
_LEAD_RE = re.compile(r"另设|另外设立|同时设立|同时设|并设")
# Words no organ name contains: "离退休干部工作由办公室承担" is a sentence, not a name.
_BAD_INSIDE_RE = re.compile(r"由|的|设在|归口|挂靠")


@dataclass
class NamePart:
    name: tuple[int, int]  # span of the name as written
    other_names: list[str] = field(default_factory=list)  # 挂牌 / second names
    merged_with: list[str] = field(default_factory=list)  # from "(与X合署办公)"


@dataclass
class Head:
    names: list[NamePart]
    rest: int  # offset where the text after the name(s) starts
    merged: bool  # "A、B 合署办公"


def _head_end(norm: str, start: int, end: int) -> int:
    """End of the name part: first stop character outside brackets, or a duty verb."""
    for i, ch in top_level(norm, start, end):
        if ch in _HEAD_STOP or (i > start and _DUTY_START_RE.match(norm, i)):
            return i
    return end


def split_joined(name: str) -> int | None:
    """Where "纪检组与监察处" splits into two organ names (None for one name)."""
    for joiner in "与和及":
        i = name.find(joiner)
        left, right = name[:i], name[i + 1 :]
        if i > 0 and _JOIN_LEFT_RE.search(left) and is_organ_name(left) and is_organ_name(right):
            return i
    return None


def _split_names(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split "A、B" (and "A与B" when both halves are organ names) outside brackets."""
    parts = split_top(norm, "、", start, end)
    if len(parts) == 1:
        for joiner in "与和及":
            i = norm.find(joiner, start, end)
            left, right = norm[start:i], norm[i + 1 : end]
            if (
                i > start
                and _JOIN_LEFT_RE.search(left)
                and is_organ_name(left)
                and (is_organ_name(right))
            ):
                return [(start, i), (i + 1, end)]
    return parts


def _strip_brackets(
    norm: str, start: int, end: int
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """Name span without trailing "(…)" groups, and the spans of the bracket contents."""
    contents = []
    while end > start and norm[end - 1] == ")":
        depth, i = 0, end - 1
        while i >= start:
            if norm[i] == ")":
                depth += 1
            elif norm[i] == "(":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        if i <= start:
            break
        contents.insert(0, (i + 1, end - 1))
        end = i
    return (start, end), contents


_PLAQUE_RE = re.compile(r"^(?:加挂|挂|增挂|同时挂)(.+?)牌子$")
_MERGED_RE = re.compile(r"^与(.+?)合署(?:办公)?$")


def _name_part(doc: Doc, start: int, end: int) -> NamePart:
    """ "体制改革股(加挂药物政策股牌子)" → the name and its second names, as written."""
    span, contents = _strip_brackets(doc.norm, start, end)
    part = NamePart(span)
    for a, b in contents:
        content = doc.norm[a:b]
        plaque, merged = _PLAQUE_RE.match(content), _MERGED_RE.match(content)
        if plaque:
            part.other_names.append(doc.raw[a + plaque.start(1) : a + plaque.end(1)])
        elif merged:
            part.merged_with.append(doc.raw[a + merged.start(1) : a + merged.end(1)])
        elif not content.startswith(("含", "副", "正")) and len(content) <= 30:
            # "(市政府总值班室)", "(保密办)": a second name; "(含…)" and grades are not.
            names = (doc.raw[x:y].strip() for x, y in split_top(doc.norm, "、,，", a, b))
            part.other_names.extend(n for n in names if n)
    return part


def is_organ_name(name: str) -> bool:
    return (
        1 < len(name) <= 30
        and _NAME_CHARS_RE.match(name) is not None
        and (ORGAN_SUFFIX_RE.search(name) is not None or _EXTRA_GENERIC_RE.search(name) is not None)
        and not _BAD_START_RE.match(name)
        and not _BAD_INSIDE_RE.search(name)
    )


def plausible_name(name: str) -> bool:
    """Looser test for names in a numbered list (a typo such as "秘书六出" still counts)."""
    return (
        0 < len(name) <= 30
        and _NAME_CHARS_RE.match(name) is not None
        and not _BAD_START_RE.match(name)
    )


def parse_head(doc: Doc, start: int, end: int, strict: bool) -> Head | None:
    """Names at doc[start:end]'s head; None when the head is not a list of organ names."""
    norm = doc.norm
    lead = _LEAD_RE.match(norm, start, end)  # "另设机关党委，负责…"
    start = lead.end() if lead and lead.end() < end else start
    head_end = _head_end(norm, start, end)
    if head_end <= start:
        return None
    spans = _split_names(norm, start, head_end)
    parts = []
    for a, b in spans:
        part = _name_part(doc, a, b)
        name = norm[part.name[0] : part.name[1]]
        # Several names in one head must each look like an organ.
        ok = is_organ_name(name) if strict or len(spans) > 1 else plausible_name(name)
        if not ok:
            return None
        parts.append(part)
    rest = head_end
    while rest < end and norm[rest] in "。:;,， .":
        rest += 1
    merged = norm.startswith("合署", rest)
    if merged:
        rest += 4 if norm.startswith("合署办公", rest) else 2
        while rest < end and norm[rest] in "。:;,， .":
            rest += 1
    return Head(parts, rest, merged and len(parts) > 1)
