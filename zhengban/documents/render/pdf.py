"""Draw a `Layout` as PDF (fpdf2): fonts embedded as subsets, text as real text."""

import io
import tempfile
from pathlib import Path

from fpdf import FPDF

from .fonts import face
from .layout import PT, Layout


def layout_to_pdf(layout: Layout, *, title: str = "", subject: str = "") -> bytes:
    g = layout.geometry
    pdf = FPDF(unit="mm", format=(g.page_w, g.page_h))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(title or layout.title)
    pdf.set_subject(subject or layout.number)
    pdf.set_creator("zhengban")
    pdf.set_producer("zhengban")
    pdf.set_creation_date(_fixed_date())
    names: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="zhengban-fonts-") as tmp:
        # fpdf2 parses every font it is given: hand it the document's own subset of each
        # face (a few hundred glyphs) rather than the 65,000-glyph collection.
        # Roles on the same face (仿宋 and 宋体 by default) share one embedded font.
        by_face: dict[tuple[str, int], list[str]] = {}
        chars: dict[tuple[str, int], set[str]] = {}
        for role, used in layout.chars_by_role().items():
            key = (face(role).path, face(role).index)
            by_face.setdefault(key, []).append(role)
            chars.setdefault(key, set()).update(used)
        for n, (key, roles) in enumerate(sorted(by_face.items())):
            f = face(roles[0])
            path = Path(tmp) / f"font{n}.{f.file_ext}"
            path.write_bytes(f.subset(chars[key]))
            pdf.add_font(f"f{n}", fname=path)
            for role in roles:
                names[role] = f"f{n}"
        _draw(pdf, layout, names)
        return bytes(pdf.output())


def _draw(pdf: FPDF, layout: Layout, names: dict[str, str]) -> None:
    for page in layout.pages:
        pdf.add_page()
        for rule in page.rules:
            pdf.set_draw_color(*rule.color)
            pdf.set_line_width(rule.width)
            pdf.line(rule.x1, rule.y1, rule.x2, rule.y2)
        for run in page.runs:
            pdf.set_font(names[run.role], size=run.size / PT)
            pdf.set_text_color(*run.color)
            pdf.set_char_spacing(run.spacing / PT)
            pdf.text(run.x, run.y, run.text)
        for pic in page.pictures:
            pdf.image(io.BytesIO(pic.png), x=pic.x, y=pic.y, w=pic.w, h=pic.h)


def _fixed_date():
    from datetime import UTC, datetime

    return datetime(2000, 1, 1, tzinfo=UTC)
