"""The 三定 parser on the reference regulation and on small targeted texts."""

import re
from pathlib import Path

import pytest

from zhengban.org.sanding import SandingError, decode_bytes, parse_regulation
from zhengban.org.sanding.numerals import to_int
from zhengban.org.sanding.staffing import parse_staffing

HERE = Path(__file__).parent
DATA = HERE / "data" / "sanding"
SEED_PATH = HERE.parent / "data" / "shenyang-general-office-2009.txt"
SEED = SEED_PATH.read_text(encoding="utf-8")


def read(name: str) -> str:
    return decode_bytes((DATA / name).read_bytes())


def unit(result: dict, name: str) -> dict:
    return next(u for u in result["units"] if u["name"] == name)


@pytest.fixture(scope="module")
def seed():
    return parse_regulation(SEED)


# --- the reference regulation ------------------------------------------------------------


def test_seed_sample_is_the_test_copy():
    assert read("shenyang-general-office-2009.txt") == SEED


def test_seed_top_level(seed):
    assert set(seed) >= {
        "organization", "rank", "adjustments", "duties", "duty_spans", "stated_unit_count",
        "units", "staffing", "attached", "warnings",
    }  # fmt: skip
    assert seed["organization"] == "沈阳市人民政府办公厅"
    assert seed["rank"] == "正局级"
    assert len(seed["adjustments"]) == 3
    assert len(seed["duties"]) == 12
    assert seed["duties"][9] == "联络新闻单位,对市政府有关工作进行宣传报道。"
    assert seed["stated_unit_count"] == 26
    assert seed["warnings"] == []


def test_seed_units(seed):
    counted = [u["name"] for u in seed["units"] if u["counted"]]
    extra = [u["name"] for u in seed["units"] if not u["counted"]]
    assert len(counted) == 26
    assert counted[0] == "秘书一处" and counted[-1] == "市打击走私综合治理办公室"
    assert extra == ["离退休干部处", "机关党委", "纪检组", "监察处"]
    assert unit(seed, "保卫处")["duties"] == [
        "负责市政府机关安全保卫、治安防范、消防及相关设施管理",
        "负责维护市政府机关工作秩序",
    ]


def test_seed_merged_offices(seed):
    assert unit(seed, "纪检组")["merged_with"] == ["监察处"]
    assert unit(seed, "监察处")["merged_with"] == ["纪检组"]
    assert unit(seed, "监察处")["duties"] == ["负责纪检和行政监察工作"]
    assert unit(seed, "机关党委")["merged_with"] == []


def test_seed_staffing(seed):
    staffing = seed["staffing"]
    assert (staffing["administrative"], staffing["logistics"]) == (148, 111)
    assert staffing["public_institution"] is None
    assert staffing["posts"] == [
        {"title": "主任", "grade": None, "count": 1},
        {"title": "副主任", "grade": None, "count": 3},
        {"title": "纪检组组长", "grade": None, "count": 1},
        {"title": "正处级领导职数", "grade": "正处级", "count": 29},
        {"title": "副处级领导职数", "grade": "副处级", "count": 15},
    ]


def test_seed_attached_offices(seed):
    counsellors, emergency = seed["attached"]
    assert counsellors["organization"] == "市政府参事室"
    assert counsellors["stated_unit_count"] == 2
    assert [u["name"] for u in counsellors["units"]] == ["秘书处", "参事业务处"]
    assert counsellors["staffing"]["administrative"] == 11
    assert counsellors["staffing"]["logistics"] == 1
    assert counsellors["staffing"]["posts"][0] == {"title": "主任", "grade": "副局级", "count": 1}
    assert emergency["organization"] == "市政府应急管理办公室"
    assert emergency["stated_unit_count"] == 3
    assert [u["name"] for u in emergency["units"]] == ["综合处", "指挥联络处", "协调保障处"]
    assert emergency["units"][1]["other_names"] == ["总值班室"]
    assert emergency["staffing"]["administrative"] == 14
    assert emergency["staffing"]["logistics"] is None
    assert sum(p["count"] for p in emergency["staffing"]["posts"]) == 7  # 6名(4正2副) once
    assert len(emergency["duties"]) == 2


def _located(text: str, value: str, span: list[int]) -> bool:
    return re.sub(r"\s", "", text[span[0] : span[1]]) == re.sub(r"\s", "", value)


@pytest.mark.parametrize(
    "name",
    [
        "shenyang-general-office-2009.txt",
        "s07_jiangyu-renshe-ju-web.txt",
        "22_shi-weijianju-2019-fanti.txt",
        "own/own06_jiahe-shi-bangongshi-fanti-banjiao.txt",
        "own/own04_haichuan-wenguang-ju-gb18030.txt",
    ],
)
def test_spans_point_at_the_source(name):
    text = read(name)
    result = parse_regulation(text)
    for key, spans in (("duties", "duty_spans"), ("adjustments", "adjustment_spans")):
        for value, span in zip(result[key], result[spans], strict=True):
            assert _located(text, value, span)
    for office in [result, *result["attached"]]:
        for u in office["units"]:
            assert text[u["name_span"][0] : u["name_span"][1]] == u["name"]
            assert u["span"][0] <= u["name_span"][0] < u["span"][1]
            for value, span in zip(u["duties"], u["duty_spans"], strict=True):
                assert _located(text, value, span)
                assert u["span"][0] <= span[0] <= span[1] <= u["span"][1] or office is not result


# --- inconsistencies are reported -------------------------------------------------------


def test_warning_when_a_stated_unit_is_missing():
    text = re.sub(r"\(二十六\)市打击走私综合治理办公室。\n[^\n]*\n", "", SEED)
    result = parse_regulation(text)
    assert "声明内设机构26个，实际列出25个" in result["warnings"]


def test_warning_for_numbering_gap_and_duplicate():
    text = SEED.replace("(二十一)保卫处。", "(二十二)保卫处。").replace("(七)文教处", "(七)文电处")
    warnings = parse_regulation(text)["warnings"]
    assert "内设机构编号不连续：第20项之后是第22项" in warnings
    assert "内设机构名称重复：文电处" in warnings


def test_warning_when_posts_exceed_quota():
    text = SEED.replace("机关行政编制148名", "机关行政编制40名")
    assert "领导职数合计49名，超过行政编制40名" in parse_regulation(text)["warnings"]


# --- forms of the family -------------------------------------------------------------------


def test_traditional_names_reported_as_written():
    result = parse_regulation(read("22_shi-weijianju-2019-fanti.txt"))
    assert [u["name"] for u in result["units"]][:3] == ["辦公室", "人事股", "規劃發展與信息化股"]
    assert unit(result, "體制改革股")["other_names"] == ["藥物政策與基本藥物制度股"]
    assert parse_regulation(read("02_guowuyuan-bangongting-2008-fanti.txt"))["organization"] == (
        "國務院辦公廳"
    )


def test_widths_do_not_matter():
    wide = SEED.translate(str.maketrans("(),:;", "（），：；"))
    a, b = parse_regulation(SEED), parse_regulation(wide)
    assert [u["name"] for u in a["units"]] == [u["name"] for u in b["units"]]
    assert a["staffing"] == b["staffing"]
    assert [u["span"] for u in a["units"]] == [u["span"] for u in b["units"]]
    assert b["adjustments"][0].endswith("，进一步发挥参谋助手和运转枢纽作用。")


def test_one_item_naming_several_units():
    result = parse_regulation(read("15_zhuhai-shi-zhengfu-bangongshi.txt"))
    names = [u["name"] for u in result["units"]]
    assert names[3:6] == ["综合一科", "综合二科", "综合三科"]
    assert unit(result, "综合一科")["duties"] == unit(result, "综合三科")["duties"]


def test_second_name_by_plaque():
    result = parse_regulation(read("s01_linjiang-yingjiju-2019.txt"))
    assert unit(result, "应急预案管理科")["other_names"] == ["应急指挥中心"]
    # 第七条 职责分工 lists no organs.
    assert not any("分工" in u["name"] for u in result["units"])


def test_merged_by_bracket():
    result = parse_regulation(read("own/own02_shuili-hangyun-bu-si.txt"))
    assert unit(result, "人事司")["merged_with"] == ["机关党委办公室"]


def test_page_break_inside_a_duty():
    result = parse_regulation(read("own/own07_yunze-shi-minzhengju-web.txt"))
    assert unit(result, "优抚安置科")["duties"][-1] == "指导烈士纪念设施的保护和管理工作"
    assert not any("[" in d for u in result["units"] for d in u["duties"])


INLINE = """某市档案局主要职责内设机构和人员编制规定
三、内设机构
根据上述职责，市档案局内设机构3个，即：办公室、业务指导科、保管利用科。
业务指导科负责全市档案工作的业务指导。
机关党支部负责局机关党建工作。
四、人员编制
市档案局机关行政编制十五名。其中：局长1名，副局长两名；科级领导职数3名。
"""


def test_inline_list_with_later_duties():
    result = parse_regulation(INLINE)
    assert result["organization"] == "某市档案局"
    assert result["stated_unit_count"] == 3
    assert [(u["name"], u["counted"]) for u in result["units"]] == [
        ("办公室", True),
        ("业务指导科", True),
        ("保管利用科", True),
        ("机关党支部", False),
    ]
    assert unit(result, "业务指导科")["duties"] == ["负责全市档案工作的业务指导"]
    assert result["staffing"]["administrative"] == 15
    assert sum(p["count"] for p in result["staffing"]["posts"]) == 6


COLON_PARAGRAPHS = """内设机构
办公室：负责机关文电、会务工作；负责机关财务。
业务科：负责业务指导工作。
机关党委：负责机关党群工作。
人员编制
行政编制8名。
"""


def test_colon_paragraphs_without_numbers():
    result = parse_regulation(COLON_PARAGRAPHS)
    assert [(u["name"], u["counted"]) for u in result["units"]] == [
        ("办公室", True),
        ("业务科", True),
        ("机关党委", False),
    ]
    assert unit(result, "办公室")["duties"] == ["负责机关文电、会务工作", "负责机关财务"]


def test_organs_listed_between_set_and_count():
    text = (
        "内设机构：县应急管理办公室设综合股、应急值守股2个股室。综合股负责应急预案。行政编制5名。"
    )
    result = parse_regulation(text)
    assert result["stated_unit_count"] == 2
    assert [u["name"] for u in result["units"]] == ["综合股", "应急值守股"]
    assert result["units"][0]["duties"] == ["负责应急预案"]


@pytest.mark.parametrize(
    ("text", "total", "posts"),
    [
        ("机关行政编制三十二名。设局长1名，副局长三名；科级领导职数14名（10正4副）。", 18, 3),
        ("行政编制14名，其中：专职副主任1名（副局级），处级领导职数6名(4正2副)。", 7, 2),
        ("行政编制20名。配备局长1名，副局长2名；正科级领导职数5名（正科级4名、副科级1名）。", 8, 3),
        ("行政编制二十名。其中：主任一名，副主任两名。", 3, 2),
    ],
)
def test_posts(text, total, posts):
    staffing = parse_staffing(text)
    assert sum(p["count"] for p in staffing["posts"]) == total
    assert len(staffing["posts"]) == posts


def test_post_grade_and_breakdown():
    posts = parse_staffing("其中：主任1名(副局级)，处级领导职数6名(4正2副)。")["posts"]
    assert posts == [
        {"title": "主任", "grade": "副局级", "count": 1},
        {"title": "处级领导职数", "grade": "处级", "count": 6},
    ]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("二十六", 26), ("一百四十八", 148), ("三十二", 32), ("两", 2), ("十", 10), ("十七", 17),
     ("一百零六", 106), ("148", 148), ("一〇六", 106), ("二百", 200), ("x", None), ("", None)],
)  # fmt: skip
def test_numerals(numeral, value):
    assert to_int(numeral) == value


# --- not a regulation ------------------------------------------------------------------


NOVEL = """第一章 山雨欲来
那年冬天，雪下得特别大。镇上的人都说，老李家的小儿子要回来了。
他站在车站门口，手里提着一个旧皮箱，望着远处灰白的山。
“回来就好。”母亲说。她的声音很轻，像是怕惊动了什么。
"""


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        NOVEL * 20,
        "The quick brown fox jumps over the lazy dog. " * 50,
        "<html><body><nav>首页 | 新闻 | 联系我们</nav><p>欢迎访问</p></body></html>",
        "（一）\n（二）\n一、\n二、\n",
        "主要职责",
    ],
)
def test_not_a_regulation(text):
    with pytest.raises(SandingError) as info:
        parse_regulation(text)
    assert "\n" not in str(info.value)


def test_only_str():
    with pytest.raises(SandingError):
        parse_regulation(b"bytes")  # type: ignore[arg-type]


# --- decoding ----------------------------------------------------------------------------


def test_decode_encodings():
    text = "沈阳市人民政府办公厅设26个内设机构"
    assert decode_bytes(text.encode()) == text
    assert decode_bytes(b"\xef\xbb\xbf" + text.encode()) == text
    assert decode_bytes(text.encode("gb18030")) == text
    assert decode_bytes(text.encode("utf-16")) == text
    assert decode_bytes("國務院辦公廳".encode("gb18030")) == "國務院辦公廳"


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02abc\x00", bytes(range(1, 32)) * 10, b"\x81", b"abc\xff\xfe\xfd\x80"],
)
def test_decode_rejects_binary(data):
    with pytest.raises(SandingError):
        decode_bytes(data)


def test_package_has_no_django_import():
    package = HERE.parent / "sanding"
    for source in package.glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+django", source.read_text(), re.M), source


GROUPED = """文化部主要职责内设机构和人员编制规定
一、职责调整
(一)取消的职责。
1.取消已由国务院公布取消的行政审批事项。
2.取消营业性演出、娱乐场所经营单位的年检。
(二)划入的职责。
将原国家文物局的部分职责划入文化部。
(三)加强的职责。
1.加强文化市场综合执法的指导职责。
二、主要职责
(一)研究拟订文化艺术方针政策。
(二)承办国务院交办的其他事项。
三、内设机构
根据上述职责,文化部设2个职能司(厅):
(一)办公厅。负责文电、会务、机要、档案等机关日常运转工作。
(二)人事司。承担人事管理、机构编制工作。
(三)机关党委。负责机关和在京直属单位的党群工作。
四、人员编制
文化部机关行政编制为285名。其中:部长1名、副部长4名,司局级领导职数37名。
"""


def test_grouped_adjustments_count_their_items():
    result = parse_regulation(GROUPED)
    assert result["adjustments"] == [
        "取消已由国务院公布取消的行政审批事项。",
        "取消营业性演出、娱乐场所经营单位的年检。",
        "将原国家文物局的部分职责划入文化部。",
        "加强文化市场综合执法的指导职责。",
    ]
    assert result["warnings"] == []


def test_numbered_party_committee_beyond_the_stated_count_is_extra():
    result = parse_regulation(GROUPED)
    assert [(u["name"], u["counted"]) for u in result["units"]] == [
        ("办公厅", True),
        ("人事司", True),
        ("机关党委", False),
    ]
    assert sum(p["count"] for p in result["staffing"]["posts"]) == 42


def test_attached_office_in_sub_items():
    result = parse_regulation(read("s03_qingyuan-xian-zhengfu-bangongshi.txt"))
    (office,) = result["attached"]
    assert office["organization"] == "青原县人民政府应急管理办公室"
    assert office["other_names"] == ["县政府总值班室"]
    assert office["rank"] == "副科级"
    assert len(office["duties"]) == 5
    assert [u["duties"] for u in office["units"]][1][0].startswith("承担县政府总值班室工作")
    # 联络处 "其机构编制事项另行规定" has no organs or quotas of its own: not attached.
    assert all("联络处" not in o["organization"] for o in result["attached"])


@pytest.mark.parametrize("joiner", [" ", ""])
def test_flattened_page(seed, joiner):
    """A copy that lost its line breaks still gives the sections, organs and quotas."""
    result = parse_regulation(SEED.replace("\n", joiner))
    assert len(result["adjustments"]) == 3
    assert len(result["duties"]) == 12
    assert result["stated_unit_count"] == 26
    counted = [u["name"] for u in result["units"] if u["counted"]]
    assert counted == [u["name"] for u in seed["units"] if u["counted"]]
    assert result["staffing"] == seed["staffing"]
    assert [len(a["units"]) for a in result["attached"]] == [2, 3]
    if joiner:
        assert [u["name"] for u in result["units"]] == [u["name"] for u in seed["units"]]


LABELLED = """三、内设机构
秘书股
主要职责：负责会议组织；负责文电处理。
安全监察股
主要职责：负责安全生产监察。
机关党支部
主要职责：负责机关党建工作。
四、人员编制
行政编制10名。
"""


def test_organ_name_lines_with_duty_labels():
    result = parse_regulation(LABELLED)
    assert [(u["name"], u["counted"], u["duties"]) for u in result["units"]] == [
        ("秘书股", True, ["负责会议组织", "负责文电处理"]),
        ("安全监察股", True, ["负责安全生产监察"]),
        ("机关党支部", False, ["负责机关党建工作"]),
    ]
    assert result["duties"] == []


def test_merged_note_about_listed_organs_adds_no_organ():
    text = (
        "三、内设机构\n(一)综合科。负责综合工作。\n(二)督查室。负责督查工作。\n"
        "督查室与综合科合署办公。\n四、人员编制\n行政编制5名。"
    )
    result = parse_regulation(text)
    assert [(u["name"], u["merged_with"]) for u in result["units"]] == [
        ("综合科", ["督查室"]),
        ("督查室", ["综合科"]),
    ]
