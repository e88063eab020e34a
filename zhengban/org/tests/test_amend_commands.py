"""`zhengban org load` and `zhengban sanding parse` on amending notices."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengban.org.models import Regulation, StaffingQuota

from .factories import MAIN_NAME, appoint, unit_named
from .test_regulation_amend import NOTICE, UNSEEN, another_city

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def notice(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="gb18030")
    return path


def test_org_load_shows_a_notice_as_a_diff_and_applies_it_with_apply(main_org, notice):
    out, _err = run("org", "load", str(notice))
    assert out.splitlines()[0] == f"{MAIN_NAME}：按调整通知应作以下变化："
    assert "  更名：新闻处 → 新闻宣传处" in out.splitlines()
    assert "未应用：确认无误后加 --apply 重新执行。" in out
    assert unit_named("新闻处")

    out, _err = run("org", "load", str(notice), "--apply")
    assert out.splitlines()[-1] == "已应用上述变化。"
    assert unit_named("新闻宣传处")
    assert Regulation.objects.get(title="notice").amends == main_org.regulation

    out, _err = run("org", "load", str(notice), "--apply")
    assert out.strip() == f"{MAIN_NAME}：该调整通知已经应用，无变化。"


def test_org_load_refuses_a_notice_of_an_organization_not_loaded(main_org):
    path = UNSEEN / "t07_qinghe-shi-shangwuju-tiaozheng-tongzhi.txt"
    with pytest.raises(CommandError) as error:
        run("org", "load", str(path), "--apply")
    assert error.value.returncode == 2
    assert str(error.value).startswith("调整通知所调整的“市商务局”尚未载入")
    assert "\n" not in str(error.value)


def test_org_load_names_the_candidates_and_the_option_when_ambiguous(main_org, tmp_path):
    run("org", "load", str(_write(tmp_path, "tieling.txt", another_city("铁岭"))))
    anonymous = _write(tmp_path, "n.txt", NOTICE.replace("沈阳", ""))

    with pytest.raises(CommandError) as error:
        run("org", "load", str(anonymous))
    assert error.value.returncode == 2
    message = str(error.value)
    assert "沈阳市人民政府办公厅、铁岭市人民政府办公厅" in message
    assert "--organization 沈阳市人民政府办公厅" in message

    out, _err = run(
        "org", "load", str(anonymous), "--apply", "--organization", "铁岭市人民政府办公厅"
    )
    assert out.startswith("铁岭市人民政府办公厅：按调整通知应作以下变化：")


def test_org_load_exits_1_when_apply_is_refused_over_quota(main_org, tmp_path):
    for _ in range(3):
        appoint(main_org, unit_named("文电处"), category="logistics")
    path = _write(
        tmp_path, "n.txt", NOTICE.replace("工勤人员编制111名不变", "工勤人员编制由111名核减为2名")
    )

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("org", "load", str(path), "--apply", stdout=out, stderr=io.StringIO())
    assert exit_.value.code == 1
    assert f"超编提示：{MAIN_NAME}工勤人员编制调整为2名，实有3名，超编1名" in out.getvalue()
    logistics = StaffingQuota.objects.get(organization=main_org, category="logistics")
    assert logistics.approved == 111

    out, _err = run("org", "load", str(path), "--apply", "--accept-over-quota")
    assert "已应用上述变化。" in out
    logistics.refresh_from_db()
    assert logistics.approved == 2
    with pytest.raises(SystemExit):
        run("org", "check")  # the 超编 shows where it always does


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "t07_qinghe-shi-shangwuju-tiaozheng-tongzhi.txt",
            [
                "机构：市商务局（调整通知）",
                "所调整的规定：《清河市商务局职能配置、内设机构和人员编制规定》",
                "职责调整：3项",
                "调整通知：增设电子商务科；撤销外资管理科；"
                "更名对外贸易科→对外贸易和投资促进科、市场体系建设科→市场运行和消费促进科",
                "调整后内设机构10个",
                "调整后人员编制：行政编制36名，工勤人员编制3名，领导职数14名",
            ],
        ),
        (
            "h05_songling-xian-zirangju-tiaozheng.txt",
            [
                "机构：县自然资源局（调整通知）",
                "职责调整：2项",
                "调整通知：增设林地管理股；撤销村镇规划股；更名地籍管理股→不动产登记股",
                "调整后内设机构9个",
                "调整后人员编制：行政编制23名，工勤人员编制2名，领导职数9名",
            ],
        ),
    ],
)
def test_sanding_parse_summarises_a_notice_as_its_changes(name, expected):
    out, _err = run("sanding", "parse", str(UNSEEN / name))
    assert out.splitlines() == expected


def test_sanding_parse_lists_the_restated_units_and_second_names():
    out, _err = run(
        "sanding", "parse", str(UNSEEN / "t08_guangning-shi-weijianwei-tiaozheng-fanti.txt")
    )
    lines = out.splitlines()
    assert (
        lines[2]
        == "调整通知：增设公共衛生應急管理科；疾病預防控制科加挂市愛國衛生運動委員會辦公室牌子"
    )
    assert lines[3].startswith("调整后内设机构14个（通知列出全部）：辦公室、人事科、")
