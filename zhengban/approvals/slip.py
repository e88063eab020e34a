"""签报单: the printable approval slip of a 签报, as offices file it.

    <机关>签报单                          (red, 2号 小标宋)
    编号 … 紧急程度 … 密级 …   签报日期 …
    ┌──────────┬──────────────────────────┐
    │ 签报单位  │ … 拟稿人 …                 │
    │ 请示事项类别│ …                         │
    │ 事由      │ …                          │
    │ 领导批示  │ each leader's opinion, in order, signed and dated │
    │ 处室负责人意见 │ …  signed and dated      │
    │ 拟办意见  │ …                          │
    └──────────┴──────────────────────────┘
    正文 (headings 一、 in 黑体, （一） in 楷体), on as many pages as it needs

Drawn with the documents library's layout primitives (`render.layout`: `compose`, `Run`,
`Rule`, `Page`, `Layout`) and its PDF writer (`render.pdf.layout_to_pdf`), which embeds the
configured fonts. Pure layout: `slip_data(case)` reads the case, `render_slip(data)` draws."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from zhengban.documents.content import Paragraph
from zhengban.documents.render.layout import (
    BLACK,
    PT,
    RED,
    Geometry,
    Layout,
    Line,
    Page,
    Rule,
    Run,
    compose,
)
from zhengban.documents.render.pdf import layout_to_pdf

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT = 25.0, 185.0
TOP, BOTTOM = 25.0, 272.0
LABEL_W = 42.0
PAD = 2.5
SIZE_TITLE = 22 * PT  # 2号
SIZE_TEXT = 14 * PT  # 4号
SIZE_BODY = 16 * PT  # 3号
SIZE_SMALL = 12 * PT  # 小4号
BORDER = 0.35
LEADERS_MIN = 60.0  # room for the leaders' 批示 even when few have written


@dataclass
class Signed:
    """An opinion as the slip prints it: the text, then the name and date on the right."""

    text: str
    name: str
    date: str
    verdict: str = ""


@dataclass
class SlipData:
    organization: str
    number: str
    date: str
    unit: str
    drafter: str
    category: str
    urgency: str
    sensitivity: str
    title: str
    proposal: str
    head: Signed | None
    leaders: list[Signed] = field(default_factory=list)
    outcome: str = ""
    body: str = ""


def _date(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if hasattr(value, "tzinfo") else value
    return f"{local.year}年{local.month}月{local.day}日"


def slip_data(case) -> SlipData:
    """What the slip shows of a 签报 (its case with the detail row, events and slots)."""
    from .models import Outcome
    from .selectors import approval_history

    detail = case.approval
    history = approval_history(case)
    head = history.head
    leaders = [
        Signed(o.text, str(o.person), _date(o.time), "" if o.action == "approve" else o.verdict)
        for o in (history.last_round.opinions if history.last_round else [])
    ]
    # 签报日期: when the division last sent it up (a returned 签报 is dated anew).
    submitted = max(
        (e for e in case.events.all() if e.action == "submit"), key=lambda e: e.seq, default=None
    )
    signed_head = None
    if head is not None:
        signed_head = Signed(head.text or head.verdict, str(head.person), _date(head.time))
    organization = getattr(case.owner_unit.organization, "name", "") or ""
    outcome = "" if detail.outcome == Outcome.PENDING else str(detail.get_outcome_display())
    return SlipData(
        organization=organization,
        number=case.number,
        date=_date(submitted.time if submitted else case.created_at),
        unit=case.owner_unit.name,
        drafter=str(case.creator),
        category=detail.category.name,
        urgency=str(case.get_urgency_display()) if case.urgency != "normal" else "",
        sensitivity=str(case.get_sensitivity_display()) if case.sensitivity else "",
        title=case.title,
        proposal=detail.proposal,
        head=signed_head,
        leaders=leaders,
        outcome=outcome,
        body=case.body,
    )


# --- drawing ---------------------------------------------------------------------------------


def _runs(x: float, y: float, line: Line, color=BLACK) -> list[Run]:
    """One run per stretch of glyphs in the same face, size and spacing (the PDF writer sets
    one character spacing per run)."""
    out: list[Run] = []
    last_spacing = 0.0
    pos = x + line.x
    last: Run | None = None
    for glyph, advance in zip(line.glyphs, line.advances, strict=True):
        if glyph.ch.isspace():  # no glyph is embedded for a space: leave the gap
            pos += advance
            last = None
            continue
        spacing = advance - glyph.natural
        if (
            last is not None
            and last.role == glyph.role
            and abs(last.size - glyph.size) < 1e-6
            and abs(last_spacing - spacing) < 1e-6
        ):
            last.text += glyph.ch
            last.advances.append(advance)
        else:
            last = Run(pos, y, glyph.role, glyph.size, glyph.ch, [advance], color)
            out.append(last)
        last_spacing = spacing
        pos += advance
    return out


def _lines(text: str, role: str, size: float, width: float, *, indent: float = 0.0) -> list:
    if not text:
        return []
    return compose([(text, role, size)], width=width, cell=size, first_indent=indent, grid=False)


def _width(line: Line) -> float:
    return sum(line.advances)


class _Sheet:
    def __init__(self):
        self.pages: list[Page] = []
        self.y = TOP
        self.new_page()

    def new_page(self) -> None:
        self.page = Page()
        self.pages.append(self.page)
        self.y = TOP

    def room(self, height: float) -> bool:
        return self.y + height <= BOTTOM

    def text(self, line: Line, x: float, size: float, color=BLACK, *, lead: float | None = None):
        lead = lead or size * 1.6
        baseline = self.y + (lead - size) / 2 + 0.88 * size
        self.page.runs.extend(_runs(x, baseline, line, color))
        self.y += lead

    def rule(self, x1, y1, x2, y2, width=BORDER, color=BLACK) -> None:
        self.page.rules.append(Rule(x1, y1, x2, y2, width, color))

    def box(self, top: float, bottom: float) -> None:
        """A table row's frame on the current page."""
        for x in (LEFT, LEFT + LABEL_W, RIGHT):
            self.rule(x, top, x, bottom)
        self.rule(LEFT, top, RIGHT, top)
        self.rule(LEFT, bottom, RIGHT, bottom)

    def row(self, label: str, blocks: list[tuple[list, str]], min_height: float = 0.0) -> None:
        """A labelled row; `blocks` are (lines, "left"|"right"), continued on the next page
        when they do not fit."""
        lead = SIZE_TEXT * 1.6
        value_x = LEFT + LABEL_W + PAD
        value_w = RIGHT - value_x - PAD
        label_lines = _lines(label, "heiti", SIZE_TEXT, LABEL_W - 2 * PAD)
        if not self.room(2 * PAD + lead * max(1, min(len(label_lines), 2))):
            self.new_page()
        top = self.y
        self.y += PAD
        label_y = self.y
        for line in label_lines:
            self.text(line, LEFT + PAD, SIZE_TEXT, lead=lead)
        label_bottom = self.y
        self.y = label_y
        for lines, align in blocks:
            for line in lines:
                if not self.room(lead + PAD):
                    self.box(top, self.y + PAD)
                    self.new_page()
                    top = self.y
                    self.y += PAD
                    # The row goes on under its label, marked as continued.
                    start = self.y
                    for cont in _lines(f"{label}（续）", "heiti", SIZE_TEXT, LABEL_W - 2 * PAD):
                        self.text(cont, LEFT + PAD, SIZE_TEXT, lead=lead)
                    label_bottom, self.y = self.y, start
                x = value_x if align == "left" else value_x + value_w - _width(line)
                self.text(line, x, SIZE_TEXT, lead=lead)
        bottom = max(self.y, label_bottom, top + min_height - PAD) + PAD
        if bottom > BOTTOM:
            bottom = BOTTOM
        self.box(top, bottom)
        self.y = bottom


def _value(text: str) -> list:
    width = RIGHT - (LEFT + LABEL_W + PAD) - PAD
    lines = []
    for part in (text or "").splitlines() or [""]:
        lines.extend(_lines(part.strip(), "fangsong", SIZE_TEXT, width, indent=0.0))
    return lines


def _signed(opinion: Signed) -> list[tuple[list, str]]:
    width = RIGHT - (LEFT + LABEL_W + PAD) - PAD
    text = f"{opinion.verdict}：{opinion.text}" if opinion.verdict else opinion.text
    signature = f"{opinion.name}　{opinion.date}"
    return [
        (_value(text), "left"),
        (_lines(signature, "kaiti", SIZE_TEXT, width), "right"),
    ]


def render_slip(data: SlipData) -> bytes:
    sheet = _Sheet()
    # The head: the organization's 签报单, in red, with a red line under it.
    heading = f"{data.organization}签报单" if data.organization else "签报单"
    for line in _lines(heading, "xiaobiaosong", SIZE_TITLE, RIGHT - LEFT):
        line.x = (RIGHT - LEFT - _width(line)) / 2
        sheet.text(line, LEFT, SIZE_TITLE, RED, lead=SIZE_TITLE * 1.5)
    sheet.y += 1.0
    sheet.rule(LEFT, sheet.y, RIGHT, sheet.y, 0.8, RED)
    sheet.y += 3.0
    marks = [f"编号：{data.number}"]
    if data.urgency:
        marks.append(f"紧急程度：{data.urgency}")
    if data.sensitivity:
        marks.append(f"密级：{data.sensitivity}")
    left = _lines("　".join(marks), "fangsong", SIZE_SMALL, 110)
    right = _lines(f"签报日期：{data.date}", "fangsong", SIZE_SMALL, 60)
    y = sheet.y
    if left:
        sheet.text(left[0], LEFT, SIZE_SMALL)
    sheet.y = y
    if right:
        sheet.text(right[0], RIGHT - _width(right[0]), SIZE_SMALL)
    sheet.y += 1.0

    sheet.row("签报单位", [(_value(data.unit), "left")])
    sheet.row("拟稿人", [(_value(data.drafter), "left")])
    sheet.row("请示事项类别", [(_value(data.category), "left")])
    sheet.row("事由", [(_value(data.title), "left")])
    leader_blocks: list[tuple[list, str]] = []
    for opinion in data.leaders:
        leader_blocks.extend(_signed(opinion))
    if data.outcome:
        leader_blocks.append((_value(f"审批结果：{data.outcome}"), "left"))
    sheet.row("领导批示", leader_blocks, min_height=LEADERS_MIN)
    head_blocks = _signed(data.head) if data.head else []
    sheet.row("处室负责人意见", head_blocks, min_height=24.0)
    sheet.row("拟办意见", [(_value(data.proposal), "left")], min_height=24.0)

    _body(sheet, data)
    _folios(sheet.pages)
    layout = Layout(pages=sheet.pages, geometry=Geometry(), title=data.title, number=data.number)
    return layout_to_pdf(layout, title=data.title, subject=data.number, author=data.unit)


def _body(sheet: _Sheet, data: SlipData) -> None:
    """The 正文 after the table, with the heading faces of GB/T 9704 (一、 黑体, （一） 楷体)."""
    paragraphs = [Paragraph(p.strip()) for p in data.body.splitlines() if p.strip()]
    if not paragraphs:
        return
    lead = SIZE_BODY * 1.75
    width = RIGHT - LEFT
    sheet.y += 6.0
    if not sheet.room(lead * 3):
        sheet.new_page()
    for line in _lines(data.title, "xiaobiaosong", SIZE_BODY * 1.1, width):
        line.x = (width - _width(line)) / 2
        sheet.text(line, LEFT, SIZE_BODY * 1.1, lead=lead)
    sheet.y += 2.0
    for paragraph in paragraphs:
        heading = paragraph.heading_text
        role = {1: "heiti", 2: "kaiti"}.get(paragraph.level, "fangsong")
        spans = [(heading, role, SIZE_BODY)] if heading else []
        rest = paragraph.text[len(heading) :]
        if rest:
            spans.append((rest, "fangsong", SIZE_BODY))
        lines = compose(spans, width=width, cell=SIZE_BODY, first_indent=2 * SIZE_BODY, grid=False)
        for line in lines:
            if not sheet.room(lead):
                sheet.new_page()
            sheet.text(line, LEFT, SIZE_BODY, lead=lead)


def _folios(pages: list[Page]) -> None:
    """The folio "— 1 —" centred under each page, when the slip runs to more than one page."""
    if len(pages) < 2:
        return
    for number, page in enumerate(pages, 1):
        page.folio = number
        line = _lines(f"— {number} —", "songti", SIZE_TEXT, 60)[0]
        x = (PAGE_W - _width(line)) / 2
        page.runs.extend(_runs(x - line.x, BOTTOM + 12.0, line))
