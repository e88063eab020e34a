"""The organization a regulation establishes, and its rank."""

import re

from .lines import Line
from .names import is_organ_name
from .normalize import Doc

_TITLE_TAIL = (
    r"(?:(?:主要职责|职能配置|机构职能)[、,]?\s*(?:和|及)?\s*内设机构(?:和|及|、)?\s*人员编制(?:规定|方案)"
    r"|组织(?:简则|条例|规程|通则)|机构职能编制规定|[\"“]?三定[\"”]?(?:规定|方案))"
)
_TITLE_RE = re.compile(rf"(?P<org>[^\s《》<>,，。:;()]{{2,40}}?)\s*{_TITLE_TAIL}")
_NOTICE_RE = re.compile(r"印发|关于|通知|转发")
_FOUND_RE = re.compile(r"设立(?P<org>[^\s,，。:;()《》]{2,40}?)(?:\(|,|，|。|为|是|;)")
# A page headed "X内设机构", "X主要职责", "X职能(第2页)", "X机构职能".
_UNITS_TITLE_RE = re.compile(
    r"^(?P<org>[^\s,，。:;()《》]{2,30}?)(?:内设机构(?:及|和)?(?:职责|职能)?"
    r"|(?:主要|机构|部门)?(?:职责|职能)(?:简介|概况)?)\s*(?:\([^()]{0,12}\))?$"
)
_RANK_RE = re.compile(
    r"[正副](?:省部|部|省|厅|地厅|司|局|处|县处|县|科|乡科|股|地|乡)级(?!城市|市|干部)"
)


def _clean(org: str) -> int:
    """Offset inside a title candidate where the organization's name starts."""
    cut = 0
    for m in _NOTICE_RE.finditer(org):
        cut = m.end()
    return cut


def find_organization(doc: Doc, lines: list[Line], preamble: list[Line]) -> tuple[int, int] | None:
    """Span of the organization's name as written, or None."""
    notice_hit = None
    for line in lines:
        for m in _TITLE_RE.finditer(line.text):
            start = line.start + m.start("org")
            start += _clean(m.group("org"))
            end = line.start + m.end("org")
            if start + 2 > end:
                continue
            name = doc.norm[start:end]
            if not is_organ_name(name):
                continue
            if m.start("org") == 0 and not _NOTICE_RE.search(line.text):
                return start, end
            notice_hit = notice_hit or (start, end)
    if notice_hit:
        return notice_hit
    for line in lines:
        m = _FOUND_RE.search(line.text)
        if m and is_organ_name(m.group("org")):
            return line.start + m.start("org"), line.start + m.end("org")
    # A page that starts with the organization's name on its own line.
    for line in preamble[:5]:
        if line.style is None and is_organ_name(line.text) and len(line.text) >= 4:
            return line.start, line.end
        m = _UNITS_TITLE_RE.match(line.text)
        if m and is_organ_name(m.group("org")):
            return line.start, line.start + m.end("org")
    return None


def rank_in(text: str) -> str | None:
    """A grade such as 正局级 or 副科级 in the matching copy ``text`` (simplified form)."""
    m = _RANK_RE.search(text)
    return m.group() if m else None


# The establishing sentence, wherever the layout put it: "…是县政府工作部门，为正科级，核定…
# 行政编制10名" reads as staffing, but its grade is the organization's.
_FOUNDING_RANK_RE = re.compile(
    r"(?:部门|机构|建制|规格)\s*[,，]?\s*(?:为|是|级别为|规格为)?\s*"
    + r"(?P<rank>[正副](?:省部|部|省|厅|地厅|司|局|处|县处|县|科|乡科|股|地|乡)级)"
)


def find_rank(preamble: list[Line], lines: list[Line] | None = None) -> str | None:
    """The establishing sentence's grade ("正局级建制", "为正处级")."""
    found = next((r for line in preamble if (r := rank_in(line.text))), None)
    if found or not lines:
        return found
    for line in lines:
        m = _FOUNDING_RANK_RE.search(line.text)
        if m:
            return m.group("rank")
    return None
