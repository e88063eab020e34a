"""人员编制: quotas and leadership posts.

"机关行政编制148名。其中：主任1名，副主任3名；正处级领导职数29名(含…)，…
机关工勤人员编制111名。" Bracketed inclusions ("含机关党委专职副书记1名") and
breakdowns ("4正2副") are blanked out first so they add nothing to the counts.
"""

import re

from .normalize import normalize
from .numerals import NUM, to_int

# "行政编制148名", "行政编制为一百六十名", "行政编制：30名", "行政编制暂定20名"
_AMOUNT = rf"(?:为|共|总额为?|总数为?|数为?|暂定为?|核定为?)?\s*:?\s*({NUM})\s*[名人个]"
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
        title = masked[start : m.end("title")]
        count = to_int(m.group("n"))
        if not title or count is None or "编制" in title or "人员" in title:
            continue
        paren = (m.group("paren") or "").strip()
        grade = paren if _GRADE_RE.fullmatch(paren) else None
        if grade is None:
            g = _GRADE_RE.search(title)
            grade = g.group() if g else None
        posts.append({"title": written[start : m.end("title")], "grade": grade, "count": count})
    return posts


def parse_staffing(text: str, written: str | None = None) -> dict:
    """Quotas and posts stated in a 人员编制 passage.

    ``written`` is the same passage as written (same length), for the post titles; by
    default ``text`` itself.
    """
    masked = mask_inclusions(normalize(text))
    return {
        "administrative": _first(ADMIN_RE, masked),
        "logistics": _first(LOGISTICS_RE, masked),
        "public_institution": _first(PUBLIC_RE, masked),
        "posts": parse_posts(masked, written if written is not None else text),
    }


def empty_staffing() -> dict:
    return {"administrative": None, "logistics": None, "public_institution": None, "posts": []}
