"""Amending notices (调整通知) applied to a loaded organization as a reviewed diff."""

from pathlib import Path

import pytest

from zhengban.audit.models import AuditRecord
from zhengban.org.choices import DutyKind, UnitKind
from zhengban.org.models import Duty, LeadershipPost, Organization, Regulation, StaffingQuota, Unit
from zhengban.org.regulation import amended_candidates, organization_place
from zhengban.org.services import AmbiguousOrganization, RegulationLoadError, regulation_load

from .factories import MAIN_NAME, appoint, sample_text, unit_named

pytestmark = pytest.mark.django_db

UNSEEN = Path(__file__).resolve().parent / "data" / "sanding" / "unseen"

# Written in the style of the 编委 notices in data/sanding/unseen (t07, h05), for the seed.
NOTICE = """中共沈阳市委机构编制委员会

关于调整市政府办公厅职责机构编制的通知

沈编〔2012〕8号

市政府办公厅：

根据工作需要，经市委机构编制委员会研究同意，现将你厅职责机构编制调整事项通知如下：

一、职责调整

（一）将市政府办公厅承担的市政府门户网站日常维护职责划给市信息中心。

（二）加强市政府办公厅政务公开和政务服务工作的职责。

二、内设机构调整

增设政务公开处、数据资源处；撤销科技处，其职责并入工业处；新闻处更名为新闻宣传处；\
外经处更名为对外经济处。

调整后，市政府办公厅设27个内设机构。

三、人员编制调整

市政府办公厅机关行政编制由148名调整为150名，工勤人员编制111名不变；正处级领导职数调整为30名。

四、其他事项

其他职责、机构、编制事项仍按《沈阳市人民政府办公厅主要职责内设机构和人员编制规定》执行。

中共沈阳市委机构编制委员会办公室
2012年5月10日
"""


def quotas(organization) -> dict[str, int]:
    return dict(
        StaffingQuota.objects.filter(organization=organization).values_list("category", "approved")
    )


def internal_names(organization) -> list[str]:
    return list(
        Unit.objects.filter(organization=organization, kind=UnitKind.INTERNAL, active=True)
        .order_by("order")
        .values_list("name", flat=True)
    )


def test_a_notice_is_diffed_against_the_current_state_and_not_written_without_apply(main_org):
    before = (Unit.objects.count(), Duty.objects.count(), Regulation.objects.count())

    result = regulation_load(text=NOTICE, title="沈编〔2012〕8号", actor=None)

    assert result.amendment and result.changed and not result.applied
    assert result.organization == main_org
    lines = result.lines()
    assert lines[0] == f"{MAIN_NAME}：按调整通知应作以下变化："
    text = "\n".join(lines)
    for expected in (
        "更名：新闻处 → 新闻宣传处",
        "更名：外经处 → 对外经济处",
        "新设机构：政务公开处",
        "新设机构：数据资源处",
        "撤销机构：科技处（停用，不删除）",
        "新增职责（职责调整）：「加强市政府办公厅政务公开和政务服务工作的职责。」",
        "规定内设机构数：26 → 27",
        "编制：行政编制 148名 → 150名",
        "领导职数：正处级 29名 → 30名",
        "--apply",
    ):
        assert expected in text, expected
    # Only what the notice says: no duty of the loaded regulation changes or goes.
    assert "删除职责" not in text and "职责修改" not in text and "职责划转" not in text
    assert "工勤人员编制" not in text  # "111名不变"
    assert "相似度" not in text  # renames are stated, not guessed
    assert (Unit.objects.count(), Duty.objects.count(), Regulation.objects.count()) == before
    assert unit_named("新闻处") and unit_named("科技处")


def test_applying_a_notice_renames_in_place_adds_removes_and_replaces_quotas(main_org):
    news = unit_named("新闻处")
    science = unit_named("科技处")
    reporter = appoint(main_org, news, position="主任科员")
    news_duties = set(news.duties.values_list("pk", flat=True))
    base = main_org.regulation
    untouched = Duty.objects.get(
        unit__name="文电处", text__startswith="负责市政府、市政府办公厅发布"
    )

    result = regulation_load(text=NOTICE, title="沈编〔2012〕8号", actor=None, apply=True)

    assert result.applied
    news.refresh_from_db()
    assert news.name == "新闻宣传处" and news.active
    # The people and duties of a renamed unit stay with the same row.
    reporter.refresh_from_db()
    assert reporter.unit_id == news.pk and reporter.unit.name == "新闻宣传处"
    assert set(news.duties.values_list("pk", flat=True)) == news_duties
    assert unit_named("对外经济处").duties.filter(text__contains="外商投诉").exists()
    science.refresh_from_db()
    assert not science.active and science.duties.exists()  # kept as history
    names = internal_names(main_org)
    assert len(names) == 27
    assert names[-2:] == ["政务公开处", "数据资源处"]  # after the counted list
    assert "科技处" not in names and "新闻处" not in names
    assert set(
        Unit.objects.filter(organization=main_org, kind=UnitKind.EXTRA, active=True).values_list(
            "name", flat=True
        )
    ) == {"离退休干部处", "机关党委", "纪检组", "监察处"}
    assert set(unit_named("纪检组").merged_with.values_list("name", flat=True)) == {"监察处"}

    # The notice is its own regulation, linked to the one it amends.
    notice = result.regulation
    assert notice.amends == base and notice.title == "沈编〔2012〕8号"
    main_org.refresh_from_db()
    assert main_org.regulation == notice and main_org.stated_unit_count == 27
    added = Duty.objects.get(text="加强市政府办公厅政务公开和政务服务工作的职责。")
    assert added.kind == DutyKind.ADJUSTMENT and added.regulation == notice
    assert notice.source_text[added.span_start : added.span_end] == added.text
    assert added.source_label == "第一部分 职责调整 (二)"
    # Duties the notice does not touch keep pointing into the regulation they came from.
    untouched.refresh_from_db()
    assert untouched.regulation == base
    assert base.source_text[untouched.span_start : untouched.span_end] == untouched.text
    assert Duty.objects.filter(organization=main_org, kind=DutyKind.ADJUSTMENT).count() == 5

    assert quotas(main_org) == {"administrative": 150, "logistics": 111}
    assert LeadershipPost.objects.get(organization=main_org, title="正处级领导职数").count == 30
    assert LeadershipPost.objects.get(organization=main_org, title="副处级领导职数").count == 15
    # Attached offices are not part of the notice.
    office = Organization.objects.get(name="市政府参事室")
    assert office.regulation == base and quotas(office) == {"administrative": 11, "logistics": 1}

    record = AuditRecord.objects.get(action="org.regulation_amend")
    assert record.object_id == str(main_org.pk)
    assert "更名：新闻处 → 新闻宣传处" in record.changes["diff"]
    assert record.changes["amends"] == base.pk


def test_a_notice_applied_twice_changes_nothing_the_second_time(main_org):
    regulation_load(text=NOTICE, title="n", actor=None, apply=True)
    counts = (Unit.objects.count(), Duty.objects.count(), Regulation.objects.count())

    again = regulation_load(text=NOTICE, title="n", actor=None, apply=True)

    assert again.already_applied and not again.applied
    assert again.lines() == [f"{MAIN_NAME}：该调整通知已经应用，无变化。"]
    assert (Unit.objects.count(), Duty.objects.count(), Regulation.objects.count()) == counts
    assert AuditRecord.objects.filter(action="org.regulation_amend").count() == 1


def test_reloading_the_base_regulation_after_a_notice_shows_the_reversal(main_org):
    regulation_load(text=NOTICE, title="n", actor=None, apply=True)

    result = regulation_load(text=sample_text(), title="三定", actor=None)

    text = "\n".join(result.lines())
    assert "更名：新闻宣传处 → 新闻处" in text
    assert "撤销机构：政务公开处（停用，不删除）" in text
    assert "编制：行政编制 150名 → 148名" in text


def test_a_notice_for_an_organization_not_loaded_is_refused(main_org):
    text = (UNSEEN / "t07_qinghe-shi-shangwuju-tiaozheng-tongzhi.txt").read_text(encoding="utf-8")
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=text, title="清编〔2021〕17号", actor=None, apply=True)
    message = str(error.value)
    assert message == (
        "调整通知所调整的“市商务局”尚未载入，"
        "请先载入其《清河市商务局职能配置、内设机构和人员编制规定》。"
    )
    assert Regulation.objects.count() == 1


def test_a_notice_with_an_empty_database_is_refused(db):
    text = (UNSEEN / "h05_songling-xian-zirangju-tiaozheng.txt").read_text(encoding="utf-8")
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=text, title="x", actor=None)
    assert "“县自然资源局”尚未载入" in str(error.value)
    assert not Regulation.objects.exists()


def another_city(place: str) -> str:
    # Without its attached offices: organization names are unique across the database.
    text = sample_text().replace("沈阳", place)
    return text[: text.index("五、其他事项")]


def test_a_second_city_with_the_same_attached_office_names_is_refused(main_org):
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=sample_text().replace("沈阳", "铁岭"), title="铁岭", actor=None)
    assert str(error.value) == "挂靠机构“市政府参事室”与已载入的机构同名，不能载入。"
    assert Organization.objects.count() == 3


def test_a_name_several_organizations_fit_is_decided_by_the_place_or_refused(main_org):
    tieling = regulation_load(text=another_city("铁岭"), title="铁岭", actor=None).organization
    assert tieling.name == "铁岭市人民政府办公厅"

    # The issuer (中共沈阳市委…) and the amended title name the place: no ambiguity.
    result = regulation_load(text=NOTICE, title="n", actor=None)
    assert result.organization == main_org

    anonymous = NOTICE.replace("中共沈阳市委", "中共市委").replace(
        "《沈阳市人民政府办公厅主要职责内设机构和人员编制规定》", "原规定"
    )
    with pytest.raises(AmbiguousOrganization) as error:
        regulation_load(text=anonymous, title="n", actor=None, apply=True)
    assert error.value.candidates == [MAIN_NAME, "铁岭市人民政府办公厅"]
    assert str(error.value) == (
        "调整通知所调整的“市政府办公厅”对应多个已载入的机构："
        "沈阳市人民政府办公厅、铁岭市人民政府办公厅；请指定要调整的机构。"
    )
    assert Unit.objects.get(organization=main_org, name="新闻处", active=True)

    chosen = regulation_load(
        text=anonymous, title="n", actor=None, apply=True, organization="铁岭市人民政府办公厅"
    )
    assert chosen.applied and chosen.organization == tieling
    assert Unit.objects.get(organization=tieling, name="新闻宣传处").active
    assert Unit.objects.get(organization=main_org, name="新闻处").active


def test_a_title_of_another_place_rules_the_organization_out(main_org):
    other = NOTICE.replace("中共沈阳市委", "中共铁岭市委").replace(
        "《沈阳市人民政府办公厅", "《铁岭市人民政府办公厅"
    )
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=other, title="n", actor=None)
    assert "尚未载入" in str(error.value) and "铁岭市人民政府办公厅" in str(error.value)


def test_organization_names_compare_without_place_prefix_and_renmin():
    assert organization_place("沈阳市人民政府办公厅", "市政府办公厅") == "沈阳"
    assert organization_place("沈阳市人民政府办公厅", "沈阳市政府办公厅") == ""
    assert organization_place("清河市商务局", "市商务局") == "清河"
    assert organization_place("松嶺縣自然資源局", "县自然资源局") == "松岭"
    assert organization_place("沈阳市人民政府办公厅", "市商务局") is None
    assert organization_place("市开发区管理委员会", "开发区管理委员会") is None  # no level
    assert organization_place("沈阳市大东区商务局", "市商务局") is None
    names = ["清河市商务局", "青山市商务局", "市政府参事室"]
    assert amended_candidates("市商务局", names, "中共清河市委机构编制委员会", None) == [
        "清河市商务局"
    ]
    assert amended_candidates("市商务局", names, "中共市委", None) == names[:2]
    assert amended_candidates("市商务局", names, "", "青山市商务局职能配置规定") == ["青山市商务局"]


def test_a_reduced_quota_below_the_people_in_place_is_reported_and_not_applied(main_org):
    division = unit_named("文电处")
    for _ in range(3):
        appoint(main_org, division, category="logistics")
    reduced = NOTICE.replace("工勤人员编制111名不变", "工勤人员编制由111名核减为2名")

    shown = regulation_load(text=reduced, title="n", actor=None)
    assert shown.shortfalls == [f"{MAIN_NAME}工勤人员编制调整为2名，实有3名，超编1名"]
    assert "超编提示：" + shown.shortfalls[0] in shown.lines()

    refused = regulation_load(text=reduced, title="n", actor=None, apply=True)
    assert refused.blocked and not refused.applied
    assert "--accept-over-quota" in refused.lines()[-1]
    assert quotas(main_org)["logistics"] == 111
    assert unit_named("新闻处") and Regulation.objects.count() == 1

    accepted = regulation_load(
        text=reduced, title="n", actor=None, apply=True, accept_over_quota=True
    )
    assert accepted.applied
    assert quotas(main_org)["logistics"] == 2
    record = AuditRecord.objects.get(action="org.regulation_amend")
    assert record.changes["over_quota"] == shown.shortfalls


def test_a_post_count_below_its_holders_is_reported(main_org):
    post = LeadershipPost.objects.get(organization=main_org, title="副处级领导职数")
    for _ in range(2):
        appoint(main_org, unit_named("文电处"), post=post, position="副处长")
    text = NOTICE.replace("正处级领导职数调整为30名", "副处级领导职数调整为1名")

    result = regulation_load(text=text, title="n", actor=None, apply=True)

    assert result.blocked
    assert result.shortfalls == [f"{MAIN_NAME}副处级调整为1名，实有2名，超职数1名"]
    post.refresh_from_db()
    assert post.count == 15


def test_a_full_regulation_reducing_quotas_below_staffing_is_blocked_too(main_org):
    for _ in range(2):
        appoint(main_org, unit_named("文电处"))
    text = sample_text().replace("行政编制148名", "行政编制1名")

    result = regulation_load(text=text, title="三定", actor=None, apply=True)

    assert result.blocked and not result.applied
    assert quotas(main_org)["administrative"] == 148


def test_a_notice_that_does_not_fit_the_state_is_refused_with_the_reasons(main_org):
    wrong = NOTICE.replace("撤销科技处", "撤销体育处").replace("增设政务公开处", "增设文电处")
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=wrong, title="n", actor=None, apply=True)
    message = str(error.value)
    assert "\n" not in message
    assert "撤销的“体育处”不是沈阳市人民政府办公厅现有的机构" in message
    assert "增设的“文电处”已是沈阳市人民政府办公厅现有的机构" in message
    assert Regulation.objects.count() == 1 and unit_named("科技处")


def test_the_reviewed_digest_must_still_match_when_applying(main_org):
    reviewed = regulation_load(text=NOTICE, title="n", actor=None)
    # Someone else changes the organization in between.
    quota_only = (
        NOTICE[: NOTICE.index("一、职责调整")] + "市政府办公厅机关行政编制由148名调整为149名。\n"
    )
    assert regulation_load(text=quota_only, title="other", actor=None, apply=True).applied
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(
            text=NOTICE, title="n", actor=None, apply=True, expect_digest=reviewed.digest
        )
    assert "重新核对" in str(error.value)


def test_a_notice_restating_the_whole_list_abolishes_what_it_leaves_out(main_org):
    office = Organization.objects.get(name="市政府应急管理办公室")
    text = """中共沈阳市委机构编制委员会
关于调整市政府应急管理办公室职责机构编制的通知
市政府应急管理办公室：
一、职责调整
（一）加强市政府应急管理办公室应急预案管理职责。
二、内设机构调整
增设预案管理处；综合处加挂新闻发布办公室牌子。调整后，市政府应急管理办公室设下列3个内设机构：\
综合处、預案管理處、指挥联络处。
三、人员编制调整
市政府应急管理办公室行政编制由14名调整为16名。
"""
    result = regulation_load(text=text, title="n", actor=None, apply=True, organization=office.name)

    assert result.applied, result.lines()
    assert internal_names(office) == ["综合处", "预案管理处", "指挥联络处"]
    assert "核对提示：“协调保障处”未列入调整后的内设机构，按撤销处理" in result.lines()
    assert unit_named("综合处").other_names == ["新闻发布办公室"]
    assert "  加挂名称：综合处 — → 新闻发布办公室" in result.lines()
    assert unit_named("指挥联络处").other_names == ["总值班室"]
    assert quotas(office) == {"administrative": 16}
    assert not Unit.objects.get(organization=office, name="协调保障处").active


@pytest.mark.parametrize(
    "name",
    ["t07_qinghe-shi-shangwuju-tiaozheng-tongzhi.txt", "h05_songling-xian-zirangju-tiaozheng.txt"],
)
def test_unseen_notices_apply_to_a_regulation_written_for_them(db, name):
    """The evaluation notices against a minimal regulation of the body they amend."""
    text = (UNSEEN / name).read_text(encoding="utf-8")
    if name.startswith("t07"):
        body, units, staffing = (
            "清河市商务局",
            ["办公室", "对外贸易科", "外资管理科", "市场体系建设科", "政策法规科"]
            + [f"业务{n}科" for n in "一二三四五"],
            "市商务局机关行政编制34名，工勤人员编制3名。科级领导职数13名。",
        )
    else:
        body, units, staffing = (
            "松岭县自然资源局",
            ["办公室", "国土空间规划股", "村镇规划股", "地籍管理股", "耕地保护股"]
            + [f"业务{n}股" for n in "一二三四"],
            "县自然资源局机关行政编制20名，工勤人员编制3名。股级领导职数8名。",
        )
    numbers = "一二三四五六七八九十"
    regulation = (
        f"{body}主要职责内设机构和人员编制规定\n一、主要职责\n（一）负责本部门工作。\n"
        f"二、内设机构\n根据上述职责，设{len(units)}个内设机构：\n"
        + "".join(f"（{numbers[i]}）{u}。\n负责{u}工作。\n" for i, u in enumerate(units))
        + f"三、人员编制\n{staffing}\n"
    )
    loaded = regulation_load(text=regulation, title="规定", actor=None).organization
    assert loaded.name == body

    result = regulation_load(text=text, title="通知", actor=None, apply=True)

    assert result.applied, result.lines()
    loaded.refresh_from_db()
    names = internal_names(loaded)
    if name.startswith("t07"):
        assert "电子商务科" in names and "外资管理科" not in names
        assert "对外贸易和投资促进科" in names and "市场运行和消费促进科" in names
        assert len(names) == loaded.stated_unit_count == 10
        assert quotas(loaded) == {"administrative": 36, "logistics": 3}
    else:
        assert names[-1] == "林地管理股" and "村镇规划股" not in names
        assert "不动产登记股" in names and "国土空间规划股" in names
        assert len(names) == loaded.stated_unit_count == 9
        assert quotas(loaded) == {"administrative": 23, "logistics": 2}
    assert result.notes == []


def test_a_notice_in_traditional_characters_matches_units_written_in_simplified(db):
    """t08 (繁体, the whole list restated) against the same body loaded in simplified."""
    units = [
        "办公室",
        "人事科",
        "规划发展与信息化科",
        "财务审计科",
        "法规科",
        "体制改革科",
        "疾病预防控制科",
        "医政医管科",
        "基层卫生健康科",
        "妇幼健康科",
        "职业健康科",
        "老龄健康科",
        "综合监督科",
    ]
    numbers = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三"]
    regulation = (
        "广宁市卫生健康委员会主要职责内设机构和人员编制规定\n一、主要职责\n（一）负责卫生健康工作。\n"
        f"二、内设机构\n根据上述职责，设{len(units)}个内设机构：\n"
        + "".join(f"（{numbers[i]}）{u}。\n负责{u}工作。\n" for i, u in enumerate(units))
        + "三、人员编制\n市卫生健康委员会机关行政编制46名，工勤人员编制5名。\n"
    )
    loaded = regulation_load(text=regulation, title="规定", actor=None).organization
    kept = Unit.objects.get(organization=loaded, name="疾病预防控制科")
    text = (UNSEEN / "t08_guangning-shi-weijianwei-tiaozheng-fanti.txt").read_text(encoding="utf-8")

    result = regulation_load(text=text, title="廣編發〔2020〕9號", actor=None, apply=True)

    assert result.applied and result.organization == loaded, result.lines()
    assert result.notes == []  # every listed name found, none left out
    names = internal_names(loaded)
    assert len(names) == 14
    # Existing units keep their (simplified) names; the new one is as the notice writes it.
    assert names[:7] == units[:7] and names[7] == "公共衛生應急管理科" and names[8:] == units[7:]
    kept.refresh_from_db()
    assert kept.other_names == ["市愛國衛生運動委員會辦公室"]
    assert quotas(loaded) == {"administrative": 50, "logistics": 5}


def test_a_notice_giving_two_units_one_name_is_refused(main_org):
    clash = NOTICE.replace("外经处更名为对外经济处", "外经处更名为政务公开处")
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=clash, title="n", actor=None, apply=True)
    assert "调整后有两个名为“政务公开处”的机构" in str(error.value)
    assert unit_named("外经处") and Regulation.objects.count() == 1
