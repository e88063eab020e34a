"""The index built from the database, and its per-process cache."""

import pytest

from zhengban.org.models import Duty, Organization
from zhengban.routing import selectors
from zhengban.routing.engine import RoutingIndex

from .factories import make_external_unit, unit_named


@pytest.mark.django_db
def test_no_organization_means_no_router():
    with pytest.raises(selectors.RoutingUnavailable):
        selectors.routing_index()


@pytest.mark.django_db
def test_targets_cover_internal_extra_attached_and_external_units(office):
    make_external_unit("市教育局", ["负责全市中小学教育和招生考试工作"])
    index = selectors.build_index_from_db()
    names = [t.name for t in index.targets]
    assert "秘书一处" in names and "离退休干部处" in names
    # 合署办公: one target for 纪检组 and 监察处.
    assert "纪检组、监察处" in names and "纪检组" not in names
    emergency = Organization.objects.get(name="市政府应急管理办公室")
    office_target = next(t for t in index.targets if t.key == f"o{emergency.pk}")
    assert office_target.kind == "attached" and len(office_target.sentences) == 2
    room = next(t for t in index.targets if t.name == "市政府应急管理办公室/指挥联络处")
    assert room.parent == office_target.key and "总值班室" in room.other_names
    external = next(t for t in index.targets if t.name == "市教育局")
    assert external.kind == "external"
    match = index.route("关于中小学招生考试工作的请示", top=5)
    assert "市教育局" in [m.name for m in match]
    assert index.route("关于中小学招生考试工作的请示", kinds=("external",))[0].name == "市教育局"
    # The office's 主要职责 feed the units they match: (七) 总值班 goes to the duty room.
    assert any("人大代表建议、政协提案的办理" in s for s in _sentences(index, "秘书二处"))


def _sentences(index: RoutingIndex, name: str) -> list[str]:
    i = next(i for i, t in enumerate(index.targets) if t.name == name)
    return [doc.text for doc in index.docs if any(owner == i for owner, _w in doc.owners)]


@pytest.mark.django_db
def test_the_index_is_cached_until_units_duties_or_corrections_change(
    office, django_assert_num_queries
):
    first = selectors.routing_index()
    with django_assert_num_queries(1):  # the fingerprint only
        assert selectors.routing_index() is first
    unit = unit_named("农经处")
    Duty.objects.create(organization=office, unit=unit, kind="unit", text="负责冰雪运动推广工作")
    second = selectors.routing_index()
    assert second is not first
    assert selectors.route_text("冰雪运动推广")[0].name == "农经处"
    unit.name = "农村经济处"
    unit.save(update_fields=["name"])
    assert selectors.route_text("冰雪运动推广")[0].name == "农村经济处"
    unit.active = False
    unit.save(update_fields=["active"])
    assert "农村经济处" not in [m.name for m in selectors.route_text("农村", top=10)]


@pytest.mark.django_db
def test_a_directory_unit_that_is_a_catalogue_department_gets_its_everyday_words(office):
    labour = make_external_unit("沈阳市人力资源和社会保障局", ["负责劳动保障监察工作"])
    make_external_unit("和平区人民政府", ["管理本行政区域内的经济和社会事务"])
    selectors.invalidate()
    text = "包工头跑了，我干了八个月的工钱一分没拿到"
    [external] = selectors.route_text(text, top=1, scope="external")
    assert external.key == f"u{labour.pk}" and external.kind == "external"
    [internal] = selectors.route_text(text, top=1, scope="internal")
    assert internal.name == "流通处" and internal.via == "市人力资源和社会保障局"
    # The directory is what can be chosen: catalogue departments without a unit are not.
    keys = {t.key for t in selectors.routing_index().targets}
    assert all(key[0] in "uo" for key in keys)
    # A district named in the text is preferred among the handling units.
    assert selectors.route_text("和平区关于辖区经济运行的报告", scope="external")[0].name == (
        "和平区人民政府"
    )
