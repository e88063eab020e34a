"""Draw a `Layout` as PDF: text as real text in embedded font subsets, rules, images.

Written directly (PDF 1.7, about 200 lines) rather than through a PDF library: the layout is
already fixed glyph by glyph, so all that is left is serialising it, and the libraries tried
(fpdf2) re-parse and re-subset every font on every render — five times slower. Fonts are
Type0/Identity-H: CID-keyed CFF (the Noto CJK collections) as CIDFontType0C, TrueType as
CIDFontType2, each with widths and a ToUnicode map so text can be searched and copied.
"""

import io
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from fontTools.ttLib import TTFont

from .fonts import face
from .layout import PT, Layout, Page

PT_PER_MM = 1 / PT


def _fmt(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _string(text: str) -> str:
    """A PDF text string (UTF-16BE with BOM) for the document information dictionary."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _name(text: str) -> str:
    return "".join(c for c in text if (c.isascii() and c.isalnum()) or c in "-_") or "Font"


@dataclass
class _Font:
    key: str  # /F1
    codes: dict[str, int]  # char → 2-byte code (CID or GID)
    objects: list[int] = field(default_factory=list)


class _Writer:
    def __init__(self):
        self.chunks: list[bytes] = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
        self.offsets: dict[int, int] = {}
        self.size = 0
        self.next_id = 1

    def reserve(self) -> int:
        n = self.next_id
        self.next_id += 1
        return n

    def add(self, n: int, body: bytes) -> None:
        self.offsets[n] = sum(len(c) for c in self.chunks)
        self.chunks.append(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")

    def stream(self, n: int, data: bytes, extra: str = "", compress: bool = True) -> None:
        if compress:
            data = zlib.compress(data, 6)
            extra += " /Filter /FlateDecode"
        self.add(n, f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream")

    def finish(self, root: int, info: int) -> bytes:
        xref_at = sum(len(c) for c in self.chunks)
        count = self.next_id
        lines = [f"xref\n0 {count}\n0000000000 65535 f \n"]
        for n in range(1, count):
            lines.append(f"{self.offsets[n]:010d} 00000 n \n")
        lines.append(
            f"trailer\n<< /Size {count} /Root {root} 0 R /Info {info} 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n"
        )
        self.chunks.append("".join(lines).encode())
        return b"".join(self.chunks)


def _embed_font(w: _Writer, key: str, role: str, chars: set[str], tag: str) -> _Font:
    f = face(role)
    program = f.subset(chars)
    font = TTFont(io.BytesIO(program), lazy=True)
    cmap = font.getBestCmap()
    upem = font["head"].unitsPerEm
    hmtx = font["hmtx"].metrics
    order = font.getGlyphOrder()
    cff = "CFF " in font
    cid_keyed = cff and hasattr(font["CFF "].cff.topDictIndex[0], "ROS")
    codes: dict[str, int] = {}
    widths: dict[int, int] = {}
    for ch in sorted(chars):
        glyph = cmap.get(ord(ch))
        if glyph is None:
            continue
        code = int(glyph[3:]) if cid_keyed and glyph.startswith("cid") else order.index(glyph)
        codes[ch] = code
        widths[code] = round(hmtx[glyph][0] * 1000 / upem)
    base = f"{tag}+{_name(font['name'].getDebugName(6) or f.family)}"
    type0, cidfont, descriptor, program_id, tounicode = (w.reserve() for _ in range(5))
    if cff:
        # the subset's CFF table as it was written (compiling it again costs ~0.2 s a face)
        w.stream(program_id, font.reader["CFF "], " /Subtype /CIDFontType0C")
        file_key, subtype = "/FontFile3", "/CIDFontType0"
    else:
        w.stream(program_id, program, f" /Length1 {len(program)}")
        file_key, subtype = "/FontFile2", "/CIDFontType2"
    head, hhea = font["head"], font["hhea"]
    scale = 1000 / upem
    bbox = " ".join(str(round(v * scale)) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    w.add(
        descriptor,
        (
            f"<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{bbox}] "
            f"/ItalicAngle 0 /Ascent {round(hhea.ascent * scale)} "
            f"/Descent {round(hhea.descent * scale)} "
            f"/CapHeight {round(hhea.ascent * scale)} /StemV 80 {file_key} {program_id} 0 R >>"
        ).encode(),
    )
    w_array = " ".join(f"{code} [{width}]" for code, width in sorted(widths.items()))
    gid_map = "" if cff else " /CIDToGIDMap /Identity"
    w.add(
        cidfont,
        (
            f"<< /Type /Font /Subtype {subtype} /BaseFont /{base} "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [{w_array}]{gid_map} >>"
        ).encode(),
    )
    w.stream(tounicode, _to_unicode(codes))
    w.add(
        type0,
        (
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H "
            f"/DescendantFonts [{cidfont} 0 R] /ToUnicode {tounicode} 0 R >>"
        ).encode(),
    )
    return _Font(key, codes, [type0])


def _to_unicode(codes: dict[str, int]) -> bytes:
    pairs = sorted((code, ch) for ch, code in codes.items())
    blocks = []
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        body = "\n".join(
            f"<{code:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for code, ch in chunk
        )
        blocks.append(f"{len(chunk)} beginbfchar\n{body}\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    ).encode()


def _image(w: _Writer, png: bytes) -> int:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGBA")
    rgb = img.convert("RGB").tobytes()
    alpha = img.getchannel("A").tobytes()
    mask, obj = w.reserve(), w.reserve()
    dims = f" /Width {img.width} /Height {img.height} /BitsPerComponent 8"
    w.stream(mask, alpha, f" /Type /XObject /Subtype /Image{dims} /ColorSpace /DeviceGray")
    w.stream(
        obj, rgb, f" /Type /XObject /Subtype /Image{dims} /ColorSpace /DeviceRGB /SMask {mask} 0 R"
    )
    return obj


def _content(page: Page, fonts: dict[str, _Font], images: dict[int, str], height: float) -> bytes:
    out: list[str] = []
    for rule in page.rules:
        r, g, b = (c / 255 for c in rule.color)
        y1, y2 = (height - rule.y1) * PT_PER_MM, (height - rule.y2) * PT_PER_MM
        out.append(
            f"q {_fmt(rule.width * PT_PER_MM)} w 0 J {_fmt(r)} {_fmt(g)} {_fmt(b)} RG "
            f"{_fmt(rule.x1 * PT_PER_MM)} {_fmt(y1)} m {_fmt(rule.x2 * PT_PER_MM)} {_fmt(y2)} l S Q"
        )
    for run in page.runs:
        font = fonts[run.role]
        hex_codes = "".join(f"{font.codes.get(ch, 0):04X}" for ch in run.text)
        r, g, b = (c / 255 for c in run.color)
        out.append(
            f"BT {font.key} {_fmt(run.size * PT_PER_MM)} Tf {_fmt(run.spacing * PT_PER_MM)} Tc "
            f"{_fmt(r)} {_fmt(g)} {_fmt(b)} rg "
            f"{_fmt(run.x * PT_PER_MM)} {_fmt((height - run.y) * PT_PER_MM)} Td <{hex_codes}> Tj ET"
        )
    for pic in page.pictures:
        out.append(
            f"q {_fmt(pic.w * PT_PER_MM)} 0 0 {_fmt(pic.h * PT_PER_MM)} {_fmt(pic.x * PT_PER_MM)} "
            f"{_fmt((height - pic.y - pic.h) * PT_PER_MM)} cm {images[id(pic.png)]} Do Q"
        )
    return "\n".join(out).encode()


def layout_to_pdf(layout: Layout, *, title: str = "", subject: str = "", author: str = "") -> bytes:
    g = layout.geometry
    w = _Writer()
    catalog, pages_id, info = w.reserve(), w.reserve(), w.reserve()
    # Roles on the same face (仿宋 and 宋体 by default) share one embedded font.
    by_face: dict[tuple[str, int], list[str]] = {}
    chars: dict[tuple[str, int], set[str]] = {}
    for role, used in layout.chars_by_role().items():
        key = (face(role).path, face(role).index)
        by_face.setdefault(key, []).append(role)
        chars.setdefault(key, set()).update(used)
    fonts: dict[str, _Font] = {}
    font_refs = []
    for n, (key, roles) in enumerate(sorted(by_face.items())):
        tag = "ZB" + "".join(chr(ord("A") + (n * 7 + k) % 26) for k in range(4))
        font = _embed_font(w, f"/F{n + 1}", roles[0], chars[key], tag)
        font_refs.append(f"/F{n + 1} {font.objects[0]} 0 R")
        for role in roles:
            fonts[role] = font
    images: dict[int, str] = {}
    image_refs = []
    for page in layout.pages:
        for pic in page.pictures:
            if id(pic.png) not in images:
                obj = _image(w, pic.png)
                images[id(pic.png)] = f"/Im{len(images) + 1}"
                image_refs.append(f"/Im{len(images)} {obj} 0 R")
    resources = f"<< /Font << {' '.join(font_refs)} >> /XObject << {' '.join(image_refs)} >> >>"
    page_ids = []
    box = f"[0 0 {_fmt(g.page_w * PT_PER_MM)} {_fmt(g.page_h * PT_PER_MM)}]"
    for page in layout.pages:
        content, page_id = w.reserve(), w.reserve()
        w.stream(content, _content(page, fonts, images, g.page_h))
        w.add(
            page_id,
            (
                f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox {box} "
                f"/Resources {resources} /Contents {content} 0 R >>"
            ).encode(),
        )
        page_ids.append(page_id)
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    w.add(pages_id, f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
    w.add(catalog, f"<< /Type /Catalog /Pages {pages_id} 0 R /Lang (zh-CN) >>".encode())
    stamp = datetime(2000, 1, 1).strftime("D:%Y%m%d%H%M%S")
    w.add(
        info,
        (
            f"<< /Title {_string(title or layout.title)} "
            f"/Subject {_string(subject or layout.number)} "
            f"/Author {_string(author)} /Creator (zhengban) /Producer (zhengban) "
            f"/CreationDate ({stamp}) >>"
        ).encode(),
    )
    return w.finish(catalog, info)
