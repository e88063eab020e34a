"""The router engine on the seed regulation, without the database."""

import json

import pytest

from zhengban.routing.engine import Learned, RoutingIndex, Target, _parts, tokenize, tokenizer
from zhengban.routing.evaluation import FIXTURE, load_fixture
from zhengban.routing.regulation import (
    read_structure,
    structure_from_parsed,
    targets_from_structure,
)

from .factories import seed_index, seed_text

EMERGENCY = "市政府应急管理办公室"
DUTY_ROOM = "市政府应急管理办公室/指挥联络处"


def top(text: str, n: int = 1) -> list[str]:
    return [m.key for m in seed_index().route(text, top=n)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("关于做好今冬明春农村饮水安全工作的通知", {"农经处"}),
        ("张某某代表关于加快老旧小区改造的人大代表建议", {"秘书二处"}),
        ("市政协委员关于发展冰雪旅游的提案", {"秘书二处"}),
        ("省政府办公厅密码电报：关于做好春运工作的紧急通知", {"电子政务处"}),
        ("关于某区化工厂发生爆炸事故的紧急报告", {EMERGENCY, DUTY_ROOM}),
        ("关于做好春节期间市政府总值班工作的通知", {EMERGENCY, DUTY_ROOM}),
        ("市长信箱来信：反映小区物业乱收费问题", {"综合一处"}),
        ("公民申请公开某地块房屋征收批复文件", {"电子政务处"}),
        ("关于开展打击成品油走私专项行动的通知", {"市打击走私综合治理办公室"}),
    ],
)
def test_seed_examples_route_to_the_responsible_unit(text, expected):
    assert top(text)[0] in expected


def test_the_reason_is_the_duty_sentence_with_the_matched_words():
    match = seed_index().route("关于做好今冬明春农村饮水安全工作的通知")[0]
    assert match.name == "农经处"
    assert match.because[0] == "负责对农业、农村等方面工作进行综合、调研和协调督办"
    assert "农村" in match.terms
    assert match.score > 0


def test_boilerplate_repeated_across_units_is_left_out():
    index = seed_index()
    assert "负责市政府分管领导批示件的督办和办理情况的反馈工作" in index.boilerplate
    # A 批示件 is routed by its topic, and the reason is the topical duty, not boilerplate.
    match = index.route("分管副市长在市农委报告上的批示件")[0]
    assert match.name == "农经处"
    assert all("批示件的督办" not in sentence for sentence in match.because)


def test_a_unit_named_in_the_text_is_preferred_and_names_do_not_overlap():
    assert top("请督查室牵头研究") == ["市政府督查室"]
    assert top("金融信息处报送材料", 3)[0] == "金融信息处"
    assert "信息处" not in top("金融信息处", 3)[:1]


def test_attached_office_organs_inherit_the_office_duties():
    index = seed_index()
    room = next(t for t in index.targets if t.key == DUTY_ROOM)
    assert room.parent == EMERGENCY and room.other_names == ("总值班室",)
    # The duty-room organ gets the 值守/突发事件 sentence at a high weight, the others lower.
    answer = top("关于汛期值班值守工作的通知", 4)
    assert answer[:2] == [EMERGENCY, DUTY_ROOM] or answer[:2] == [DUTY_ROOM, EMERGENCY]
    assert top("参事室秘书处关于参事室年度工作总结的报告", 2)[0] in {
        "市政府参事室/秘书处",
        "市政府参事室",
    }


def test_learned_corrections_change_later_answers():
    targets, shared = targets_from_structure(load_fixture())
    text = "关于市政府机关附属楼电梯更新的请示"
    plain = RoutingIndex.build(targets, shared=shared).route(text)[0].key
    assert plain != "行政二处"
    taught = RoutingIndex.build(
        targets, shared=shared, learned=[Learned(text="机关附属楼电梯更新", chosen="行政二处")]
    )
    match = taught.route(text)[0]
    assert match.key == "行政二处"
    assert match.because[0].startswith("历史分办：")
    # A correction to a unit that no longer exists is ignored.
    assert (
        RoutingIndex.build(
            targets, shared=shared, learned=[Learned(text=text, chosen="已撤销的处")]
        )
        .route(text)[0]
        .key
        == plain
    )


def test_routing_is_deterministic():
    targets, shared = targets_from_structure(load_fixture())
    again = RoutingIndex.build(targets, shared=shared)
    texts = ["关于加快棚户区改造工作的实施意见", "关于召开全体会议的通知", "外商投诉", "无关文字"]
    for text in texts:
        first = [(m.key, m.score, m.because) for m in seed_index().route(text, top=5)]
        second = [(m.key, m.score, m.because) for m in again.route(text, top=5)]
        assert first == second


def test_text_without_any_duty_word_gets_no_suggestion():
    assert seed_index().route("") == []
    assert seed_index().route("的了和") == []


def test_kinds_filter():
    index = seed_index()
    assert all(m.kind == "attached" for m in index.route("突发事件", top=5, kinds=("attached",)))


def test_tokenizer_is_loaded_once_and_keeps_office_terms_whole():
    assert tokenizer() is tokenizer()
    assert "外事" in tokenize("负责对外事、外经工作进行综合")
    assert "人大代表建议" in tokenize("关于人大代表建议办理的通知")
    # Sub-words follow the best split: 市政府 is 市 + 政府, never 市政 (a 城建 word) + 府.
    assert _parts("市政府") == ("市", "政府")
    assert "市政" not in tokenize("市政府办公会议")
    assert "卫生" in tokenize("市卫生局")


def test_fixture_is_the_seed_as_read_and_matches_the_org_parser():
    fixture = load_fixture()
    fixture.pop("source")
    assert fixture == json.loads(json.dumps(read_structure(seed_text()), ensure_ascii=False))
    assert FIXTURE.exists()
    assert len(fixture["units"]) == 29  # 26 counted + 离退休干部处, 机关党委, 纪检组、监察处
    assert [o["name"] for o in fixture["offices"]] == [
        "市政府参事室",
        "市政府应急管理办公室",
    ]
    from zhengban.org.sanding import parse_regulation

    parsed = structure_from_parsed(parse_regulation(seed_text()))
    assert [u["name"] for u in parsed["units"]] == [u["name"] for u in fixture["units"]]
    assert [[u["name"] for u in o["units"]] for o in parsed["offices"]] == [
        [u["name"] for u in o["units"]] for o in fixture["offices"]
    ]


def test_a_regulation_it_has_never_seen():
    text = """某县人民政府办公室主要职责内设机构和人员编制规定
三、内设机构
（一）秘书股。
负责县政府会议的组织安排和会务工作。
（二）督查股。
负责县政府重要决策部署落实情况的督促检查工作。
（三）信访股。
负责受理群众来信来访，协调处理信访事项。
"""
    targets, shared = targets_from_structure(read_structure(text))
    index = RoutingIndex.build(targets, shared=shared)
    assert [t.key for t in targets] == ["秘书股", "督查股", "信访股"]
    assert index.route("关于某村村民集体上访情况的报告")[0].key == "信访股"
    assert index.route("关于对县政府常务会议决定事项落实情况进行督查的通知")[0].key == "督查股"
    assert index.route("关于召开县政府全体会议的通知")[0].key == "秘书股"


def test_custom_targets():
    index = RoutingIndex.build(
        [
            Target(key="a", name="甲处", sentences=("负责教育工作",)),
            Target(key="b", name="乙处", sentences=("负责农业工作",)),
        ]
    )
    assert index.route("关于中小学招生的请示")[0].key == "a"
    assert index.route("关于春耕生产的报告")[0].key == "b"
