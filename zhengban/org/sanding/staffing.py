"""人员编制: quotas and leadership posts.

"机关行政编制148名。其中：主任1名，副主任3名；正处级领导职数29名(含…)，…
机关工勤人员编制111名。" Bracketed inclusions ("含机关党委专职副书记1名") and
breakdowns ("4正2副") are blanked out first so they add nothing to the counts.
"""

import re

from .normalize import normalize
from .numerals import NUM, to_int

# "行政编制148名", "行政编制为一百六十名", "行政编制：30名", "行政编制暂定20名"
# "由46名调整为50名" (an amending notice): the new number.
_CHANGE = rf"由\s*{NUM}\s*名\s*(?:调整|核减|核增|增加|减少|调减|调增|核定)?\s*(?:为|到|至)"
_CHANGE_RE = re.compile(_CHANGE)
_AMOUNT = (
    rf"(?:{_CHANGE}|为|共|合计|共计|总额为?|总数为?|数为?|暂定为?|核定为?|调整为)?"
    rf"\s*:?\s*({NUM})\s*[名人个]"
)
ADMIN_RE = re.compile(rf"行政编制\s*{_AMOUNT}")
LOGISTICS_RE = re.compile(rf"(?:工勤|后勤服务)(?:人员)?(?:事业)?编制\s*{_AMOUNT}")
PUBLIC_RE = re.compile(rf"(?<![勤员])事业编制\s*{_AMOUNT}")
_POST_RE = re.compile(
    rf"(?P<title>[^\s,，;；:：、。()0-9]{{1,30}}?)\s*:?\s*(?P<n>{NUM})\s*[名人]"
    r"(?:\s*\((?P<paren>[^()]{1,12})\))?"
)
_GRADE_RE = re.compile(r"[正副]?(?:省部|部|厅|地|司|局|县|处|乡|科|股)级")
_BREAKDOWN_RE = re.compile(rf"^\s*{NUM}\s*正\s*{NUM}\s*副\s*$|^\s*[正副]")
_TITLE_PREFIX_RE = re.compile(r"(?:其中|另设|另|核定|设置|设|含|共|并|和|及)+")
_SET_RE = re.compile(r"^.*(?<![建开增预])设(?!计|施|备|置)")
_INCLUSION_RE = re.compile(r"^(?:含|其中|包括|另有|另)")


def mask_inclusions(text: str) -> str:
    """Blank "(含…)" and "(4正2副)" groups; keep grade notes such as "(副局级)"."""
    out = list(text)
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            content = text[start + 1 : i]
            inclusion = _INCLUSION_RE.match(content) or "名" in content
            if (inclusion or _BREAKDOWN_RE.match(content)) and not _GRADE_RE.fullmatch(content):
                out[start : i + 1] = " " * (i + 1 - start)
    return "".join(out)


def _first(regex: re.Pattern, text: str) -> int | None:
    m = regex.search(text)
    return to_int(m.group(1)) if m else None


# Where the clause naming a quota's body starts: "…58名，其中市发展和改革委员会机关行政编制46名".
_CLAUSE_START_RE = re.compile(r"[。;,，、:]|其中")
_BODY_RE = re.compile(
    r"[\u4e00-\u9fff]{2,24}?(?:局|委员会|办公室|中心|室|处|站|队|所|院|馆|厅|部|委|办)(?![\u4e00-\u9fff]*长)"
)
_FILLER_RE = re.compile(r"机关|核定|另行|另|共|合计|使用|单列|按|的|^\s+|\s+$")
_PLACE_RE = re.compile(r"^[^市县省区州旗盟]{0,8}[市县省区州旗盟]")

OWN, NEUTRAL, JOINT, PART, OTHER = range(5)  # best first


def body_key(name: str) -> str:
    """ "安阳湖市发展和改革委员会", "市发展和改革委员会" → "发展和改革委员会" (for matching)."""
    name = normalize(name).replace("人民政府", "政府").replace(" ", "")
    return _PLACE_RE.sub("", name, count=1) or name


def _standing(masked: str, start: int, organization: str | None) -> int:
    """How surely the quota stated at ``start`` is the organization's own."""
    clause_start = 0
    for m in _CLAUSE_START_RE.finditer(masked, 0, start):
        clause_start = m.end()
    sentence_start = max(masked.rfind("。", 0, start), masked.rfind(";", 0, start)) + 1
    in_part = "其中" in masked[sentence_start:start]
    subject = masked[clause_start:start].replace("\n", "")
    own_key = body_key(organization) if organization else None
    mentions_own = bool(own_key) and own_key in body_key(subject)
    rest = subject.replace(own_key, "") if mentions_own else subject
    rest = body_key(rest) if rest.strip() else ""
    names_other = _BODY_RE.search(_FILLER_RE.sub("", rest)) is not None
    if mentions_own:
        return JOINT if names_other else OWN
    if names_other:
        return OTHER
    return PART if in_part else NEUTRAL


def quota_is_own(text: str, organization: str) -> bool:
    """Whether a sentence states a quota of ``organization`` by name."""
    masked = mask_inclusions(normalize(text))
    return any(
        _standing(masked, m.start(), organization) == OWN
        for regex in (ADMIN_RE, LOGISTICS_RE)
        for m in regex.finditer(masked)
    )


def _quota(
    regex: re.Pattern, masked: str, organization: str | None, label: str, warnings: list[str]
) -> int | None:
    """The organization's quota when a passage states several (its own, a joint total …)."""
    found = [(_standing(masked, m.start(), organization), m) for m in regex.finditer(masked)]
    if not found:
        return None
    standing, best = min(found, key=lambda pair: pair[0])
    value = to_int(best.group(1))
    others = {to_int(m.group(1)) for _, m in found} - {value}
    if others and standing != OWN:
        listed = "、".join(f"{n}名" for n in sorted(others))
        warnings.append(f"人员编制：{label}有多个数字（另有{listed}），取{value}名")
    return value


# A post title ends like a post ("局长", "主任", "领导职数", "专职副书记"), never like an
# organ ("市政府研究室8名" is a share of the quota).
_ORGAN_TITLE_RE = re.compile(r"(?:办公室|委员会|中心|[处科室股局司厅组部所队站馆院会])$")


# "增加的4名行政编制", "划转…2名": movements of staff, not posts.
_NOT_POST_RE = re.compile(r"增加|减少|划转|划入|划出|调剂|核减|核增|调出|调入|的$")
_TITLE_TAIL_RE = re.compile(r"(?:调整|核定|核减|核增|暂定)?为$")


def parse_posts(masked: str, written: str) -> list[dict]:
    """Posts in ``masked``; titles are reported from ``written`` (same offsets)."""
    posts = []
    for m in _POST_RE.finditer(masked):
        title = m.group("title")
        # "国务院人事局设局长一人": the post is what follows 设.
        cut = _SET_RE.match(title)
        start = m.start("title") + (cut.end() if cut and cut.end() < len(title) else 0)
        prefix = _TITLE_PREFIX_RE.match(masked, start, m.end("title"))
        start = prefix.end() if prefix and prefix.end() < m.end("title") else start
        end = m.end("title")
        tail = _TITLE_TAIL_RE.search(masked, start, end)
        end = tail.start() if tail and tail.start() > start else end
        title = masked[start:end]
        count = to_int(m.group("n"))
        if not title or count is None or "编制" in title or "人员" in title:
            continue
        if (_ORGAN_TITLE_RE.search(title) and len(title) > 2) or _NOT_POST_RE.search(title):
            continue
        paren = (m.group("paren") or "").strip()
        grade = paren if _GRADE_RE.fullmatch(paren) else None
        if grade is None:
            g = _GRADE_RE.search(title)
            grade = g.group() if g else None
        posts.append({"title": written[start:end].strip(), "grade": grade, "count": count})
    return posts


def parse_staffing(
    text: str,
    written: str | None = None,
    organization: str | None = None,
    warnings: list[str] | None = None,
) -> dict:
    """Quotas and posts stated in a 人员编制 passage.

    ``written`` is the same passage as written (same length), for the post titles; by
    default ``text`` itself. When a sentence states quotas of several bodies ("共核定…58名，
    其中市发展和改革委员会…46名、市粮食局…12名"), the one of ``organization`` is taken;
    a choice among several numbers without that certainty is added to ``warnings``.
    """
    masked = mask_inclusions(normalize(text))
    # "领导职数由8名调整为9名": only the new number is a post count.
    masked = _CHANGE_RE.sub(lambda m: " " * len(m.group()), masked)
    notes = warnings if warnings is not None else []
    return {
        "administrative": _quota(ADMIN_RE, masked, organization, "行政编制", notes),
        "logistics": _quota(LOGISTICS_RE, masked, organization, "工勤人员编制", notes),
        "public_institution": _quota(PUBLIC_RE, masked, organization, "事业编制", notes),
        "posts": parse_posts(masked, written if written is not None else text),
    }


def empty_staffing() -> dict:
    return {"administrative": None, "logistics": None, "public_institution": None, "posts": []}
