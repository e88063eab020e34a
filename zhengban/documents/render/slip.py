"""收文处理笺: the processing slip of an incoming document, an A4 form as offices print it.

A title ("<organ>收文处理笺"), then one ruled table: 来文机关/来文字号, 收文编号/收文日期,
密级/紧急程度, 文种/份数, 标题, 拟办意见, 领导批示 (each leader's in order, signed and dated),
承办单位, 办理结果, 传阅 and 备注. The form — title, rules and labels — is printed in red as
the pre-printed slips are; what was filled in is black. A row that does not fit continues on
the next page under its label marked （续）.

Drawn as a `Layout` of the documents library and written by its PDF writer, so the fonts
are the deployment's (embedded subsets) and the text can be searched and copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .layout import BLACK, PT, RED, Geometry, Layout, Page, Rule, _runs, compose
from .pdf import layout_to_pdf

PAGE = Geometry()  # A4; only the page size is used
MARGIN_X = 20.0
TOP = 22.0
BOTTOM = 277.0
WIDTH = 210.0 - 2 * MARGIN_X
LABEL_W = 26.0
VALUE_W = WIDTH / 2 - LABEL_W  # a half-width value cell of a four-column row
PAD = 2.2
TITLE_SIZE = 22 * PT  # 2号
LABEL_SIZE = 14 * PT  # 4号
TEXT_SIZE = 12 * PT  # 小4号
SMALL_SIZE = 10.5 * PT  # 5号
LEADING = 1.55  # line pitch in em
RULE_W = 0.35
FRAME_W = 0.7


@dataclass
class Signed:
    """An opinion with who gave it and when (拟办意见, a 批示, a unit's result)."""

    text: str
    name: str = ""
    date: str = ""
    note: str = ""  # e.g. 办理期限 and 列入督办 of a 批示


@dataclass
class Slip:
    organ: str
    sender: str = ""
    sender_number: str = ""
    number: str = ""
    received_on: str = ""
    secrecy: str = ""
    urgency: str = ""
    doc_type: str = ""
    copies: str = ""
    title: str = ""
    proposal: list[Signed] = field(default_factory=list)
    instructions: list[Signed] = field(default_factory=list)
    units: str = ""
    results: list[Signed] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)
    remarks: str = ""
    printed: str = ""

    @property
    def heading(self) -> str:
        return f"{self.organ}收文处理笺"


# --- drawing -------------------------------------------------------------------------------


def _lines(text: str, width: float, size: float, role: str = "songti"):
    """Composed lines of `text` (paragraphs kept) that fit `width` mm."""
    out = []
    for paragraph in (text or "").splitlines() or [""]:
        if not paragraph.strip():
            out.append(None)  # an empty line
            continue
        out.extend(
            compose([(paragraph, role, size)], width=width, cell=size, justify=False, grid=False)
        )
    return out


@dataclass
class _Block:
    """Drawable lines of one cell: (composed line or None, size, role, color, align)."""

    rows: list[tuple] = field(default_factory=list)

    def text(self, text, width, size=TEXT_SIZE, role="songti", color=BLACK, align="left"):
        for line in _lines(text, width, size, role):
            self.rows.append((line, size, role, color, align, width))

    def gap(self, size=TEXT_SIZE * 0.5):
        self.rows.append((None, size, "songti", BLACK, "left", 0.0))

    def height(self, rows=None) -> float:
        return sum(r[1] * LEADING for r in (self.rows if rows is None else rows))


def _signed_block(items: list[Signed], width: float, empty: str = "") -> _Block:
    block = _Block()
    if not items and empty:
        block.text(empty, width, color=(120, 120, 120))
    for n, item in enumerate(items):
        if n:
            block.gap()
        block.text(item.text, width)
        if item.note:
            block.text(item.note, width, size=SMALL_SIZE)
        sign = "  ".join(p for p in (item.name, item.date) if p)
        if sign:
            block.text(sign, width, size=SMALL_SIZE, align="right")
    return block


def _emit(page: Page, x: float, line, baseline: float, color) -> None:
    """Draw a composed line from `x`; spaces advance but are not drawn (the embedded
    subsets hold no glyph for them)."""
    segment_x, glyphs, advances = x, [], []
    pos = x
    for glyph, advance in zip(line.glyphs, line.advances, strict=False):
        if glyph.ch.isspace():
            if glyphs:
                page.runs.extend(_runs(segment_x, glyphs, advances, PAGE, baseline, color))
            glyphs, advances = [], []
            segment_x = pos + advance
        else:
            glyphs.append(glyph)
            advances.append(advance)
        pos += advance
    if glyphs:
        page.runs.extend(_runs(segment_x, glyphs, advances, PAGE, baseline, color))


class _Drawer:
    def __init__(self, slip: Slip):
        self.slip = slip
        self.pages: list[Page] = []
        self.y = 0.0
        self._new_page()

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def _new_page(self) -> None:
        self.pages.append(Page())
        y = TOP
        if len(self.pages) == 1:
            self._text_line(self.slip.heading, "xiaobiaosong", TITLE_SIZE, y, RED, center=True)
            y += TITLE_SIZE * 1.9
            if self.slip.printed:
                self._text_line(
                    f"打印时间：{self.slip.printed}", "songti", SMALL_SIZE, y, BLACK, right=True
                )
            y += SMALL_SIZE * 1.4
        else:
            self._text_line(f"{self.slip.heading}（续）", "heiti", LABEL_SIZE, y, RED, center=True)
            y += LABEL_SIZE * 2.2
        self.top = y
        self.y = y
        self._hline(y, FRAME_W)

    def _text_line(self, text, role, size, top, color, *, center=False, right=False, x=None):
        lines = compose([(text, role, size)], width=WIDTH, cell=size, justify=False, grid=False)
        for i, line in enumerate(lines):
            w = sum(line.advances)
            if center:
                start = MARGIN_X + (WIDTH - w) / 2
            elif right:
                start = MARGIN_X + WIDTH - w
            else:
                start = x if x is not None else MARGIN_X
            base = top + size * (0.88 + i * LEADING)
            _emit(self.page, start, line, base, color)

    def _hline(self, y, width=RULE_W, x1=MARGIN_X, x2=MARGIN_X + WIDTH) -> None:
        self.page.rules.append(Rule(x1, y, x2, y, width, RED))

    def _vline(self, x, y1, y2, width=RULE_W) -> None:
        self.page.rules.append(Rule(x, y1, x, y2, width, RED))

    def _close_page(self) -> None:
        self._vline(MARGIN_X, self.top, self.y, FRAME_W)
        self._vline(MARGIN_X + WIDTH, self.top, self.y, FRAME_W)
        # the frame's bottom edge, over the last row's thin rule
        self._hline(self.y, FRAME_W)

    def _draw_block(self, rows, x: float, top: float) -> None:
        y = top + PAD
        for line, size, _role, color, align, width in rows:
            if line is not None:
                w = sum(line.advances)
                start = x + PAD + (width - w if align == "right" else 0.0)
                base = y + size * (LEADING - 1) / 2 + 0.88 * size
                _emit(self.page, start, line, base, color)
            y += size * LEADING

    def label(self, text: str, x: float, top: float, height: float, cont: bool) -> None:
        label = text + ("（续）" if cont else "")
        lines = compose(
            [(label, "heiti", LABEL_SIZE)],
            width=LABEL_W - 2 * PAD,
            cell=LABEL_SIZE,
            justify=False,
            grid=False,
        )
        total = len(lines) * LABEL_SIZE * 1.3
        y = top + max((min(height, 40.0) - total) / 2, PAD)
        for line in lines:
            w = sum(line.advances)
            start = x + (LABEL_W - w) / 2
            _emit(self.page, start, line, y + 0.88 * LABEL_SIZE, RED)
            y += LABEL_SIZE * 1.3

    def row(self, cells: list[tuple[str, _Block]], min_height: float = 11.0) -> None:
        """A table row of (label, value block) pairs side by side; a full-width row (one
        pair) may be split over pages, line by line."""
        value_w = (WIDTH - LABEL_W * len(cells)) / len(cells)
        if len(cells) == 1:
            self._split_row(cells[0][0], cells[0][1].rows, value_w, min_height)
            return
        height = max(min_height, *(b.height() + 2 * PAD for _l, b in cells))
        if self.y + height > BOTTOM:
            self._close_page()
            self._new_page()
        x = MARGIN_X
        for label, block in cells:
            self.label(label, x, self.y, height, False)
            self._vline(x + LABEL_W, self.y, self.y + height)
            self._draw_block(block.rows, x + LABEL_W, self.y)
            x += LABEL_W + value_w
            if x < MARGIN_X + WIDTH - 0.1:
                self._vline(x, self.y, self.y + height)
        self.y += height
        self._hline(self.y)

    def _split_row(self, label, rows, value_w, min_height) -> None:
        rows = list(rows)
        cont = False
        while True:
            need = max(0.0 if cont else min_height, _Block(rows).height() + 2 * PAD)
            if self.y + need <= BOTTOM:  # the rest fits here
                self._cell_row(label, rows, self.y, need, cont)
                return
            room = BOTTOM - self.y - 2 * PAD
            taken = []
            while rows and _Block(taken).height() + rows[0][1] * LEADING <= room:
                taken.append(rows.pop(0))
            if len(taken) < 3 and self.y > self.top + 0.1 and rows:
                rows = taken + rows  # too little room: start the row on the next page
            else:
                self._cell_row(label, taken, self.y, BOTTOM - self.y, cont)
                cont = True
            self._close_page()
            self._new_page()

    def _cell_row(self, label, rows, top, height, cont) -> None:
        self.label(label, MARGIN_X, top, height, cont)
        self._vline(MARGIN_X + LABEL_W, top, top + height)
        self._draw_block(rows, MARGIN_X + LABEL_W, top)
        self.y = top + height
        self._hline(self.y)

    def finish(self) -> list[Page]:
        self._close_page()
        if len(self.pages) > 1:
            for n, page in enumerate(self.pages, 1):
                text = f"第{n}页，共{len(self.pages)}页"
                lines = compose(
                    [(text, "songti", SMALL_SIZE)],
                    width=WIDTH,
                    cell=SMALL_SIZE,
                    justify=False,
                    grid=False,
                )
                w = sum(lines[0].advances)
                _emit(page, MARGIN_X + (WIDTH - w) / 2, lines[0], BOTTOM + 8.0, BLACK)
        return self.pages


def _cell(text: str, width: float = VALUE_W - 2 * PAD) -> _Block:
    block = _Block()
    block.text(text or "", width)
    return block


def slip_layout(slip: Slip) -> Layout:
    d = _Drawer(slip)
    full = WIDTH - LABEL_W - 2 * PAD
    d.row([("来文机关", _cell(slip.sender)), ("来文字号", _cell(slip.sender_number))])
    d.row([("收文编号", _cell(slip.number)), ("收文日期", _cell(slip.received_on))])
    d.row([("密级", _cell(slip.secrecy)), ("紧急程度", _cell(slip.urgency))])
    d.row([("文种", _cell(slip.doc_type)), ("份数", _cell(slip.copies))])
    d.row([("标题", _cell(slip.title, full))], min_height=16.0)
    d.row([("拟办意见", _signed_block(slip.proposal, full))], min_height=30.0)
    d.row([("领导批示", _signed_block(slip.instructions, full))], min_height=60.0)
    d.row([("承办单位", _cell(slip.units, full))], min_height=14.0)
    d.row([("办理结果", _signed_block(slip.results, full))], min_height=26.0)
    d.row([("传阅", _cell("；".join(slip.readers), full))], min_height=14.0)
    d.row([("备注", _cell(slip.remarks, full))], min_height=14.0)
    return Layout(d.finish(), PAGE, title=slip.heading, number=slip.number)


def render_slip(slip: Slip) -> bytes:
    return layout_to_pdf(slip_layout(slip), title=slip.heading, subject=slip.number)
