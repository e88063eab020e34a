"""Draw a `Layout` as OFD (GB/T 33190-2016): a zip of XML parts with the fonts embedded.

No maintained Python library writes OFD (the PyPI packages read it, or convert through a
PDF renderer), so this module writes the package itself: OFD.xml (document info with the
GB/T 33480 fields as CustomData), Doc_0/Document.xml, PublicRes.xml (fonts), DocumentRes.xml
(images), one Content.xml per page with TextObject/PathObject/ImageObject in millimetres,
and the font subsets under Doc_0/Res/. Positions are the layout's, glyph by glyph (DeltaX).
"""

import io
import zipfile
from xml.etree import ElementTree as ET

from ..content import OfficialDocument
from ..metadata import core_metadata
from .fonts import face
from .layout import Layout

NS = "http://www.ofdspec.org/2016"
ET.register_namespace("ofd", NS)


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _box(x: float, y: float, w: float, h: float) -> str:
    return f"{_num(x)} {_num(y)} {_num(w)} {_num(h)}"


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


class _Ids:
    def __init__(self):
        self.last = 0

    def next(self) -> str:
        self.last += 1
        return str(self.last)


def layout_to_ofd(
    layout: Layout, doc: OfficialDocument, *, extra_parts: dict | None = None
) -> bytes:
    g = layout.geometry
    ids = _Ids()
    parts: dict[str, bytes] = {}

    # fonts: one per face, shared by the roles on it
    font_ids: dict[str, str] = {}
    by_face: dict[tuple[str, int], list[str]] = {}
    chars: dict[tuple[str, int], set[str]] = {}
    for role, used in layout.chars_by_role().items():
        key = (face(role).path, face(role).index)
        by_face.setdefault(key, []).append(role)
        chars.setdefault(key, set()).update(used)
    public = ET.Element(q("Res"), {"BaseLoc": "Res"})
    fonts = ET.SubElement(public, q("Fonts"))
    for n, (key, roles) in enumerate(sorted(by_face.items())):
        f = face(roles[0])
        font_id = ids.next()
        name = f"font_{n}.{f.file_ext}"
        parts[f"Doc_0/Res/{name}"] = f.subset(chars[key])
        el = ET.SubElement(
            fonts, q("Font"), {"ID": font_id, "FontName": f.family, "FamilyName": f.family}
        )
        ET.SubElement(el, q("FontFile")).text = name
        for role in roles:
            font_ids[role] = font_id

    # images
    doc_res = ET.Element(q("Res"), {"BaseLoc": "Res"})
    medias = ET.SubElement(doc_res, q("MultiMedias"))
    image_ids: dict[int, str] = {}
    for page in layout.pages:
        for pic in page.pictures:
            if id(pic.png) in image_ids:
                continue
            media_id = ids.next()
            name = f"image_{len(image_ids)}.png"
            parts[f"Doc_0/Res/{name}"] = pic.png
            el = ET.SubElement(
                medias, q("MultiMedia"), {"ID": media_id, "Type": "Image", "Format": "PNG"}
            )
            ET.SubElement(el, q("MediaFile")).text = name
            image_ids[id(pic.png)] = media_id

    # pages
    page_refs = []
    for number, page in enumerate(layout.pages):
        page_id = ids.next()
        root = ET.Element(q("Page"))
        area = ET.SubElement(root, q("Area"))
        ET.SubElement(area, q("PhysicalBox")).text = f"0 0 {_num(g.page_w)} {_num(g.page_h)}"
        content = ET.SubElement(root, q("Content"))
        layer = ET.SubElement(content, q("Layer"), {"ID": ids.next(), "Type": "Body"})
        for rule in page.rules:
            w = rule.width
            x, y = min(rule.x1, rule.x2), min(rule.y1, rule.y2) - w / 2
            length = abs(rule.x2 - rule.x1)
            height = abs(rule.y2 - rule.y1) + w
            el = ET.SubElement(
                layer,
                q("PathObject"),
                {
                    "ID": ids.next(),
                    "Boundary": f"{_num(x)} {_num(y)} {_num(max(length, w))} {_num(height)}",
                    "LineWidth": _num(w),
                    "Stroke": "true",
                    "Fill": "false",
                },
            )
            ET.SubElement(el, q("StrokeColor"), {"Value": " ".join(map(str, rule.color))})
            ET.SubElement(
                el, q("AbbreviatedData")
            ).text = f"M 0 {_num(w / 2)} L {_num(length)} {_num(w / 2 + abs(rule.y2 - rule.y1))}"
        for run in page.runs:
            if not run.text.strip():
                continue
            top = run.y - run.size
            el = ET.SubElement(
                layer,
                q("TextObject"),
                {
                    "ID": ids.next(),
                    "Boundary": _box(run.x, top, run.width + run.size, run.size * 1.3),
                    "Font": font_ids[run.role],
                    "Size": _num(run.size),
                },
            )
            if run.color != (0, 0, 0):
                ET.SubElement(el, q("FillColor"), {"Value": " ".join(map(str, run.color))})
            attrs = {"X": "0", "Y": _num(run.size)}
            if len(run.text) > 1:
                attrs["DeltaX"] = " ".join(_num(a) for a in run.advances[:-1])
            ET.SubElement(el, q("TextCode"), attrs).text = run.text
        for pic in page.pictures:
            ET.SubElement(
                layer,
                q("ImageObject"),
                {
                    "ID": ids.next(),
                    "Boundary": f"{_num(pic.x)} {_num(pic.y)} {_num(pic.w)} {_num(pic.h)}",
                    "CTM": f"{_num(pic.w)} 0 0 {_num(pic.h)} 0 0",
                    "ResourceID": image_ids[id(pic.png)],
                },
            )
        parts[f"Doc_0/Pages/Page_{number}/Content.xml"] = _xml(root)
        page_refs.append((page_id, f"Pages/Page_{number}/Content.xml"))

    document = ET.Element(q("Document"))
    common = ET.SubElement(document, q("CommonData"))
    ET.SubElement(common, q("MaxUnitID")).text = str(ids.last)
    area = ET.SubElement(common, q("PageArea"))
    ET.SubElement(area, q("PhysicalBox")).text = f"0 0 {_num(g.page_w)} {_num(g.page_h)}"
    ET.SubElement(common, q("PublicRes")).text = "PublicRes.xml"
    if image_ids:
        ET.SubElement(common, q("DocumentRes")).text = "DocumentRes.xml"
    pages = ET.SubElement(document, q("Pages"))
    for page_id, loc in page_refs:
        ET.SubElement(pages, q("Page"), {"ID": page_id, "BaseLoc": loc})
    parts["Doc_0/Document.xml"] = _xml(document)
    parts["Doc_0/PublicRes.xml"] = _xml(public)
    if image_ids:
        parts["Doc_0/DocumentRes.xml"] = _xml(doc_res)

    ofd = ET.Element(q("OFD"), {"Version": "1.0", "DocType": "OFD"})
    body = ET.SubElement(ofd, q("DocBody"))
    info = ET.SubElement(body, q("DocInfo"))
    meta = core_metadata(doc)
    ET.SubElement(info, q("DocID")).text = _doc_id(doc)
    ET.SubElement(info, q("Title")).text = doc.title
    ET.SubElement(info, q("Author")).text = doc.organ_name
    if doc.date:
        ET.SubElement(info, q("CreationDate")).text = doc.date.isoformat()
    ET.SubElement(info, q("Creator")).text = "zhengban"
    custom = ET.SubElement(info, q("CustomDatas"))
    for name, value in meta.items():
        if value:
            ET.SubElement(custom, q("CustomData"), {"Name": name}).text = value
    ET.SubElement(body, q("DocRoot")).text = "Doc_0/Document.xml"
    for loc in (extra_parts or {}).get("signatures", []):
        ET.SubElement(body, q("Signatures")).text = loc
    parts = {"OFD.xml": _xml(ofd), **parts}
    for name, data in (extra_parts or {}).get("files", {}).items():
        parts[name] = data
    return zip_parts(parts)


def zip_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()


def _doc_id(doc: OfficialDocument) -> str:
    import hashlib

    seed = doc.identifier or f"{doc.number}|{doc.title}"
    return hashlib.new("sm3", seed.encode()).hexdigest()[:32]
