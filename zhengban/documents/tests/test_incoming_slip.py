"""The 收文处理笺 (processing slip) PDF, opened with pypdf: A4, fonts embedded, the title,
and each value in its labelled cell; a long 领导批示 continues on the next page."""

import io

import pytest
from pypdf import PdfReader

from zhengban.documents.render.slip import Signed, Slip, render_slip

MM = 72 / 25.4
ORGAN = "沈阳市人民政府办公厅"
LABELS = (
    "来文机关",
    "来文字号",
    "收文编号",
    "收文日期",
    "密级",
    "紧急程度",
    "文种",
    "份数",
    "标题",
    "拟办意见",
    "领导批示",
    "承办单位",
    "办理结果",
    "传阅",
    "备注",
)


def slip(**overrides) -> Slip:
    values = {
        "organ": ORGAN,
        "sender": "辽宁省人民政府办公厅",
        "sender_number": "辽政办发〔2026〕12号",
        "number": "收〔2026〕5号",
        "received_on": "2026-12-04",
        "secrecy": "无",
        "urgency": "加急",
        "doc_type": "通知",
        "copies": "2份（每份3页）",
        "title": "辽宁省人民政府办公厅关于做好冬季安全生产工作的通知",
        "proposal": [Signed("拟请王秘书长、李副市长阅示。", "张文书", "2026-12-04")],
        "instructions": [
            Signed("请农经处牵头办理。", "王秘书长", "2026-12-04", "办理期限：2026-12-18"),
            Signed("同意。", "李副市长", "2026-12-05", "列入督办"),
        ],
        "units": "主办：农经处；协办：市应急管理局",
        "results": [Signed("已部署全市检查。", "农经处", "2026-12-10")],
        "readers": ["赵主任（已阅 12-05 10:20）", "钱处长（未阅）"],
        "remarks": "原件存文电处。",
        "printed": "2026-12-04 10:00",
    }
    values.update(overrides)
    return Slip(**values)


def runs(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of every text run, in mm from the page's top-left corner."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4] / MM, 297 - tm[5] / MM))

    page.extract_text(visitor_text=visit)
    return found


def cell_text(found, label) -> str:
    """The text right of `label` on its row (within the row's first lines)."""
    label_run = next(r for r in found if r[0] == label)
    _text, x, y = label_run
    return "".join(
        t
        for t, tx, ty in sorted(found, key=lambda r: (round(r[2]), r[1]))
        if tx > x + 5 and abs(ty - y) < 6
    )


@pytest.fixture(scope="module")
def reader():
    return PdfReader(io.BytesIO(render_slip(slip())))


def test_a4_with_embedded_fonts(reader):
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) / MM - 210) < 0.1 and abs(float(box.height) / MM - 297) < 0.1
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    assert fonts
    for font in fonts:
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile2", "/FontFile3"))
        assert "+" in str(font["/BaseFont"])  # an embedded subset
    assert reader.metadata.title == f"{ORGAN}收文处理笺"


def test_each_value_in_its_cell(reader):
    found = runs(reader.pages[0])
    texts = [t for t, _x, _y in found]
    assert f"{ORGAN}收文处理笺" in texts
    for label in LABELS:
        assert label in texts, label
    assert cell_text(found, "来文机关").startswith("辽宁省人民政府办公厅")
    assert "辽政办发〔2026〕12号" in cell_text(found, "来文字号")
    assert "收〔2026〕5号" in cell_text(found, "收文编号")
    assert "2026-12-04" in cell_text(found, "收文日期")
    assert cell_text(found, "密级").startswith("无")
    assert "加急" in cell_text(found, "紧急程度")
    assert "2份（每份3页）" in cell_text(found, "份数")
    assert "冬季安全生产工作的通知" in cell_text(found, "标题")
    assert "主办：农经处；协办：市应急管理局" in cell_text(found, "承办单位")
    assert "赵主任（已阅" in cell_text(found, "传阅") and "钱处长（未阅）" in cell_text(
        found, "传阅"
    )
    assert "原件存文电处。" in cell_text(found, "备注")
    # The 批示 in order, each signed and dated below its text; notes with them.
    y = {t: ty for t, _x, ty in found}
    assert y["请农经处牵头办理。"] < y["王秘书长"] < y["同意。"] < y["李副市长"]
    assert "列入督办" in texts and "办理期限：2026-12-18" in texts
    assert y["领导批示"] < y["同意。"] < y["承办单位"]
    # 拟办意见 with the clerk and the date.
    assert "张文书" in texts and y["拟办意见"] - 15 < y["张文书"] < y["领导批示"]


def test_a_long_row_continues_on_the_next_page():
    many = [Signed(f"第{n}条批示意见。", f"领导{n}", "2026-12-05") for n in range(1, 31)]
    reader = PdfReader(io.BytesIO(render_slip(slip(instructions=many))))
    assert len(reader.pages) >= 2
    first, second = (runs(p) for p in reader.pages[:2])
    second_texts = [t for t, _x, _y in second]
    assert f"{ORGAN}收文处理笺（续）" in second_texts
    assert second_texts[1:3] == ["领导批示", "（续）"]  # the label, marked continued
    assert f"第1页，共{len(reader.pages)}页" in [t for t, _x, _y in first]
    # Every 批示 printed once, in order, across the pages.
    order = [t for p in reader.pages for t, _x, _y in runs(p) if t.startswith("第") and "条" in t]
    assert order == [f"第{n}条批示意见。" for n in range(1, 31)]
    all_text = [t for p in reader.pages for t, _x, _y in runs(p)]
    assert "备注" in all_text and all_text.count("领导30") == 1
