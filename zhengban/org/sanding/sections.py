"""Cutting a regulation into its sections.

Regulations announce sections in three ways, and fragments often announce none:
- headings: "一、职责调整", "二、主要职责", "三、内设机构", "四、人员编制", "五、其他事项";
- articles (2018 onwards, and 1950s 组织简则): "第四条 …主要职责是：", "第五条 …设下列内设机构：";
- intro sentences: "市政府办公厅设26个内设机构：", "机关行政编制79名。".
Each line goes to one section; lines outside every section are the preamble.
"""

import re
from dataclasses import dataclass, field

from .lines import Line, logical_line
from .names import parse_head
from .normalize import Doc, mask_titles
from .numerals import NUM
from .staffing import ADMIN_RE, LOGISTICS_RE
from .units import is_unit_intro

ADJUST, DUTY, UNIT, STAFF, OTHER, IGNORE = "adjust", "duty", "unit", "staff", "other", "ignore"
UNIT_CHANGE = "unit_change"  # 内设机构调整, in a notice amending a regulation

_HEADINGS = {
    ADJUST: "职责调整 职能调整 职能转变 转变职能 主要职责调整 职责变化 职能转变和职责调整 "
    "划转的职责 职责划转 职能调整和转变 职责调整和转变",
    DUTY: "主要职责 主要职能 职责 职能 主要任务 职责任务 主要职责任务 工作任务 工作职责 "
    "职能职责 部门职责 主要工作职责",
    UNIT: "内设机构 机构设置 内设机构设置 内设机构及职责 内设机构和职责 内设机构及其职责 内部机构 "
    "职能机构 内设机构及主要职责 内设机构和主要职责 工作机构 机构设置及职责 内设科室 "
    "内设机构及职能 科室设置",
    STAFF: "人员编制 编制 人员编制和领导职数 编制和领导职数 人员编制及领导职数 领导职数 机构编制 "
    "编制及领导职数 人员编制和领导职数核定 人员编制与领导职数 人员编制和领导职数设置 "
    "机构编制和领导职数 人员编制调整 编制调整 领导职数调整 人员编制和领导职数调整 "
    "编制和领导职数调整 人员编制及领导职数调整",
    OTHER: "其他事项 其他 其它事项 其它 其他规定 其他有关事项 有关事项",
    UNIT_CHANGE: "内设机构调整 机构调整 内设机构变更 内设机构设置调整 机构设置调整 调整内设机构",
    IGNORE: "附则 职责分工 有关职责分工 职责划分 附件 部门职责分工",
}
_HEADING_KIND = {word: kind for kind, words in _HEADINGS.items() for word in words.split()}
_HEADING_TAIL = " :.。"
_HEADING_WITH_TEXT_RE = re.compile(
    "("
    + "|".join(sorted(map(re.escape, _HEADING_KIND), key=len, reverse=True))
    + r")(?:\s*[:.。]\s*|\s+|(?=\())(?=\S)"
)
_HEADING_RUN_ON_RE = re.compile(
    "("
    + "|".join(re.escape(k) for k in sorted(_HEADING_KIND, key=len, reverse=True) if len(k) >= 4)
    + ")"
)
_PART_RE = re.compile(r"^第[一二三四五六七八九十]{1,3}(?:部分|章|节)\s*")

# Web-page furniture that ends whatever section was open.
_STOP_RE = re.compile(
    r"^(?:上一篇|下一篇|上一条|下一条|相关链接|相关文章|相关阅读|相关新闻|版权所有|copyright|主办单位|"
    r"主办:|承办单位|技术支持|网站地图|联系我们|分享到|扫一扫|打印本页|关闭窗口|责任编辑|法律依据|"
    r"\|)",
    re.IGNORECASE,
)
# Page furniture inside the text: dropped without closing the section.
_SKIP_RE = re.compile(r"^(?:第\s*\d+\s*页|共\s*\d+\s*页|\d+\s*/\s*\d+$|上一页|下一页|首页)")
_DUTY_INTRO_RE = re.compile(r"主要职责(?:是|为|如下)?\s*:|执行下列任务|下列职责")
_ADJUST_INTRO_RE = re.compile(r"(?:转变职能|职能转变|职责调整|职能调整)\s*:")
_STAFF_RE = re.compile(rf"领导职数\s*(?:为)?\s*{NUM}\s*名")


@dataclass
class Section:
    kind: str
    lines: list[Line] = field(default_factory=list)
    explicit: bool = True  # announced by a heading, article or intro (not inferred)
    inferred: bool = False  # numbered items before any heading, read as 主要职责


@dataclass
class Layout:
    sections: list[Section]
    preamble: list[Line]
    warnings: list[str] = field(default_factory=list)


def heading(doc: Doc, line: Line, now: str | None) -> tuple[str | None, Line | None]:
    """Kind of a heading line, and the content written after it on the same line.

    ``now`` is the kind of the open section: inside 其他事项 "(二)主要职责" or "主要职责：…"
    belong to an attached office, inside the organ list "职责：…" to an organ.
    """
    if line.article is not None:
        return None, None
    body = _PART_RE.sub("", line.body_text)
    compact = body.replace(" ", "").rstrip(_HEADING_TAIL)
    if line.style not in (None, "cn"):
        # "(二)主要职责" on a page that numbers its parts that way; inside 其他事项 the same
        # words are an attached office's own sub-headings.
        if line.style == "paren_cn" and now != OTHER and compact in _HEADING_KIND:
            return _HEADING_KIND[compact], None
        return None, None
    if compact in _HEADING_KIND:
        return _HEADING_KIND[compact], None
    if line.style is None and now in (OTHER, UNIT):
        return None, None
    # "一、职责调整：强化…", "三、内设机构 根据上述职责…", "二、主要职责(一)…": the heading
    # and the first paragraph on one line.
    m = _HEADING_WITH_TEXT_RE.match(body)
    if not m and line.style == "cn":  # "三、内设机构根据上述职责…" on a page without spaces
        m = _HEADING_RUN_ON_RE.match(body)
    if not m:
        return None, None
    start = line.end - len(body) + m.end()
    rest = Line(start, line.end, doc.norm[start : line.end], *_rest_marker(doc, start, line.end))
    return _HEADING_KIND[m.group(1)], rest


def _rest_marker(doc: Doc, start: int, end: int) -> tuple[str | None, int | None, int]:
    line = logical_line(doc, start, end)
    return (line.style, line.number, line.body) if line else (None, None, start)


def classify_article(line: Line) -> str | None:
    text = mask_titles(line.text)
    if re.search(r"职责分工|职责划分|负责解释|施行|另行规定|制定本规定", text):
        return IGNORE
    if re.search(r"设在|挂靠", text) and re.search(r"内设机构|编制", text):
        return OTHER
    if re.search(r"转变职能|职能转变|职责调整|职能调整", text):
        return ADJUST
    if re.search(r"主要职责|执行下列任务|下列职责|职责是|职责为", text):
        return DUTY
    if is_unit_intro(text) or "内设机构" in text:
        return UNIT
    if ADMIN_RE.search(text) or LOGISTICS_RE.search(text) or re.search(r"编制|领导职数", text):
        return STAFF
    if re.search(r"设\S{0,6}(?:长|主任)\s*\S{1,3}[名人]", text):
        return STAFF
    return None


def _is_staff_line(text: str) -> bool:
    return bool(ADMIN_RE.search(text) or LOGISTICS_RE.search(text) or _STAFF_RE.search(text))


def _looks_like_unit_item(doc: Doc, line: Line) -> bool:
    head = parse_head(doc, line.body, line.end, strict=True)
    return head is not None


def split_sections(doc: Doc, lines: list[Line]) -> Layout:
    sections: list[Section] = []
    preamble: list[Line] = []
    current: Section | None = None

    def open_section(kind: str | None, explicit: bool = True) -> Section | None:
        nonlocal current
        current = Section(kind, explicit=explicit) if kind else None
        if current:
            sections.append(current)
        return current

    for line in lines:
        if _SKIP_RE.match(line.text):
            continue
        if _STOP_RE.match(line.text):
            open_section(None)
            continue
        kind, rest = heading(doc, line, current.kind if current else None)
        if kind:
            open_section(kind)
            if rest is not None:
                current.lines.append(rest)
            continue
        if line.article is not None:
            if open_section(classify_article(line)):
                current.lines.append(line)
            else:
                preamble.append(line)
            continue
        now = current.kind if current else None
        if now not in (OTHER, IGNORE, UNIT_CHANGE) and not line.style:
            # "设3个内设机构，核定机关行政编制12名：办公室、综合科…" lists the organs.
            lists_units = ":" in line.text and is_unit_intro(line.text.split(":")[0])
            if now != STAFF and _is_staff_line(line.text) and not lists_units:
                open_section(STAFF).lines.append(line)
                continue
            if now != UNIT and is_unit_intro(line.text):
                loose = now in (None, STAFF) or len(line.text) <= 40
                if loose or line.text.endswith(":") or "内设机构" in line.text:
                    open_section(UNIT).lines.append(line)
                    continue
            if now is None and _DUTY_INTRO_RE.search(mask_titles(line.text)):
                open_section(DUTY).lines.append(line)
                continue
            if now is None and _ADJUST_INTRO_RE.search(mask_titles(line.text)):
                open_section(ADJUST).lines.append(line)
                continue
        if now is None and line.style and _looks_like_unit_item(doc, line):
            # A fragment that starts inside the organ list ("(十五)市政务公开办公室").
            open_section(UNIT, explicit=False)
        elif now is None and line.style and not any(s.kind == DUTY for s in sections):
            # A fragment that starts inside the 主要职责 list ("(三)负责…"): kept only if
            # the organ list or the staffing follows (see _settle_inferred).
            open_section(DUTY, explicit=False).inferred = True
        if current:
            current.lines.append(line)
        else:
            preamble.append(line)
    return _settle_inferred(Layout(sections, preamble))


def _settle_inferred(layout: Layout) -> Layout:
    """Numbered items before any heading are 主要职责 when 内设机构 or 人员编制 comes next.

    Anything else (a numbered notice, items of 其他事项 on a last page) goes back to the
    preamble.
    """
    kept: list[Section] = []
    for i, section in enumerate(layout.sections):
        if not section.inferred:
            kept.append(section)
            continue
        following = next((s.kind for s in layout.sections[i + 1 :] if s.lines), None)
        if following in (UNIT, STAFF):
            kept.append(section)
            first = next((line.number for line in section.lines if line.style), None)
            note = f"，第{first - 1}项及以前不在文本中" if first and first > 1 else ""
            layout.warnings.append(f"文本从编号条目开始，未见“主要职责”标题，按主要职责读取{note}")
        else:
            layout.preamble.extend(section.lines)
    layout.preamble.sort(key=lambda line: line.start)
    layout.sections = kept
    return layout
