"""The rendered samples, opened the way a reader would: pypdf, python-docx, the OFD's XML."""

import io
import itertools
import zipfile
from xml.etree import ElementTree as ET

import docx
import pytest
from django.core.management import call_command
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from zhengban.documents.render.docx import obfuscate
from zhengban.documents.render.layout import balance_title

MM = 72 / 25.4  # points per millimetre
PITCH = 225 / 22  # mm
NUMBER = "沈政办发〔2026〕12号"
OFD = {"ofd": "http://www.ofdspec.org/2016"}


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    call_command("documents", "render-sample", "--out", str(out))
    return out


def pdf_text(page) -> str:
    # pypdf decodes fpdf2's one-byte CID codes with a NUL before each character (poppler's
    # pdftotext reads them cleanly); the NULs are pypdf's, not the file's.
    return page.extract_text().replace("\x00", "")


def pdf_ops(reader, page):
    return ContentStream(reader.pages[page].get_contents(), reader).operations


def text_positions(reader, page):
    """(x, y, size) in mm from the top-left of every text run on a page."""
    found = []
    size = None
    for operands, op in pdf_ops(reader, page):
        if op == b"Tf":
            size = float(operands[1])
        elif op == b"Td":
            x, y = float(operands[0]), float(operands[1])
            found.append((x / MM, 297 - y / MM, size))
    return found


def test_pdf_page_size_fonts_and_number(samples):
    reader = PdfReader(samples / "notice.pdf")
    assert len(reader.pages) >= 3
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) / MM - 210) < 0.1 and abs(float(box.height) / MM - 297) < 0.1
    text = pdf_text(reader.pages[0])
    assert NUMBER in text.replace(" ", "")
    assert "沈阳市人民政府办公厅文件" in text.replace(" ", "")
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append((str(font["/BaseFont"]), embedded))
    assert fonts and all(embedded for _, embedded in fonts)
    assert all("+" in name for name, _ in fonts)  # subset tag: ABCDEF+Name


def test_pdf_margins_and_line_pitch(samples):
    reader = PdfReader(samples / "notice.pdf")
    body = [(x, y) for x, y, size in text_positions(reader, 1) if size and abs(size - 16) < 0.01]
    assert body
    left = min(x for x, _ in body)
    assert abs(left - 28) < 0.5  # 订口 28 mm
    assert max(x for x, _ in body) < 28 + 156
    baselines = sorted({round(y, 2) for _, y in body})
    steps = [b - a for a, b in itertools.pairwise(baselines)]
    assert steps and all(abs(s / PITCH - round(s / PITCH)) < 0.02 for s in steps)
    # the first grid line's baseline sits inside the first line of the type area (天头 37 mm)
    assert 37 < baselines[0] < 37 + PITCH
    assert baselines[-1] < 37 + 225


def test_pdf_red_separator_line(samples):
    reader = PdfReader(samples / "notice.pdf")
    ops = pdf_ops(reader, 0)
    red_lines = []
    color = None
    for k, (operands, op) in enumerate(ops):
        if op == b"RG":
            color = [float(v) for v in operands]
        if op == b"m" and ops[k + 1][1] == b"l":
            (x1, y1), (x2, _y2) = operands, ops[k + 1][0]
            if color and color[0] > 0.8 and color[1] < 0.1:
                red_lines.append((float(x1) / MM, float(x2) / MM, 297 - float(y1) / MM))
    assert len(red_lines) == 1
    x1, x2, y = red_lines[0]
    assert abs(x1 - 28) < 0.1 and abs(x2 - x1 - 156) < 0.1
    # 4 mm below the 发文字号, whose baseline is the 3号 line just above it
    number_y = [
        yy
        for xx, yy, size in text_positions(reader, 0)
        if size and abs(size - 16) < 0.01 and yy < y
    ]
    assert 3.5 < y - max(number_y) < 6


def test_pdf_page_numbers_alternate(samples):
    reader = PdfReader(samples / "notice.pdf")
    for index in (0, 1):
        text = pdf_text(reader.pages[index])
        assert f"— {index + 1} —" in text
        runs = [
            (x, y)
            for x, y, size in text_positions(reader, index)
            if size and abs(size - 14) < 0.01 and y > 262
        ]
        assert runs and all(abs(y - (262 + 7)) < 3 for _, y in runs)
        if index == 0:
            assert min(x for x, _ in runs) > 28 + 156 / 2  # odd page: right
        else:
            assert min(x for x, _ in runs) < 28 + 10  # even page: left
    letter = PdfReader(samples / "letter.pdf")
    assert "— 1 —" not in pdf_text(letter.pages[0])  # §10.1: no number on page 1


def test_docx_page_setup_grid_and_fonts(samples):
    data = (samples / "notice.docx").read_bytes()
    d = docx.Document(io.BytesIO(data))
    s = d.sections[0]
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    assert round(s.top_margin.mm) == 37 and round(s.left_margin.mm) == 28
    assert round(s.right_margin.mm) == 26 and round(s.bottom_margin.mm) == 35
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    assert abs(int(grid.get(qn("w:linePitch"))) / 20 - PITCH * MM) < 0.1
    assert abs(d.styles["Normal"].paragraph_format.line_spacing.pt - PITCH * MM) < 0.1
    # 28 characters a line: 3号 (16 pt) set 0.25 pt tighter, 28 × 15.75 pt ≤ 156 mm < 29 ×
    spacing = d.styles["Normal"].element.rPr.find(qn("w:spacing"))
    pitch = 16 + int(spacing.get(qn("w:val"))) / 20
    assert 28 * pitch <= 156 * MM < 29 * pitch
    texts = [p.text for p in d.paragraphs]
    assert NUMBER in texts
    mark = next(p for p in d.paragraphs if p.text == "沈阳市人民政府办公厅文件")
    assert mark.runs[0].font.color.rgb is not None and str(mark.runs[0].font.color.rgb) == "E60012"
    number = next(p for p in d.paragraphs if p.text == NUMBER)
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "E60012"
    # fonts embedded: obfuscated subsets named in the font table
    z = zipfile.ZipFile(io.BytesIO(data))
    table = ET.fromstring(z.read("word/fontTable.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    embedded = [
        (f.get(w + "name"), e.get(w + "fontKey"))
        for f in table
        for e in f.findall(w + "embedRegular")
    ]
    assert embedded
    rels = ET.fromstring(z.read("word/_rels/fontTable.xml.rels"))
    target = rels[0].get("Target")
    font = TTFont(io.BytesIO(obfuscate(z.read("word/" + target), embedded[0][1])))
    assert ord("沈") in font.getBestCmap()
    assert b"embedTrueTypeFonts" in z.read("word/settings.xml")


def test_ofd_package_page_and_text(samples):
    z = zipfile.ZipFile(samples / "notice.ofd")
    root = ET.fromstring(z.read("OFD.xml"))
    assert root.find("ofd:DocBody/ofd:DocRoot", OFD).text == "Doc_0/Document.xml"
    custom = {c.get("Name"): c.text for c in root.iterfind(".//ofd:CustomData", OFD)}
    assert custom["发文字号"] == NUMBER and custom["文种"] == "通知"
    document = ET.fromstring(z.read("Doc_0/Document.xml"))
    assert document.find(".//ofd:PageArea/ofd:PhysicalBox", OFD).text == "0 0 210 297"
    pages = document.findall("ofd:Pages/ofd:Page", OFD)
    assert len(pages) >= 3
    page = ET.fromstring(z.read("Doc_0/" + pages[0].get("BaseLoc")))
    texts = page.findall(".//ofd:TextObject", OFD)
    assert NUMBER in "".join(t.find("ofd:TextCode", OFD).text for t in texts)
    red = [
        p
        for p in page.findall(".//ofd:PathObject", OFD)
        if p.find("ofd:StrokeColor", OFD).get("Value").startswith("230 0")
    ]
    assert len(red) == 1
    x, _, w, _ = map(float, red[0].get("Boundary").split())
    assert abs(x - 28) < 0.01 and abs(w - 156) < 0.01
    # body lines on page 2: left edge 28 mm, baselines one grid line apart
    page2 = ET.fromstring(z.read("Doc_0/" + pages[1].get("BaseLoc")))
    body = []
    for t in page2.findall(".//ofd:TextObject", OFD):
        if abs(float(t.get("Size")) - 16 * 25.4 / 72) < 0.01:
            bx, by, *_ = map(float, t.get("Boundary").split())
            body.append((bx, by + float(t.find("ofd:TextCode", OFD).get("Y"))))
    assert abs(min(x for x, _ in body) - 28) < 0.5
    baselines = sorted({round(y, 2) for _, y in body})
    steps = [b - a for a, b in itertools.pairwise(baselines)]
    assert all(abs(s / PITCH - round(s / PITCH)) < 0.02 for s in steps)


def test_ofd_fonts_are_embedded(samples):
    z = zipfile.ZipFile(samples / "notice.ofd")
    res = ET.fromstring(z.read("Doc_0/PublicRes.xml"))
    fonts = res.findall(".//ofd:Font", OFD)
    assert fonts
    used = set()
    for page in (n for n in z.namelist() if n.endswith("Content.xml")):
        for code in ET.fromstring(z.read(page)).iterfind(".//ofd:TextCode", OFD):
            used.update(code.text)
    covered = set()
    for font in fonts:
        data = z.read("Doc_0/Res/" + font.find("ofd:FontFile", OFD).text)
        cmap = TTFont(io.BytesIO(data)).getBestCmap()
        assert len(cmap) < 2000  # a subset, not the whole face
        covered.update(chr(c) for c in cmap)
    assert {c for c in used if c.strip()} <= covered


def test_letter_and_minutes_formats(samples):
    letter = PdfReader(samples / "letter.pdf")
    ops = pdf_ops(letter, 0)
    lines = []
    for k, (operands, op) in enumerate(ops):
        if op == b"m" and ops[k + 1][1] == b"l":
            x1 = float(operands[0]) / MM
            x2 = float(ops[k + 1][0][0]) / MM
            lines.append((round(x2 - x1), 297 - float(operands[1]) / MM))
    double = [y for length, y in lines if length == 170]
    assert len(double) == 4  # two double lines, 170 mm long
    assert abs(max(double) - 277) < 0.1  # 20 mm above the page's bottom edge
    minutes = PdfReader(samples / "minutes.pdf")
    text = "".join(pdf_text(p) for p in minutes.pages).replace(" ", "")
    assert "沈阳市人民政府常务会议纪要" in text and "出席：" in text and "列席：" in text


def test_titles_break_between_words_and_not_in_numbers():
    lines = balance_title("沈阳市人民政府办公厅关于做好2026年春节元宵节期间安全生产工作的通知", 19)
    assert len(lines) == 2
    assert not lines[1].startswith("年") and not lines[0][-1].isdigit()
    assert all(len(line) <= 19 for line in lines)
