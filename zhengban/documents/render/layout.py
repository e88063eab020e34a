"""GB/T 9704-2012 layout: one `OfficialDocument` → pages of positioned text, rules and images.

The PDF and OFD writers draw these pages as they are, so both formats have the same line
breaks and positions. All lengths are millimetres from the page's top-left corner; text
positions are baselines.

The page is a grid (§5.2): A4, 天头 37 mm, 订口 28 mm, type area 156 × 225 mm holding 22 lines
of 28 characters of 3号 (16 pt) type. A line is 225/22 = 10.23 mm and a character cell
156/28 = 5.57 mm, so a 3号 character (5.64 mm) is set 0.07 mm tighter than its body.
"""

import itertools
import math
from dataclasses import dataclass, field

from ..content import OfficialDocument, Paragraph
from .fonts import face

PT = 25.4 / 72  # mm per point
SIZE_2 = 22 * PT  # 2号
SIZE_3 = 16 * PT  # 3号
SIZE_4 = 14 * PT  # 4号
RED = (230, 0, 18)
BLACK = (0, 0, 0)
ASCENT = 0.88  # baseline below the top of a CJK em box, in em

NO_START = set("，。、；：？！）》」』”’〕】…—·%‰℃,.;:?!)]}")
NO_END = set("（《「『“‘〔【([{")


@dataclass(frozen=True)
class Geometry:
    page_w: float = 210.0
    page_h: float = 297.0
    top: float = 37.0  # 天头
    left: float = 28.0  # 订口
    width: float = 156.0
    height: float = 225.0
    lines: int = 22
    chars: int = 28

    @property
    def pitch(self) -> float:
        return self.height / self.lines

    @property
    def cell(self) -> float:
        return self.width / self.chars

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width

    def line_top(self, index: int) -> float:
        return self.top + index * self.pitch

    def baseline(self, index: int, size: float) -> float:
        return self.line_top(index) + (self.pitch - size) / 2 + ASCENT * size


GEOMETRY = Geometry()


@dataclass
class Run:
    """Characters in one face and size on one baseline; `advances` are per character."""

    x: float
    y: float
    role: str
    size: float  # mm (em size)
    text: str
    advances: list[float]
    color: tuple[int, int, int] = BLACK

    @property
    def spacing(self) -> float:
        """Extra advance beyond the face's own, the same for every character of the run."""
        f = face(self.role)
        if not self.text:
            return 0.0
        return self.advances[0] - f.advance(self.text[0]) * self.size

    @property
    def width(self) -> float:
        return sum(self.advances)


@dataclass
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float  # stroke width, mm
    color: tuple[int, int, int] = BLACK


@dataclass
class Picture:
    x: float
    y: float
    w: float
    h: float
    png: bytes
    name: str = "seal"


@dataclass
class Page:
    runs: list[Run] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    folio: int | None = None  # printed page number (None: not numbered)


@dataclass
class Layout:
    pages: list[Page]
    geometry: Geometry
    title: str = ""
    number: str = ""

    def chars_by_role(self) -> dict[str, set[str]]:
        used: dict[str, set[str]] = {}
        for page in self.pages:
            for run in page.runs:
                used.setdefault(run.role, set()).update(run.text)
        return used


# --- line composition ----------------------------------------------------------------------


@dataclass
class Glyph:
    ch: str
    role: str
    size: float
    natural: float  # mm


def _glyphs(spans: list[tuple[str, str, float]]) -> list[Glyph]:
    out = []
    for text, role, size in spans:
        f = face(role)
        for ch in text:
            use = role if f.has(ch) or ch == " " else "fangsong"
            if not face(use).has(ch) and ch != " ":
                use = "songti"
            out.append(Glyph(ch, use, size, face(use).advance(ch) * size))
    return out


def _units(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Break opportunities: a run of ASCII letters/digits stays together."""
    units: list[list[Glyph]] = []
    for g in glyphs:
        if (
            units
            and g.ch.isascii()
            and g.ch.isalnum()
            and units[-1][-1].ch.isascii()
            and (units[-1][-1].ch.isalnum() or units[-1][-1].ch in ".%")
        ) or (units and g.ch in "%." and units[-1][-1].ch.isascii() and units[-1][-1].ch.isalnum()):
            units[-1].append(g)
        else:
            units.append([g])
    return units


@dataclass
class Line:
    glyphs: list[Glyph]
    x: float  # start, relative to the type area's left edge
    advances: list[float]


def compose(
    spans: list[tuple[str, str, float]],
    *,
    width: float,
    cell: float,
    first_indent: float = 0.0,
    indent: float = 0.0,
    justify: bool = True,
    grid: bool = True,
) -> list[Line]:
    """Break spans into lines of `width` mm. On the grid a full-width character advances
    one `cell`; other characters their own width less the same squeeze."""
    glyphs = _glyphs(spans)
    lines: list[Line] = []
    units = _units(glyphs)
    current: list[Glyph] = []
    base = (lambda g: cell - g.size) if grid else (lambda g: 0.0)

    def avail() -> float:
        return width - (first_indent if not lines else indent)

    def used(gs: list[Glyph]) -> float:
        return sum(g.natural + base(g) for g in gs)

    def flush(last: bool) -> None:
        if not current:
            return
        start = first_indent if not lines else indent
        room = width - start
        natural = [g.natural + base(g) for g in current]
        total = sum(natural)
        extra = 0.0
        if (justify and not last and len(current) > 1) or total > room + 0.01:
            extra = (room - total) / max(len(current) - 1, 1)
        advances = [a + extra for a in natural]
        lines.append(Line(list(current), start, advances))
        current.clear()

    for unit in units:
        if current and used(current) + used(unit) > avail() + 0.01:
            if len(unit) == 1 and unit[0].ch in NO_START:
                current.extend(unit)  # hang the punctuation, squeezing the line
                flush(last=False)
                continue
            carry = []
            while current and current[-1].ch in NO_END:
                carry.insert(0, current.pop())
            flush(last=False)
            current.extend(carry)
        current.extend(unit)
    flush(last=True)
    return lines


# --- document layout -----------------------------------------------------------------------


@dataclass
class Item:
    """One grid line of the flow: runs relative to the line (x from the type area's left)."""

    runs: list[tuple[float, list[Glyph], list[float]]]
    keep_with_next: bool = False
    tag: str = ""  # "body" for running text of the 正文


def _item(line: Line) -> Item:
    return Item([(line.x, line.glyphs, line.advances)])


def _paragraph_items(p: Paragraph, g: Geometry) -> list[Item]:
    heading = p.heading_text
    role = {1: "heiti", 2: "kaiti"}.get(p.level, "fangsong")
    spans = []
    if heading:
        spans.append((heading, role, SIZE_3))
        if len(heading) < len(p.text):
            spans.append((p.text[len(heading) :], "fangsong", SIZE_3))
    else:
        spans.append((p.text, "fangsong", SIZE_3))
    lines = compose(spans, width=g.width, cell=g.cell, first_indent=2 * g.cell)
    items = [_item(line) for line in lines]
    for item in items:
        item.tag = "body"
    if p.level and items:
        items[-1].keep_with_next = len(heading) == len(p.text)
    return items


def _text_width(text: str, role: str, size: float, cell: float | None = None) -> float:
    f = face(role)
    return sum(f.advance(c) * size + ((cell - size) if cell else 0.0) for c in text)


def _line_at(text: str, role: str, size: float, x: float, g: Geometry, grid: bool = True) -> Item:
    glyphs = _glyphs([(text, role, size)])
    advances = [gl.natural + ((g.cell - gl.size) if grid else 0.0) for gl in glyphs]
    return Item([(x, glyphs, advances)])


def _centered(text: str, role: str, size: float, g: Geometry, grid: bool = False) -> Item:
    glyphs = _glyphs([(text, role, size)])
    advances = [gl.natural + ((g.cell - gl.size) if grid else 0.0) for gl in glyphs]
    return Item([((g.width - sum(advances)) / 2, glyphs, advances)])


def balance_title(title: str, max_chars: int) -> list[str]:
    """Split a title into lines of at most `max_chars`, breaking between words (jieba),
    never inside a number or date, keeping the lines as even as possible (a trapezoid or
    diamond, §7.3.1)."""
    if len(title) <= max_chars:
        return [title]
    try:
        import jieba

        jieba.setLogLevel(60)
        words = list(jieba.cut(title, HMM=False))
    except Exception:
        words = list(title)
    bounds = []
    pos = 0
    for w in words[:-1]:
        pos += len(w)
        bounds.append(pos)

    def penalty(cut: int) -> int:
        before, after = title[cut - 1], title[cut]
        bad = before.isdigit() or after in "年月日号）》”、，" or before in "（《“"
        return 100 if bad else 0

    n = math.ceil(len(title) / max_chars)
    best: tuple[float, list[str]] | None = None
    for lines in range(n, n + 2):
        for cuts in _cut_sets(bounds, lines - 1, len(title)):
            edges = [0, *cuts, len(title)]
            parts = [title[a:b] for a, b in itertools.pairwise(edges)]
            if any(len(p) > max_chars for p in parts) or len(parts[-1]) < 3:
                continue
            score = (
                max(map(len, parts))
                - min(map(len, parts))
                + sum(penalty(c) for c in cuts)
                + 4 * (lines - n)
            )
            if best is None or score < best[0]:
                best = (score, parts)
    if best is None:
        return [title[i : i + max_chars] for i in range(0, len(title), max_chars)]
    return best[1]


def _cut_sets(bounds: list[int], k: int, total: int):
    """Every way to choose `k` increasing cut positions (titles are short)."""
    if k == 0:
        yield []
        return
    if k == 1:
        for b in bounds:
            yield [b]
        return
    for i, b in enumerate(bounds):
        for rest in _cut_sets(bounds[i + 1 :], k - 1, total):
            yield [b, *rest]


class _Pager:
    """Places flow items on grid lines, page after page."""

    def __init__(self, g: Geometry):
        self.g = g
        self.pages: list[Page] = [Page()]
        self.line = 0
        self.placed: list[tuple[int, int, Item]] = []

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.line = 0

    def skip(self, n: int = 1) -> None:
        if self.line == 0 and len(self.pages) > 1:
            return  # no blank lines at the top of a page
        self.line += n
        if self.line >= self.g.lines:
            self.new_page()

    def place(self, items: list[Item]) -> None:
        for k, item in enumerate(items):
            if self.line >= self.g.lines:
                self.new_page()
            if item.keep_with_next and self.line == self.g.lines - 1 and k + 1 < len(items):
                self.new_page()
            self.placed.append((len(self.pages) - 1, self.line, item))
            self.line += 1

    def break_keeping(self, k: int) -> None:
        """Start a new page and carry this page's last lines over, down to and including
        `k` lines of running text, so a block that must not stand alone (署名 and 成文日期,
        §7.3.5.5) has body text above it. Blank lines between carried lines are kept."""
        page = len(self.pages) - 1
        mine = [p for p in self.placed if p[0] == page]
        tail: list[tuple[int, int, Item]] = []
        body = 0
        for entry in reversed(mine):
            if body >= k:
                break
            tail.insert(0, entry)
            body += entry[2].tag == "body"
        if len(tail) == len(mine) or not k:
            tail = []  # carrying everything would only move the problem
        for entry in tail:
            self.placed.remove(entry)
        self.new_page()
        if tail:
            first = tail[0][1]
            for _, line, item in tail:
                self.placed.append((len(self.pages) - 1, line - first, item))
            self.line = tail[-1][1] - first + 1

    def finish(self) -> None:
        for page, line, item in self.placed:
            self.draw(item, line, self.pages[page])
        self.placed.clear()

    def draw(self, item: Item, index: int, page: Page | None = None, color=BLACK) -> None:
        page = page or self.page
        for x, glyphs, advances in item.runs:
            for run in _runs(x + self.g.left, glyphs, advances, self.g, index, color):
                page.runs.append(run)


def _runs(x: float, glyphs: list[Glyph], advances: list[float], g: Geometry, index, color):
    """Split glyphs into runs of one face, size and spacing; `index` is a grid line or an
    absolute baseline (float)."""
    out: list[Run] = []
    pos = x
    for gl, adv in zip(glyphs, advances, strict=False):
        y = g.baseline(index, gl.size) if isinstance(index, int) else index
        spacing = adv - gl.natural
        last = out[-1] if out else None
        if (
            last
            and last.role == gl.role
            and abs(last.size - gl.size) < 1e-6
            and abs(last.y - y) < 1e-6
            and abs(
                (last.advances[-1] - face(last.role).advance(last.text[-1]) * last.size) - spacing
            )
            < 1e-6
        ):
            last.text += gl.ch
            last.advances.append(adv)
        else:
            out.append(Run(pos, y, gl.role, gl.size, gl.ch, [adv], color))
        pos += adv
    return out


def layout_document(
    doc: OfficialDocument, *, seal_png: bytes | None = None, geometry: Geometry = GEOMETRY
) -> Layout:
    g = geometry
    pager = _Pager(g)
    kind = doc.effective_layout
    first = pager.page
    if kind == "信函":
        pager.line = _letter_head(doc, first, g)
    else:
        pager.line = _file_head(doc, first, g, pager)

    # 标题
    if doc.title:
        max_chars = int(g.width // SIZE_2) - 1
        for part in balance_title(doc.title, max_chars):
            pager.place([_centered(part, "xiaobiaosong", SIZE_2, g)])
        pager.skip()
    # 主送
    if doc.recipients:
        text = "，".join(doc.recipients) + "："
        pager.place(
            [_item(x) for x in compose([(text, "fangsong", SIZE_3)], width=g.width, cell=g.cell)]
        )
    for p in doc.body:
        pager.place(_paragraph_items(p, g))
    # 附件说明
    if doc.attachment_note:
        pager.skip()
        label = "附件："
        label_w = _text_width(label, "fangsong", SIZE_3, g.cell)
        start = 2 * g.cell
        many = len(doc.attachment_note) > 1
        for k, name in enumerate(doc.attachment_note, 1):
            text = f"{k}.{name}" if many and not name[:1].isdigit() else name
            num_w = _text_width(text.split(".")[0] + ".", "fangsong", SIZE_3, g.cell) if many else 0
            lines = compose(
                [((label if k == 1 else "") + text, "fangsong", SIZE_3)],
                width=g.width,
                cell=g.cell,
                first_indent=start + (0 if k == 1 else label_w),
                indent=start + label_w + num_w,
                justify=False,
            )
            pager.place([_item(x) for x in lines])
    # 纪要 attendance
    if doc.attendance:
        pager.skip()
        for label in ("出席", "请假", "列席"):
            names = doc.attendance.get(label)
            if not names:
                continue
            head = f"{label}："
            head_w = _text_width(head, "heiti", SIZE_3, g.cell)
            lines = compose(
                [(head, "heiti", SIZE_3), ("、".join(names), "fangsong", SIZE_3)],
                width=g.width,
                cell=g.cell,
                first_indent=2 * g.cell,
                indent=2 * g.cell + head_w,
                justify=False,
            )
            pager.place([_item(x) for x in lines])
    note = []
    if doc.note:
        text = f"（{doc.note}）"
        lines = compose(
            [(text, "fangsong", SIZE_3)], width=g.width, cell=g.cell, first_indent=2 * g.cell
        )
        note = [_item(x) for x in lines]
    _signature(doc, pager, g, seal_png, note)
    # 附件 pages
    for k, attachment in enumerate(doc.attachments or [], 1):
        pager.new_page()
        label = "附件" + (str(k) if len(doc.attachments) > 1 else "")
        pager.place([_line_at(label, "heiti", SIZE_3, 0, g)])
        pager.skip()
        for part in balance_title(attachment.title, int(g.width // SIZE_2) - 1):
            pager.place([_centered(part, "xiaobiaosong", SIZE_2, g)])
        pager.skip()
        for p in attachment.body:
            pager.place(_paragraph_items(p, g))
    _colophon(doc, pager, g, kind)
    pager.finish()
    _folios(pager.pages, g, kind)
    return Layout(pager.pages, g, doc.title, doc.number)


def _mark_size(text: str, g: Geometry, limit: float = 15.0) -> float:
    f = face("xiaobiaosong")
    natural = sum(f.advance(c) for c in text) or 1
    return min(limit, (g.width - 4) / natural)


def _file_head(doc: OfficialDocument, page: Page, g: Geometry, pager: _Pager) -> int:
    """版头 of the 文件 and 纪要 formats; returns the grid line the title starts on."""
    line = 0
    for text, role in (
        (doc.copy_number, "songti"),
        (_secrecy_text(doc), "heiti"),
        (doc.urgency, "heiti"),
    ):
        if text:
            pager.draw(_line_at(text, role, SIZE_3, 0, g), line, page)
            line += 1
    mark = doc.issuer_mark or doc.organ_name
    size = _mark_size(mark, g)
    mark_top = g.top + 35
    mark_item = _centered(mark, "xiaobiaosong", size, g)
    pager.draw(mark_item, mark_top + ASCENT * size, page, color=RED)
    # 发文字号 two blank lines below the mark; 签发人 on its right for 上行文
    cell_top = mark_top + size + 2 * g.pitch
    baseline = cell_top + (g.pitch - SIZE_3) / 2 + ASCENT * SIZE_3
    if doc.signers and doc.effective_direction == "上行":
        label = "签发人："
        names = "　".join(doc.signers[:2])
        label_w = _text_width(label, "fangsong", SIZE_3, g.cell)
        names_w = _text_width(names, "kaiti", SIZE_3, g.cell)
        x = g.width - g.cell - label_w - names_w
        pager.draw(
            Item([(x, _glyphs([(label, "fangsong", SIZE_3)]), _adv(label, "fangsong", g))]),
            baseline,
            page,
        )
        pager.draw(
            Item([(x + label_w, _glyphs([(names, "kaiti", SIZE_3)]), _adv(names, "kaiti", g))]),
            baseline,
            page,
        )
        if doc.number:
            pager.draw(_line_at(doc.number, "fangsong", SIZE_3, g.cell, g), baseline, page)
    elif doc.number:
        pager.draw(_centered(doc.number, "fangsong", SIZE_3, g, grid=True), baseline, page)
    red_y = baseline + (1 - ASCENT) * SIZE_3 + 4
    page.rules.append(Rule(g.left, red_y, g.right, red_y, 0.5, RED))
    return math.ceil((red_y - g.top) / g.pitch - 1e-6) + 2


def _adv(text: str, role: str, g: Geometry) -> list[float]:
    return [gl.natural + g.cell - gl.size for gl in _glyphs([(text, role, SIZE_3)])]


def _secrecy_text(doc: OfficialDocument) -> str:
    if not doc.secrecy:
        return ""
    return f"{doc.secrecy}★{doc.secrecy_period}" if doc.secrecy_period else doc.secrecy


def _letter_head(doc: OfficialDocument, page: Page, g: Geometry) -> int:
    """信函 (§10.1): the organ's name 30 mm from the page top, red double lines 170 mm long."""
    mark = doc.issuer_mark.removesuffix("文件") if doc.issuer_mark else doc.organ_name
    size = _mark_size(mark, g, limit=12.0)
    top = 30.0
    item = _centered(mark, "xiaobiaosong", size, g)
    _Pager(g).draw(item, top + ASCENT * size, page, color=RED)
    x1, x2 = (g.page_w - 170) / 2, (g.page_w + 170) / 2
    y = top + size + 4
    page.rules.append(Rule(x1, y, x2, y, 0.8, RED))  # thick over thin
    page.rules.append(Rule(x1, y + 1.0, x2, y + 1.0, 0.25, RED))
    yb = g.page_h - 20
    page.rules.append(Rule(x1, yb - 1.0, x2, yb - 1.0, 0.25, RED))  # thin over thick
    page.rules.append(Rule(x1, yb, x2, yb, 0.8, RED))
    first = y + 1.0 + 7 / 8 * SIZE_3  # first element's top
    baseline = first + ASCENT * SIZE_3
    pager = _Pager(g)
    row = 0
    for text, role in (
        (doc.copy_number, "songti"),
        (_secrecy_text(doc), "heiti"),
        (doc.urgency, "heiti"),
    ):
        if text:
            pager.draw(_line_at(text, role, SIZE_3, 0, g), baseline + row * g.pitch, page)
            row += 1
    if doc.number:
        w = _text_width(doc.number, "fangsong", SIZE_3, g.cell)
        pager.draw(_line_at(doc.number, "fangsong", SIZE_3, g.width - w, g), baseline, page)
    last_bottom = baseline + max(row - 1, 0) * g.pitch + (1 - ASCENT) * SIZE_3
    return max(math.ceil((last_bottom - g.top) / g.pitch - 1e-6), 0) + 2


def _signature(
    doc: OfficialDocument, pager: _Pager, g: Geometry, seal_png: bytes | None, note: list[Item]
):
    """署名, 成文日期 (and the seal) with the 附注 below them, kept on one page."""
    date = doc.date_text
    sigs = doc.signature
    if not date and not sigs:
        pager.place(note)
        return
    date_w = _text_width(date, "fangsong", SIZE_3, g.cell)
    if seal_png is not None and sigs:
        # §7.3.5.1: date 4 characters from the right, 署名 centred above it, the seal over
        # both, its top within one line of the body.
        need = 3 + len(sigs) + len(note)
        if pager.line + need > g.lines:
            pager.break_keeping(2)
        first = pager.line
        date_x = g.width - 4 * g.cell - date_w
        center = g.left + date_x + date_w / 2
        for k, sig in enumerate(sigs):
            w = _text_width(sig, "fangsong", SIZE_3, g.cell)
            pager.draw(
                _line_at(sig, "fangsong", SIZE_3, date_x + (date_w - w) / 2, g), first + 2 + k
            )
        pager.draw(_line_at(date, "fangsong", SIZE_3, date_x, g), first + 2 + len(sigs))
        diameter = 42.0
        seal_top = g.line_top(first) + 0.3 * g.pitch
        pager.page.pictures.append(
            Picture(center - diameter / 2, seal_top, diameter, diameter, seal_png)
        )
        pager.line = first + 3 + len(sigs)
        pager.place(note)
        return
    # §7.3.5.2 (unsealed): 署名 2 characters from the right, one blank line below the body;
    # the date below it, starting 2 characters further right.
    sig_w = max((_text_width(s, "fangsong", SIZE_3, g.cell) for s in sigs), default=0)
    sig_x = g.width - 2 * g.cell - sig_w
    date_x = sig_x + 2 * g.cell
    if date_x + date_w > g.width - 2 * g.cell:
        date_x = g.width - 2 * g.cell - date_w
        sig_x = min(sig_x, date_x - 2 * g.cell)
    items = [_line_at(s, "fangsong", SIZE_3, sig_x, g) for s in sigs]
    if date:
        items.append(
            _line_at(date, "fangsong", SIZE_3, date_x if sigs else g.width - 4 * g.cell - date_w, g)
        )
    items += note
    if pager.line + 1 + len(items) > g.lines:
        pager.break_keeping(2)
    pager.skip()
    pager.place(items)


def _colophon(doc: OfficialDocument, pager: _Pager, g: Geometry, kind: str) -> None:
    """版记 at the bottom of the last page (§7.4): thick line, 抄送, thin line, 印发机关 and
    日期, thick line on the type area's bottom edge. 信函: 抄送 only, no lines."""
    items: list[Item] = []
    cell4 = SIZE_4
    width = g.width - 2 * cell4
    if doc.cc:
        head = "抄送："
        head_w = _text_width(head, "fangsong", SIZE_4)
        text = head + "，".join(doc.cc) + "。"
        for line in compose(
            [(text, "fangsong", SIZE_4)],
            width=width,
            cell=cell4,
            indent=head_w,
            grid=False,
        ):
            items.append(Item([(cell4 + line.x, line.glyphs, line.advances)]))
    print_item = None
    if kind != "信函" and (doc.printer or doc.print_date_text):
        left = _glyphs([(doc.printer, "fangsong", SIZE_4)])
        date = f"{doc.print_date_text}印发" if doc.print_date_text else ""
        right = _glyphs([(date, "fangsong", SIZE_4)])
        right_adv = [x.natural for x in right]
        print_item = Item(
            [
                (cell4, left, [x.natural for x in left]),
                (g.width - cell4 - sum(right_adv), right, right_adv),
            ]
        )
    n = len(items) + (1 if print_item else 0)
    if not n:
        return
    if pager.line + n > g.lines:
        pager.new_page()
    page = pager.page
    first = g.lines - n
    for k, item in enumerate(items):
        pager.draw(item, first + k, page)
    if print_item:
        pager.draw(print_item, g.lines - 1, page)
    if kind == "信函":
        return
    page.rules.append(Rule(g.left, g.line_top(first), g.right, g.line_top(first), 0.35))
    if print_item and items:
        y = g.line_top(g.lines - 1)
        page.rules.append(Rule(g.left, y, g.right, y, 0.25))
    page.rules.append(Rule(g.left, g.bottom, g.right, g.bottom, 0.35))


def _folios(pages: list[Page], g: Geometry, kind: str) -> None:
    """Page numbers "— N —" in 4号 宋体, 7 mm below the type area; odd pages on the right,
    even pages on the left, one character in (§7.5). A 信函's first page has none (§10.1)."""
    for number, page in enumerate(pages, 1):
        if kind == "信函" and number == 1:
            continue
        page.folio = number
        text = f"— {number} —"
        glyphs = _glyphs([(text, "songti", SIZE_4)])
        advances = [x.natural for x in glyphs]
        w = sum(advances)
        x = g.right - SIZE_4 - w if number % 2 else g.left + SIZE_4
        y = g.bottom + 7 + 0.35 * SIZE_4  # the dashes sit about 0.35 em above the baseline
        page.runs.extend(_runs(x, glyphs, advances, g, y, BLACK))
