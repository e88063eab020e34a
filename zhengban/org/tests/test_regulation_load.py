import pytest

from zhengban.audit.models import AuditRecord
from zhengban.org.choices import DutyKind, OrganizationKind, UnitKind
from zhengban.org.models import Duty, LeadershipPost, Organization, StaffingQuota, Unit
from zhengban.org.regulation import source_label
from zhengban.org.services import RegulationLoadError, regulation_load

from .factories import MAIN_NAME, appoint, sample_text, unit_named

pytestmark = pytest.mark.django_db


def revised_text() -> str:
    """The sample with the kinds of change a new 三定 version brings."""
    text = sample_text()
    replacements = [
        # rename, duties unchanged
        ("(十八)新闻处。", "(十八)新闻宣传处。"),
        # a duty moves from 外经处 to 综合一处
        (";受理市长外商投诉咨询电话。", "。"),
        ("负责处理市长的群众来信。", "负责处理市长的群众来信;受理市长外商投诉咨询电话。"),
        # wording of a duty edited
        ("负责维护市政府机关工作秩序。", "负责维护市政府机关办公区域工作秩序。"),
        # a unit abolished and another created in its place
        (
            "(十三)科技处。\n负责对科技管理等方面工作进行综合、调研和协调督办;"
            "负责市政府分管领导批示件的督办和办理情况的反馈工作;"
            "办理市政府分管领导办公会议有关工作和领导交办的其他工作。",
            "(十三)数据资源处。\n负责全市政务数据资源的统筹规划、汇聚共享和开放利用。",
        ),
        # staffing reduced
        ("行政编制148名", "行政编制140名"),
        ("副处级领导职数15名", "副处级领导职数13名"),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_first_load_creates_the_organization_from_the_regulation():
    result = regulation_load(text=sample_text(), title="三定", actor=None)

    assert result.created
    main = result.organization
    assert main.name == MAIN_NAME and main.kind == OrganizationKind.MAIN
    assert main.rank == "正局级" and main.stated_unit_count == 26
    counted = Unit.objects.filter(organization=main, kind=UnitKind.INTERNAL)
    assert counted.count() == 26
    assert set(
        Unit.objects.filter(organization=main, kind=UnitKind.EXTRA).values_list("name", flat=True)
    ) == {"离退休干部处", "机关党委", "纪检组", "监察处"}
    assert set(unit_named("纪检组").merged_with.values_list("name", flat=True)) == {"监察处"}
    assert set(unit_named("监察处").merged_with.values_list("name", flat=True)) == {"纪检组"}
    attached = Organization.objects.filter(parent=main).order_by("order")
    assert [o.name for o in attached] == ["市政府参事室", "市政府应急管理办公室"]
    assert all(o.kind == OrganizationKind.ATTACHED for o in attached)
    assert unit_named("指挥联络处").other_names == ["总值班室"]
    quotas = dict(
        StaffingQuota.objects.filter(organization=main).values_list("category", "approved")
    )
    assert quotas == {"administrative": 148, "logistics": 111}
    posts = {(p.title, p.count) for p in LeadershipPost.objects.filter(organization=main)}
    assert ("正处级领导职数", 29) in posts and ("副处级领导职数", 15) in posts
    assert Duty.objects.filter(organization=main, kind=DutyKind.MAIN).count() == 12
    assert Duty.objects.filter(organization=main, kind=DutyKind.ADJUSTMENT).count() == 3
    assert AuditRecord.objects.filter(action="org.regulation_load").count() == 1


def test_every_duty_points_at_its_sentence_in_the_regulation():
    regulation_load(text=sample_text(), title="三定", actor=None)
    text = sample_text()
    duties = Duty.objects.exclude(regulation=None).select_related("regulation")
    assert duties.count() > 90
    for duty in duties:
        assert duty.regulation.source_text[duty.span_start : duty.span_end] == duty.text
    supervision = Duty.objects.filter(unit__name="市政府督查室").first()
    assert supervision.source_label == "第三部分 内设机构 (十九)"
    assert text[supervision.span_start :].startswith("负责对市政府各部门")
    retired = Duty.objects.get(unit__name="离退休干部处")
    # Listed after item (二十六) but not numbered: must not borrow that number.
    assert retired.source_label == "第三部分 内设机构"


def test_source_label_of_article_style_regulations():
    text = "第一条 总则。\n第五条 办公室设下列内设机构:\n(三)人事科。\n负责干部管理。"
    assert source_label(text, text.index("负责")) == "第五条 (三)"
    assert source_label(text, None) == ""


def test_loading_the_same_text_again_changes_nothing(main_org):
    before = Duty.objects.count(), Unit.objects.count()
    result = regulation_load(text=sample_text(), title="三定", actor=None, apply=True)

    assert not result.created and not result.changed and not result.applied
    assert (Duty.objects.count(), Unit.objects.count()) == before
    assert "无变化" in result.lines()[0]


def test_a_new_version_is_diffed_but_not_applied_without_apply(main_org):
    news = unit_named("新闻处")
    result = regulation_load(text=revised_text(), title="三定（修订）", actor=None)

    assert result.changed and not result.applied
    text = "\n".join(result.lines())
    assert "更名：新闻处 → 新闻宣传处" in text
    assert "新设机构：数据资源处" in text
    assert "撤销机构：科技处" in text
    assert "职责划转：「受理市长外商投诉咨询电话」由 外经处 划入 综合一处" in text
    assert (
        "职责修改（保卫处）：「负责维护市政府机关工作秩序」→「负责维护市政府机关办公区域工作秩序」"
        in text
    )
    assert "编制：行政编制 148名 → 140名" in text
    assert "领导职数：副处级 15名 → 13名" in text
    assert "--apply" in text
    # Nothing written.
    news.refresh_from_db()
    assert news.name == "新闻处"
    assert unit_named("科技处").active
    assert (
        StaffingQuota.objects.get(organization=main_org, category="administrative").approved == 148
    )


def test_applying_a_new_version_keeps_renamed_units_and_deactivates_removed_ones(main_org):
    news = unit_named("新闻处")
    science = unit_named("科技处")
    moved = Duty.objects.get(text="受理市长外商投诉咨询电话")
    appoint(main_org, science)  # people still reference the abolished unit

    result = regulation_load(text=revised_text(), title="三定（修订）", actor=None, apply=True)

    assert result.applied
    news.refresh_from_db()
    assert news.name == "新闻宣传处" and news.active
    science.refresh_from_db()
    assert not science.active  # kept, not deleted
    assert unit_named("数据资源处").organization == main_org
    moved.refresh_from_db()
    assert moved.unit.name == "综合一处"  # same row, moved
    assert moved.regulation == result.regulation
    assert moved.regulation.source_text[moved.span_start : moved.span_end] == moved.text
    assert Duty.objects.filter(text="负责维护市政府机关办公区域工作秩序").count() == 1
    assert not Duty.objects.filter(text="负责维护市政府机关工作秩序").exists()
    assert (
        StaffingQuota.objects.get(organization=main_org, category="administrative").approved == 140
    )
    assert LeadershipPost.objects.get(organization=main_org, title="副处级领导职数").count == 13
    assert (
        Unit.objects.filter(organization=main_org, kind=UnitKind.INTERNAL, active=True).count()
        == 26
    )
    main_org.refresh_from_db()
    assert main_org.regulation == result.regulation
    assert AuditRecord.objects.filter(action="org.regulation_apply").count() == 1
    # Applying the same version again is a no-op.
    again = regulation_load(text=revised_text(), title="三定（修订）", actor=None, apply=True)
    assert not again.changed and not again.applied


def test_a_swap_of_unit_names_does_not_trip_the_unique_name_constraint(main_org):
    text = sample_text()
    text = text.replace("(七)文教处。", "(七)@@。").replace("(八)农经处。", "(八)文教处。")
    text = text.replace("(七)@@。", "(七)农经处。")
    wenjiao, nongjing = unit_named("文教处"), unit_named("农经处")

    result = regulation_load(text=text, title="三定", actor=None, apply=True)

    assert result.applied
    wenjiao.refresh_from_db()
    nongjing.refresh_from_db()
    # Matched by name: the unit called 文教处 keeps that name, and takes the new duties.
    assert wenjiao.name == "文教处" and nongjing.name == "农经处"
    assert wenjiao.duties.filter(text__contains="农业、农村").exists()


def test_a_dropped_attached_office_is_deactivated(main_org):
    text = sample_text()
    start = text.index("(一)市政府参事室")
    end = text.index("(二)市政府应急管理办公室")
    text = text[:start] + text[end:].replace("(二)市政府应急", "(一)市政府应急", 1)

    result = regulation_load(text=text, title="三定", actor=None, apply=True)

    assert "撤销机构：市政府参事室（停用，保留历史数据）" in "\n".join(result.lines())
    office = Organization.objects.get(name="市政府参事室")
    assert not office.active
    assert not office.units.filter(active=True).exists()


@pytest.mark.parametrize("text", ["", "   \n", "这不是三定规定。"])
def test_bad_input_is_refused_with_one_line(text):
    with pytest.raises(RegulationLoadError) as error:
        regulation_load(text=text, title="x", actor=None)
    assert "\n" not in str(error.value) and str(error.value)
    assert not Organization.objects.exists()
