"""Archiving to DA/T 22-2015: retention proposal, 档号, the 归档章, transfer packages.

Retention periods follow 国家档案局令第8号 (永久 / 定期30年 / 定期10年). Which 定期 items are 30
and which are 10 years is fixed by each organ's own 保管期限表 (art. 12), so `RULES` is a
default table an office replaces with its own: first matching rule wins, and the archivist
may always override the proposal.

档号 = 全宗号-WS·年度-保管期限-机构(问题)代码-件号, e.g. 0194-WS·2026-D30-BGS-0001 (件号 four
digits, one gapless sequence per lowest class, drawn from the kernel's allocator).

A transfer package for a year is a folder
    {全宗号}-WS-{年度}/
        manifest.csv   manifest.xml   SM3SUMS
        {保管期限}/{机构}/{档号}/{档号}.pdf   {档号}.xml
where the manifests carry every descriptive field (归档文件目录: 序号, 档号, 文号, 责任者, 题名,
日期, 密级, 页数, 备注, plus 保管期限, 机构, 件号, 文种) and SM3SUMS the SM3 digest of every other
file. `verify_package` names every file that is missing, altered, unlisted or inconsistent.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from .content import OfficialDocument

RETENTION_NAMES = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}
POLICY_TYPES = {"决定", "命令", "令", "公告", "通告", "意见", "决议", "公报"}
MANIFEST_FIELDS = (
    "序号",
    "档号",
    "文号",
    "责任者",
    "题名",
    "日期",
    "密级",
    "页数",
    "备注",
    "保管期限",
    "机构",
    "件号",
    "文种",
    "文件",
    "SM3",
)


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


@dataclass(frozen=True)
class Proposal:
    retention: str
    basis: str


RULES = (
    (
        lambda d, incoming, important: not incoming and d.doc_type in POLICY_TYPES,
        "Y",
        "本机关制发的决策性、规范性文件（国家档案局令第8号第七条）",
    ),
    (
        lambda d, incoming, important: (
            d.doc_type == "纪要" and any(k in d.title for k in ("常务会议", "全体会议", "党组会议"))
        ),
        "Y",
        "本机关重要会议的纪要（第七条）",
    ),
    (
        lambda d, incoming, important: important and d.doc_type in ("请示", "批复", "报告", "函"),
        "Y",
        "重要问题的请示与批复、重要报告（第七条）",
    ),
    (
        lambda d, incoming, important: (
            d.doc_type == "报告" and any(k in d.title for k in ("年度", "总结", "统计"))
        ),
        "Y",
        "重要的年度工作报告、总结、统计（第七条）",
    ),
    (lambda d, incoming, important: important, "Y", "人工标注为重要的业务文件（第七条）"),
    (
        lambda d, incoming, important: incoming and d.doc_type in ("通知", "通报", "意见"),
        "D10",
        "上级和同级机关需要贯彻执行的一般性文件（第八条）",
    ),
    (
        lambda d, incoming, important: d.doc_type == "函",
        "D10",
        "同级和下级机关的一般性函件及本机关的复函（第八条）",
    ),
    (lambda d, incoming, important: True, "D30", "本机关一般性业务文件（第八条）"),
)


def propose_retention(
    doc: OfficialDocument, *, incoming: bool = False, important: bool = False
) -> Proposal:
    for predicate, retention, basis in RULES:
        if predicate(doc, incoming, important):
            return Proposal(retention, basis)
    return Proposal("D30", "")


def archival_code(*, fonds: str, year: int, retention: str, unit: str, item: int) -> str:
    if retention not in RETENTION_NAMES:
        raise ValueError(f"unknown retention {retention!r}")
    return f"{fonds}-WS·{year}-{retention}-{unit}-{item:04d}"


def pdf_page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# The 归档章's top edge on page 1, in mm: under the top margin of a GB/T 9704 document (its
# 版头 starts 37 mm down), or nearer the edge on a form whose title starts 22 mm down (the
# 收文处理笺, the 签报单), so the 16 mm stamp covers no text.
STAMP_TOP = 10.0
FORM_STAMP_TOP = 5.0
STAMP_HEIGHT = 16.0


def stamp_pdf(
    pdf: bytes,
    *,
    fonds: str,
    year: int,
    retention: str,
    unit: str,
    item: int,
    pages: int,
    top: float = STAMP_TOP,
) -> bytes:
    """Put the 归档章 in the upper blank area of page 1 (DA/T 22-2015 §5.4.3): 全宗号, 年度,
    件号 on the first row, 机构(问题), 保管期限, 页数 on the second, in red."""
    from pypdf import PdfReader, PdfWriter

    from .render.fonts import face
    from .render.layout import GEOMETRY, PT, Layout, Page, Rule, Run
    from .render.pdf import layout_to_pdf

    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    width_mm = float(first.mediabox.width) * PT
    cells = [
        [("全宗号", fonds), ("年度", str(year)), ("件号", f"{item:04d}")],
        [("机构", unit), ("保管期限", RETENTION_NAMES[retention]), ("页数", str(pages))],
    ]
    red = (230, 0, 18)
    f = face("fangsong")
    page = Page()
    cell_w, cell_h = 18.0, STAMP_HEIGHT / 2
    x0, y0 = width_mm - 26 - 3 * cell_w, top
    for r, row in enumerate(cells):
        for c, (label, value) in enumerate(row):
            x, y = x0 + c * cell_w, y0 + r * cell_h
            for x1, y1, x2, y2 in (
                (x, y, x + cell_w, y),
                (x, y + cell_h, x + cell_w, y + cell_h),
                (x, y, x, y + cell_h),
                (x + cell_w, y, x + cell_w, y + cell_h),
            ):
                page.rules.append(Rule(x1, y1, x2, y2, 0.3, red))
            for text, size, baseline, centre in (
                (label, 5 * PT, 2.6, False),
                (value, 8 * PT, 6.6, True),
            ):
                advances = [f.advance(ch) * size for ch in text]
                left = x + (cell_w - sum(advances)) / 2 if centre else x + 1
                page.runs.append(Run(left, y + baseline, "fangsong", size, text, advances, red))
    overlay_pdf = layout_to_pdf(Layout([page], GEOMETRY))
    overlay = PdfReader(io.BytesIO(overlay_pdf)).pages[0]
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- transfer packages ---------------------------------------------------------------------


def _item_fields(item, k: int) -> dict[str, str]:
    return {
        "序号": str(k),
        "档号": item.archival_code,
        "文号": item.document_number,
        "责任者": item.responsible,
        "题名": item.title,
        "日期": item.date.strftime("%Y%m%d"),
        "密级": item.secrecy,
        "页数": str(item.pages),
        "备注": item.note,
        "保管期限": RETENTION_NAMES.get(item.retention, item.retention),
        "机构": item.unit_code,
        "件号": f"{item.item_number:04d}",
        "文种": item.doc_type,
    }


SUMS, SUMS_TAG = "SM3SUMS", "SM3SUMS.hmac"


def build_package(items, out: Path, *, fonds: str, year: int, tag=None) -> Path:
    """Write the transfer package of `items` (ArchiveItem rows of one 全宗 and year). `tag`
    (bytes -> hex), the deployment's keyed HMAC-SM3, seals the checksum list: SM3SUMS alone
    shows accidental damage, its tag also a file changed and the list rewritten to match."""
    root = out / f"{fonds}-WS-{year}"
    root.mkdir(parents=True, exist_ok=False)
    rows = []
    for k, item in enumerate(items, 1):
        folder = root / item.retention / item.unit_code / item.archival_code
        folder.mkdir(parents=True)
        data = bytes(item.file)
        (folder / f"{item.archival_code}.pdf").write_bytes(data)
        fields = _item_fields(item, k)
        meta = ET.Element("归档文件", {"档号": item.archival_code})
        for name, value in fields.items():
            ET.SubElement(meta, name).text = value
        ET.indent(meta)
        (folder / f"{item.archival_code}.xml").write_bytes(
            ET.tostring(meta, encoding="UTF-8", xml_declaration=True)
        )
        rel = f"{item.retention}/{item.unit_code}/{item.archival_code}/{item.archival_code}.pdf"
        rows.append({**fields, "文件": rel, "SM3": sm3(data)})
    with (root / "manifest.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    manifest = ET.Element("移交清单", {"全宗号": fonds, "年度": str(year), "件数": str(len(rows))})
    for row in rows:
        el = ET.SubElement(manifest, "件")
        for name in MANIFEST_FIELDS:
            ET.SubElement(el, name).text = row[name]
    ET.indent(manifest)
    (root / "manifest.xml").write_bytes(
        ET.tostring(manifest, encoding="UTF-8", xml_declaration=True)
    )
    lines = [
        f"{sm3(path.read_bytes())}  {path.relative_to(root).as_posix()}"
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]
    sums = ("\n".join(lines) + "\n").encode("utf-8")
    (root / SUMS).write_bytes(sums)
    if tag is not None:
        (root / SUMS_TAG).write_text(tag(sums) + "\n", encoding="ascii")
    return root


@dataclass(frozen=True)
class PackageProblem:
    path: str
    message: str


def verify_package(root: Path, *, tag=None) -> list[PackageProblem]:
    """Every file that fails, with the reason; an empty list means the package is intact.
    Given `tag` (as to `build_package`), the checksum list must carry its keyed tag."""
    problems: list[PackageProblem] = []
    sums_path = root / SUMS
    if not sums_path.is_file():
        return [PackageProblem(SUMS, "缺少校验文件")]
    if tag is not None:
        problems.extend(_tag_problems(root, sums_path.read_bytes(), tag))
    listed: dict[str, str] = {}
    for n, line in enumerate(
        sums_path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
    ):
        digest, _, rel = line.partition("  ")
        if len(digest) != 64 or not rel:
            problems.append(PackageProblem("SM3SUMS", f"第{n}行格式错误"))
            continue
        listed[rel] = digest
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    present -= {SUMS, SUMS_TAG}
    for rel in sorted(listed):
        path = root / rel
        if rel not in present:
            problems.append(PackageProblem(rel, "文件缺失"))
        elif sm3(path.read_bytes()) != listed[rel]:
            problems.append(PackageProblem(rel, "SM3 校验值不符（文件被改动）"))
    for rel in sorted(present - set(listed)):
        problems.append(PackageProblem(rel, "不在校验清单中（多出的文件）"))
    problems.extend(_manifest_problems(root, present))
    return problems


def _tag_problems(root: Path, sums: bytes, tag) -> list[PackageProblem]:
    import hmac

    try:
        stored = (root / SUMS_TAG).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return [PackageProblem(SUMS_TAG, "缺少完整性标记")]
    if not hmac.compare_digest(stored, tag(sums)):
        return [
            PackageProblem(SUMS_TAG, "完整性标记不符（校验清单被改动，或不是本系统生成的移交包）")
        ]
    return []


def _manifest_problems(root: Path, present: set[str]) -> list[PackageProblem]:
    problems = []
    try:
        with (root / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
            csv_rows = {r["档号"]: r for r in csv.DictReader(fh)}
    except (OSError, KeyError, UnicodeDecodeError, csv.Error):
        return [PackageProblem("manifest.csv", "无法读取目录")]
    try:
        xml_rows = {
            el.findtext("档号"): {c.tag: c.text or "" for c in el}
            for el in ET.parse(root / "manifest.xml").getroot()
        }
    except (OSError, ET.ParseError):
        return [PackageProblem("manifest.xml", "无法读取目录")]
    for code in sorted(set(csv_rows) ^ set(xml_rows)):
        problems.append(PackageProblem("manifest.xml", f"{code} 只出现在一份目录中"))
    for code, row in sorted(csv_rows.items()):
        other = xml_rows.get(code)
        if other is not None and any(
            (other.get(k) or "") != (row.get(k) or "") for k in MANIFEST_FIELDS
        ):
            problems.append(
                PackageProblem("manifest.xml", f"{code} 的著录项与 manifest.csv 不一致")
            )
        rel = row.get("文件", "")
        if rel not in present:
            continue  # reported above as missing
        if sm3((root / rel).read_bytes()) != row.get("SM3"):
            problems.append(PackageProblem(rel, "与目录中的 SM3 校验值不符"))
    return problems
