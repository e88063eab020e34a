"""The 三定 parser on the document families of issue 10, one class at a time.

Fragments that start inside 主要职责, organs named after the counted list, the first organ
on the heading line, amending notices read as a diff, and staffing in sentences that name
other bodies. Small texts; the whole documents are in data/sanding/unseen/.
"""

from zhengban.org.sanding import parse_regulation

TITLE = "江北市统计局主要职责内设机构和人员编制规定\n设立江北市统计局，为市政府工作部门，正处级。\n"
DUTIES = "二、主要职责\n（一）负责全市统计工作。\n（二）组织实施普查。\n"
UNITS = (
    "三、内设机构\n根据上述职责，市统计局设3个内设机构：\n"
    "（一）办公室。负责机关日常运转。\n（二）综合科。负责综合统计。\n（三）普查科。负责普查。\n"
)
STAFF = "四、人员编制\n市统计局机关行政编制12名，工勤人员编制1名。局长1名，副局长2名。\n"


def names(result: dict, counted: bool) -> list[str]:
    return [u["name"] for u in result["units"] if u["counted"] == counted]


# --- fragments starting inside 主要职责 ------------------------------------------------------


def test_numbered_duties_before_the_organ_list_are_duties():
    text = "（三）负责统计执法。\n（四）负责统计信息发布。\n（五）承办交办的其他事项。\n" + UNITS
    result = parse_regulation(text)
    assert result["duties"] == ["负责统计执法。", "负责统计信息发布。", "承办交办的其他事项。"]
    assert result["duty_spans"][0] == [3, 10]
    assert any("第2项及以前不在文本中" in w for w in result["warnings"])
    assert names(result, counted=True) == ["办公室", "综合科", "普查科"]


def test_numbered_items_not_followed_by_organs_or_staffing_are_not_duties():
    text = (
        UNITS
        + STAFF
        + "（一）所属事业单位的机构编制事项另行规定。\n（二）本规定由市编办负责解释。\n"
    )
    result = parse_regulation(text)
    assert result["duties"] == []
    assert not any("主要职责" in w for w in result["warnings"])


def test_page_title_names_the_organization_of_a_fragment():
    text = "东林市统计局职能（第2页）\n2.负责统计工作。\n3.负责普查工作。\n" + UNITS
    result = parse_regulation(text)
    assert result["organization"] == "东林市统计局"
    assert len(result["duties"]) == 2


# --- organs named after the counted list -----------------------------------------------------


def test_organs_stated_in_sentences_after_the_list_are_extra_units():
    after = (
        "机关党委负责机关党群工作。离退休干部工作由办公室承担。纪检监察机构按有关规定设置。"
        "离退休干部科负责离退休干部工作。\n"
    )
    result = parse_regulation(TITLE + DUTIES + UNITS + after + STAFF)
    assert names(result, counted=False) == ["机关党委", "纪检监察机构", "离退休干部科"]
    retirees = next(u for u in result["units"] if u["name"] == "离退休干部科")
    assert retirees["duties"] == ["负责离退休干部工作"]
    party, discipline = result["units"][-3:-1]
    assert party["duties"] == ["负责机关党群工作", "离退休干部工作由办公室承担"]
    assert discipline["duties"] == []  # "按有关规定设置" is no duty
    start = discipline["span"][0]
    assert (TITLE + DUTIES + UNITS + after).startswith("纪检监察机构", start)


def test_bodies_beside_the_organization_are_not_internal_organs():
    after = (
        "机关党委负责机关党群工作。\n市统计调查队归口市统计局管理。\n"
        "市普查中心由市统计局管理，挂市统计数据中心牌子。\n"
        "市统计执法支队为市统计局派出机构。\n"
    )
    result = parse_regulation(TITLE + DUTIES + UNITS + after + STAFF)
    assert names(result, counted=False) == ["机关党委"]
    assert result["units"][-1]["duties"] == ["负责机关党群工作"]


def test_another_set_organ_keeps_its_name():
    result = parse_regulation(TITLE + DUTIES + UNITS + "另设机关党委，负责机关党群工作。\n" + STAFF)
    assert names(result, counted=False) == ["机关党委"]


def test_a_name_joined_with_he_is_one_organ_unless_both_halves_are_organs():
    units = (
        "三、内设机构\n（一）数字社会和数字政府处。负责数字政府建设。\n"
        "（二）对外贸易科。负责对外贸易。\n"
        "纪检组与监察处合署办公，负责纪检监察工作。\n"
    )
    result = parse_regulation(TITLE + DUTIES + units + STAFF)
    assert names(result, counted=True) == ["数字社会和数字政府处", "对外贸易科"]
    assert names(result, counted=False) == ["纪检组", "监察处"]


# --- the first organ on the heading line --------------------------------------------------


def test_first_organ_after_a_list_intro_on_the_heading_line():
    units = (
        "第四条 内设机构。市统计局设下列内设机构：办公室。负责机关日常运转。\n"
        "综合科。负责综合统计。\n普查科。负责普查。\n"
    )
    result = parse_regulation(TITLE + DUTIES + units + STAFF)
    assert names(result, counted=True) == ["办公室", "综合科", "普查科"]
    assert result["units"][0]["duties"] == ["负责机关日常运转"]


def test_first_organ_after_a_count_sentence_on_the_heading_line():
    units = (
        "三、内设机构：市统计局设3个内设机构。办公室：负责机关日常运转。\n"
        "综合科：负责综合统计。\n普查科：负责普查。\n"
    )
    result = parse_regulation(TITLE + DUTIES + units + STAFF)
    assert result["stated_unit_count"] == 3
    assert names(result, counted=True) == ["办公室", "综合科", "普查科"]
    assert result["warnings"] == []


def test_count_in_brackets_after_the_heading():
    units = (
        "三、内设机构（3个）\n1.办公室：负责日常运转。\n2.综合科：负责综合统计。\n"
        "3.普查科：负责普查。\n"
    )
    result = parse_regulation(TITLE + DUTIES + units + STAFF)
    assert result["stated_unit_count"] == 3


# --- amending notices ---------------------------------------------------------------------

NOTICE = """中共清河市委机构编制委员会
关于调整市商务局职责机构编制的通知
市商务局：
经研究，现将你局职责机构编制调整事项通知如下：
一、职责调整
（一）将市发展和改革委员会承担的散装水泥管理职责划入市商务局。
（二）加强统筹推进电子商务发展的职责。
二、内设机构调整
增设电子商务科；撤销外资管理科，其职责并入对外贸易科；市场体系建设科更名为市场运行科。
将统计科和信息科合并，组建统计信息科。
调整后，市商务局设10个内设机构。
三、人员编制调整
从市发展和改革委员会划转行政编制2名至市商务局。调整后，市商务局机关行政编制为36名，工勤人员编制由4名调整为3名；科级领导职数调整为14名（10正4副）。
其他事项仍按《清河市商务局职能配置、内设机构和人员编制规定》执行。
"""


def test_amending_notice_is_read_as_a_diff():
    result = parse_regulation(NOTICE)
    assert result["kind"] == "amendment"
    assert result["organization"] == "市商务局"
    assert len(result["adjustments"]) == 2
    assert result["duties"] == []
    assert result["stated_unit_count"] == 10
    assert result["amendment"] == {
        "amends": "清河市商务局职能配置、内设机构和人员编制规定",
        "units_added": ["电子商务科", "统计信息科"],
        "units_removed": ["外资管理科", "统计科", "信息科"],
        "units_renamed": [{"from": "市场体系建设科", "to": "市场运行科"}],
        "full_list": False,
    }
    assert [(u["name"], u["change"]) for u in result["units"]] == [
        ("电子商务科", "added"),
        ("市场运行科", "renamed"),
        ("统计信息科", "added"),
    ]
    staffing = result["staffing"]
    assert (staffing["administrative"], staffing["logistics"]) == (36, 3)
    assert [(p["title"], p["count"]) for p in staffing["posts"]] == [("科级领导职数", 14)]
    # The notice lists only what changes: no "声明10个，实际列出3个" warning.
    assert result["warnings"] == []


def test_amending_notice_with_the_whole_new_list():
    notice = (
        "关于县统计局调整内设机构的批复\n县统计局：\n经研究，同意增设数据管理股；"
        "普查股加挂经济普查办公室牌子。调整后，县统计局设下列3个内设机构：办公室、普查股、数据管理股。\n"
        "县统计局机关行政编制由8名调整为9名。\n"
    )
    result = parse_regulation(notice)
    assert result["kind"] == "amendment"
    assert result["organization"] == "县统计局"
    assert [(u["name"], u["change"]) for u in result["units"]] == [
        ("办公室", "kept"),
        ("普查股", "kept"),
        ("数据管理股", "added"),
    ]
    assert result["units"][1]["other_names"] == ["经济普查办公室"]
    assert result["amendment"]["full_list"] is True
    assert result["staffing"]["administrative"] == 9


def test_a_change_the_parser_cannot_read_is_a_warning():
    notice = (
        "关于调整县统计局内设机构的通知\n县统计局：\n一、内设机构调整\n"
        "撤销有关科室。增设数据管理股。\n"
    )
    result = parse_regulation(notice)
    assert result["amendment"]["units_added"] == ["数据管理股"]
    assert "未能识别的机构调整：撤销有关科室" in result["warnings"]


def test_a_regulation_is_kind_regulation_without_a_diff():
    result = parse_regulation(TITLE + DUTIES + UNITS + STAFF)
    assert result["kind"] == "regulation"
    assert result["amendment"] is None
    assert all("change" not in u for u in result["units"])


# --- staffing in sentences that name other bodies ---------------------------------------


def test_the_organizations_own_quota_among_a_joint_total():
    staff = (
        "四、人员编制\n市统计局与市普查中心共核定机关行政编制30名，其中市统计局机关行政编制"
        "22名、市普查中心机关行政编制8名。\n"
    )
    result = parse_regulation(TITLE + DUTIES + UNITS + staff)
    assert result["staffing"]["administrative"] == 22
    assert not any("人员编制" in w for w in result["warnings"])


def test_a_choice_among_quotas_without_the_organizations_name_is_a_warning():
    staff = (
        "四、人员编制\n市统计局与市普查中心共核定机关行政编制30名，其中市统计局20名、"
        "市普查中心行政编制10名。\n"
    )
    result = parse_regulation(DUTIES + UNITS + staff)
    assert result["staffing"]["administrative"] == 30
    assert "人员编制：行政编制有多个数字（另有10名），取30名" in result["warnings"]


def test_shares_of_a_quota_are_not_leadership_posts():
    staff = (
        "四、人员编制\n市统计局（含市普查中心）机关行政编制合计20名，其中市普查中心6名。"
        "局长1名，副局长2名；科级领导职数5名。\n"
    )
    result = parse_regulation(TITLE + DUTIES + UNITS + staff)
    assert result["staffing"]["administrative"] == 20
    assert [p["count"] for p in result["staffing"]["posts"]] == [1, 2, 5]


def test_quota_in_the_founding_article_keeps_the_rank():
    text = (
        "第一条 兰溪县医疗保障局是县政府工作部门，为正科级，核定机关行政编制10名。\n"
        "第二条 县医疗保障局设下列内设机构：\n（一）办公室。负责日常运转。\n"
        "（二）基金监管股。负责基金监管。\n"
    )
    result = parse_regulation(text)
    assert result["rank"] == "正科级"
    assert result["staffing"]["administrative"] == 10


def test_quota_under_other_matters_only_when_it_names_the_organization():
    other = "五、其他事项\n（一）市统计局与市统计调查队合署办公，核定市统计局机关行政编制12名。\n"
    result = parse_regulation(TITLE + DUTIES + UNITS + other)
    assert result["staffing"]["administrative"] == 12
    attached = (
        "五、其他事项\n（一）市普查办公室设在市统计局，内设机构2个，即：综合科、业务科。"
        "行政编制6名。\n"
    )
    result = parse_regulation(TITLE + DUTIES + UNITS + attached)
    assert result["staffing"]["administrative"] is None
    assert result["attached"][0]["staffing"]["administrative"] == 6
