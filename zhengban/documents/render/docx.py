"""An `OfficialDocument` as DOCX (python-docx) on the GB/T 9704 grid, fonts embedded.

Word reflows text, so this is the same content set up the way offices set up their templates
rather than a copy of the fixed layout: A4 with the standard margins, a document grid of 22
lines × 28 characters (w:docGrid linesAndChars), exact line spacing of one grid line, the red
发文机关标志 and a red bottom border 4 mm under the 发文字号, headings in 黑体/楷体, the 版记 in a
frame anchored to the bottom of the type area, and page numbers "— N —" in odd/even footers.
The fonts are embedded as obfuscated subsets (ECMA-376 §17.8.1), so the file shows the same
faces on a machine that lacks them.
"""

import io
import re
import uuid
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..content import OfficialDocument, Paragraph
from .fonts import face
from .layout import GEOMETRY, PT, SIZE_3, _mark_size, _secrecy_text, _text_width, balance_title

TWIPS_PER_MM = 1440 / 25.4
LINE_PITCH_PT = GEOMETRY.pitch / PT  # 28.99 pt
RED = RGBColor(0xE6, 0x00, 0x12)


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def document_to_docx(doc: OfficialDocument) -> bytes:
    g = GEOMETRY
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(g.page_w), Mm(g.page_h)
    section.top_margin, section.left_margin = Mm(g.top), Mm(g.left)
    section.bottom_margin = Mm(g.page_h - g.bottom)
    section.right_margin = Mm(g.page_w - g.right)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(24.5)
    _grid(section)
    _normal_style(document)
    writer = _Writer(document)

    for text, role in (
        (doc.copy_number, "songti"),
        (_secrecy_text(doc), "heiti"),
        (doc.urgency, "heiti"),
    ):
        if text:
            writer.para([(text, role)])
    header_lines = sum(1 for x in (doc.copy_number, doc.secrecy, doc.urgency) if x)
    kind = doc.effective_layout
    if kind == "信函":
        mark = doc.issuer_mark.removesuffix("文件") or doc.organ_name
        size = _mark_size(mark, g, limit=12.0)
        p = writer.para([(mark, "xiaobiaosong")], align="center", size=size / PT, color=RED)
        _off_grid(p)
        _spacing(p, before=max(0.0, (30 - g.top) / PT), exact=size / PT * 1.1)
        # §10.1: a red double line, thick over thin, 4 mm under the mark
        _border(p, "bottom", color="E60012", size=18, space=4 / PT, style="thickThinSmallGap")
        p = writer.para([(doc.number, "fangsong")], align="right")
    else:
        mark = doc.issuer_mark or doc.organ_name
        size = _mark_size(mark, g)
        p = writer.para([(mark, "xiaobiaosong")], align="center", size=size / PT, color=RED)
        _off_grid(p)
        _spacing(p, before=max(0.0, 35 / PT - header_lines * LINE_PITCH_PT), exact=size / PT * 1.1)
        runs = [(doc.number, "fangsong")]
        align = "center"
        if doc.signers and doc.effective_direction == "上行":
            runs = [
                (doc.number, "fangsong"),
                ("\t签发人：", "fangsong"),
                ("　".join(doc.signers), "kaiti"),
            ]
            align = "left"
        p = writer.para(runs, align=align)
        if align == "left":
            p.paragraph_format.left_indent = Mm(g.cell)
            p.paragraph_format.tab_stops.add_tab_stop(Mm(g.width - g.cell * 6), alignment=2)
        _spacing(p, before=2 * LINE_PITCH_PT)
        _border(p, "bottom", color="E60012", size=11, space=4 / PT)
    writer.blank(2 if kind != "信函" else 1)
    if doc.title:
        max_chars = int(g.width // (22 * PT)) - 1
        p = writer.para([], align="center", size=22)
        _off_grid(p)
        for k, part in enumerate(balance_title(doc.title, max_chars)):
            run = writer.run(p, part, "xiaobiaosong", size=22)
            if k:
                run._element.insert(
                    run._element.index(run._element.find(qn("w:t"))), OxmlElement("w:br")
                )
        writer.blank()
    if doc.recipients:
        writer.para([("，".join(doc.recipients) + "：", "fangsong")])
    for paragraph in doc.body:
        writer.body(paragraph)
    if doc.attachment_note:
        writer.blank()
        many = len(doc.attachment_note) > 1
        for k, name in enumerate(doc.attachment_note, 1):
            label = "附件：" if k == 1 else ""
            text = f"{k}.{name}" if many else name
            p = writer.para([(label + text, "fangsong")])
            fmt = p.paragraph_format
            fmt.left_indent = Mm(2 * g.cell + (0 if k == 1 else 3 * g.cell))
    if doc.attendance:
        writer.blank()
        for label in ("出席", "请假", "列席"):
            names = doc.attendance.get(label)
            if names:
                p = writer.para([(f"{label}：", "heiti"), ("、".join(names), "fangsong")])
                p.paragraph_format.left_indent = Mm(5 * g.cell)
                p.paragraph_format.first_line_indent = Mm(-3 * g.cell)
    if doc.signature or doc.date_text:
        writer.blank()
        sig_w = max((_text_width(s, "fangsong", SIZE_3, g.cell) for s in doc.signature), default=0)
        date_w = _text_width(doc.date_text, "fangsong", SIZE_3, g.cell)
        sig_x = g.width - 2 * g.cell - sig_w
        date_x = sig_x + 2 * g.cell
        if date_x + date_w > g.width - 2 * g.cell:
            date_x = g.width - 2 * g.cell - date_w
            sig_x = min(sig_x, date_x - 2 * g.cell)
        for s in doc.signature:
            p = writer.para([(s, "fangsong")], align="right")
            p.paragraph_format.right_indent = Mm(max(0.0, g.width - sig_x - sig_w))
        if doc.date_text:
            p = writer.para([(doc.date_text, "fangsong")], align="right")
            p.paragraph_format.right_indent = Mm(max(0.0, g.width - date_x - date_w))
    if doc.note:
        p = writer.para([(f"（{doc.note}）", "fangsong")])
        p.paragraph_format.first_line_indent = Mm(2 * g.cell)
    for k, attachment in enumerate(doc.attachments or [], 1):
        p = writer.para([("附件" + (str(k) if len(doc.attachments) > 1 else ""), "heiti")])
        p.paragraph_format.page_break_before = True
        writer.blank()
        _off_grid(writer.para([(attachment.title, "xiaobiaosong")], align="center", size=22))
        writer.blank()
        for paragraph in attachment.body:
            writer.body(paragraph)
    _colophon(writer, doc, kind)
    _footers(document, section, kind)
    _properties(document, doc)
    out = io.BytesIO()
    document.save(out)
    return embed_fonts(out.getvalue(), writer.used)


class _Writer:
    def __init__(self, document):
        self.document = document
        self.used: dict[str, set[str]] = {}

    def para(self, runs, *, align="left", size: float = 16, color=None):
        p = self.document.add_paragraph()
        ppr = p._p.get_or_add_pPr()
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra space around digits
            el = OxmlElement(tag)
            el.set(qn("w:val"), "0")
            ppr.append(el)
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        for text, role in runs:
            self.run(p, text, role, size=size, color=color)
        return p

    def run(self, p, text, role, *, size: float = 16, color=None):
        r = p.add_run(text)
        family = face(role).family
        r.font.name = family
        r.font.size = Pt(size)
        r.font.bold = face(role).bold or None
        rpr = r._element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), family)
        if color is not None:
            r.font.color.rgb = color
        self.used.setdefault(family, set()).update(text)
        self.used.setdefault("@" + role, set())
        return r

    def blank(self, n: int = 1):
        for _ in range(n):
            self.document.add_paragraph()

    def body(self, paragraph: Paragraph):
        heading = paragraph.heading_text
        role = {1: "heiti", 2: "kaiti"}.get(paragraph.level, "fangsong")
        runs = [(heading, role)] if heading else []
        rest = paragraph.text[len(heading) :]
        if rest:
            runs.append((rest, "fangsong"))
        p = self.para(runs)
        p.paragraph_format.first_line_indent = Mm(2 * GEOMETRY.cell)
        ind = p.paragraph_format.element.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "200")
        return p


def _grid(section) -> None:
    """A line grid of 22 lines. The 28 characters a line come from character spacing (see
    `_normal_style`): a character grid (linesAndChars) narrower than the 3号 body makes
    LibreOffice give every character two cells."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))
    if grid.get(qn("w:charSpace")) is not None:
        del grid.attrib[qn("w:charSpace")]


def _normal_style(document) -> None:
    style = document.styles["Normal"]
    family = face("fangsong").family
    style.font.name = family
    style.font.size = Pt(16)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)
    # 156 mm / 28 = 15.79 pt a character: 3号 (16 pt) set 0.25 pt tighter fills a line with
    # exactly 28 (29 would need 161 mm)
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        size = rpr.find(qn("w:sz"))
        (size.addprevious(spacing) if size is not None else rpr.append(spacing))
    spacing.set(qn("w:val"), "-5")
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = False
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra space between Chinese and digits
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.append(el)
    _order_ppr(ppr)


_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
]


def _order_ppr(ppr) -> None:
    """Put w:pPr children in the schema's order (Word refuses files that do not)."""
    rank = {name: k for k, name in enumerate(_PPR_ORDER)}
    children = list(ppr)
    children.sort(key=lambda el: rank.get(el.tag.split("}")[1], len(rank)))
    for el in children:
        ppr.remove(el)
        ppr.append(el)


def _off_grid(p) -> None:
    """Large type (the mark, the 2号 title) keeps its exact line height instead of snapping to
    two grid lines."""
    ppr = p._p.get_or_add_pPr()
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    ppr.append(el)
    _order_ppr(ppr)


def _spacing(p, *, before: float = 0.0, exact: float | None = None) -> None:
    fmt = p.paragraph_format
    fmt.space_before = Pt(before)
    if exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)


def _border(p, side: str, *, color: str, size: int, space: float, style: str = "single") -> None:
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        # pBdr precedes shd/tabs/spacing/ind/jc in CT_PPr
        anchor = next(
            (
                ppr.find(qn(t))
                for t in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")
                if ppr.find(qn(t)) is not None
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(borders)
        else:
            ppr.append(borders)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), style)
    el.set(qn("w:sz"), str(size))  # eighths of a point
    el.set(qn("w:space"), str(round(space)))
    el.set(qn("w:color"), color)
    order = ["top", "left", "bottom", "right", "between"]
    for existing in list(borders):
        if order.index(existing.tag.split("}")[1]) > order.index(side):
            existing.addprevious(el)
            return
    borders.append(el)


def _frame(p) -> None:
    """Anchor the paragraph (with its neighbours of the same frame) to the bottom of the
    type area: the 版记's last line sits on the type area's bottom edge (§7.4.1)."""
    ppr = p._p.get_or_add_pPr()
    frame = OxmlElement("w:framePr")
    frame.set(qn("w:w"), str(_twips(GEOMETRY.width)))
    frame.set(qn("w:wrap"), "around")
    frame.set(qn("w:vAnchor"), "margin")
    frame.set(qn("w:hAnchor"), "margin")
    frame.set(qn("w:xAlign"), "center")
    frame.set(qn("w:yAlign"), "bottom")
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(frame)
    else:
        ppr.insert(0, frame)


def _colophon(writer: _Writer, doc: OfficialDocument, kind: str) -> None:
    g = GEOMETRY
    paras = []
    if doc.cc:
        p = writer.para([("抄送：" + "，".join(doc.cc) + "。", "fangsong")], size=14)
        p.paragraph_format.left_indent = Mm(14 * PT)
        p.paragraph_format.right_indent = Mm(14 * PT)
        paras.append(p)
    if kind != "信函" and (doc.printer or doc.print_date_text):
        date = f"{doc.print_date_text}印发" if doc.print_date_text else ""
        p = writer.para([(doc.printer, "fangsong"), ("\t" + date, "fangsong")], size=14)
        p.paragraph_format.left_indent = Mm(14 * PT)
        p.paragraph_format.right_indent = Mm(14 * PT)
        p.paragraph_format.tab_stops.add_tab_stop(Mm(g.width - 2 * 14 * PT), alignment=2)
        paras.append(p)
    if not paras:
        return
    for p in paras:
        _frame(p)
    if kind == "信函":
        return
    _border(paras[0], "top", color="000000", size=8, space=1)
    if len(paras) > 1:
        _border(paras[-1], "top", color="000000", size=6, space=1)
    _border(paras[-1], "bottom", color="000000", size=8, space=1)


def _page_field(p, writer: _Writer) -> None:
    writer.run(p, "— ", "songti", size=14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        r = p.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._element.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
        r.font.size = Pt(14)
    writer.run(p, " —", "songti", size=14)


def _footers(document, section, kind: str) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    writer = _Writer(document)
    one = Mm(14 * PT)
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = one
    _page_field(odd, writer)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = one
    _page_field(even, writer)
    if kind == "信函":
        section.different_first_page_header_footer = True  # §10.1: no number on page 1


def _properties(document, doc: OfficialDocument) -> None:
    props = document.core_properties
    props.title = doc.title
    props.subject = doc.number
    props.author = doc.organ_name
    props.category = doc.doc_type
    props.keywords = doc.release_scope
    props.comments = doc.identifier


# --- font embedding ------------------------------------------------------------------------

FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
FONT_CT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def obfuscate(font: bytes, key: str) -> bytes:
    """ECMA-376 §17.8.1: XOR the first 32 bytes with the GUID's bytes in reverse order."""
    digits = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ digits[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def embed_fonts(docx: bytes, used: dict[str, set[str]]) -> bytes:
    roles = [r[1:] for r in used if r.startswith("@")] + ["songti", "fangsong"]
    families: dict[str, dict[str, object]] = {}
    for role in roles:
        f = face(role)
        families.setdefault(f.family, {}).setdefault("Bold" if f.bold else "Regular", f)
    all_chars = set().union(*(v for k, v in used.items() if not k.startswith("@")))
    all_chars |= set("— 0123456789")
    src = zipfile.ZipFile(io.BytesIO(docx))
    names = src.namelist()
    out = io.BytesIO()
    font_parts: dict[str, bytes] = {}
    entries = []  # (family, [(kind, rid, key, part)])
    n = 0
    for family, members in sorted(families.items()):
        embedded = []
        for kind, f in sorted(members.items(), key=lambda i: i[0] != "Regular"):
            n += 1
            key = (
                "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"zhengban:{family}:{kind}")).upper() + "}"
            )
            part = f"fonts/font{n}.odttf"
            font_parts["word/" + part] = obfuscate(f.subset(all_chars), key)
            embedded.append((kind, f"rIdZbFont{n}", key, part))
        entries.append((family, embedded))
    font_table = (
        src.read("word/fontTable.xml").decode()
        if "word/fontTable.xml" in names
        else (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:fonts xmlns:w="{W_NS}" xmlns:r="{R_NS}"></w:fonts>'
        )
    )
    if "xmlns:r=" not in font_table.split(">", 2)[1]:
        font_table = re.sub(r"<w:fonts ", f'<w:fonts xmlns:r="{R_NS}" ', font_table, count=1)
    additions = "".join(
        f'<w:font w:name="{family}"><w:charset w:val="86"/><w:family w:val="roman"/>'
        '<w:pitch w:val="variable"/>'
        + "".join(
            f'<w:embed{kind} r:id="{rid}" w:fontKey="{key}"/>' for kind, rid, key, _ in embedded
        )
        + "</w:font>"
        for family, embedded in entries
    )
    font_table = font_table.replace("</w:fonts>", additions + "</w:fonts>")
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="{rid}" Type="{FONT_REL}" Target="{part}"/>'
            for _, embedded in entries
            for _, rid, _, part in embedded
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            data = src.read(name)
            if name == "word/fontTable.xml":
                data = font_table.encode()
            elif name == "[Content_Types].xml":
                text = data.decode()
                if 'Extension="odttf"' not in text:
                    text = text.replace(
                        "<Default ",
                        f'<Default Extension="odttf" ContentType="{FONT_CT}"/><Default ',
                        1,
                    )
                data = text.encode()
            elif name == "word/settings.xml":
                text = data.decode()
                if "w:embedTrueTypeFonts" not in text:
                    text = re.sub(
                        r"(<w:settings[^>]*>(?:\s*<w:zoom[^>]*/>)?)",
                        r"\1<w:embedTrueTypeFonts/><w:saveSubsetFonts/>",
                        text,
                        count=1,
                    )
                data = text.encode()
            dst.writestr(name, data)
        if "word/fontTable.xml" not in names:
            dst.writestr("word/fontTable.xml", font_table)
        dst.writestr("word/_rels/fontTable.xml.rels", rels)
        for name, data in font_parts.items():
            dst.writestr(name, data)
    return out.getvalue()
