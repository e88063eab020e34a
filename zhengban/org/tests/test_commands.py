import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhengban.accounts.models import User
from zhengban.audit.models import AuditRecord
from zhengban.org.models import Appointment, Person, StaffingQuota, Unit

from .factories import MAIN_NAME, SAMPLE_PATH, appoint, unit_named
from .test_regulation_load import revised_text

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_org_load_creates_then_shows_the_diff_and_applies_only_with_apply(tmp_path):
    out, _err = run("org", "load", str(SAMPLE_PATH))
    assert out.startswith(f"已载入：{MAIN_NAME}")

    revised = tmp_path / "revised.txt"
    revised.write_text(revised_text(), encoding="gb18030")  # decoded whatever the encoding
    out, _err = run("org", "load", str(revised))
    assert "更名：新闻处 → 新闻宣传处" in out and "未应用" in out
    assert unit_named("新闻处")

    out, _err = run("org", "load", str(revised), "--apply")
    assert "已应用上述变化" in out
    assert unit_named("新闻宣传处")


@pytest.mark.parametrize("content", [None, b"", "\u8fd9\u4e0d\u662f\u4e09\u5b9a".encode()])
def test_org_load_bad_input_is_one_line_and_exit_code_2(tmp_path, content):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run("org", "load", str(path))
    assert error.value.returncode == 2
    assert "\n" not in str(error.value)


def test_org_check_lists_use_and_exits_1_when_over_quota(main_org):
    appoint(main_org, unit_named("文电处"))
    out, _err = run("org", "check")
    assert "行政编制" in out and "148" in out and "未超出" in out

    # A regulation change lowering a quota below the people in place.
    StaffingQuota.objects.filter(organization=main_org, category="administrative").update(
        approved=0
    )
    with pytest.raises(SystemExit) as exit_:
        run("org", "check")
    assert exit_.value.code == 1


def test_org_import_external(tmp_path):
    good = tmp_path / "units.csv"
    good.write_text("名称,类别\n市教育局,市直部门\n", encoding="utf-8")
    out, _err = run("org", "import-external", str(good))
    assert "新增1个" in out

    bad = tmp_path / "bad.csv"
    bad.write_text("名称,类别\n市公安局,公安\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("org", "import-external", str(bad), stdout=io.StringIO(), stderr=err)
    assert error.value.returncode == 2
    assert "第2行" in err.getvalue()


def test_demo_setup_is_idempotent():
    out, _err = run("demo", "setup", "--password", "Zhengban-2026")
    assert "clerk" in out and "auditadmin" in out and "Zhengban-2026" in out
    counts = (
        Person.objects.count(),
        Appointment.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        AuditRecord.objects.count(),
    )
    assert counts[0] > 250
    assert Unit.objects.filter(kind="external").count() >= 20

    run("demo", "setup")

    assert (
        Person.objects.count(),
        Appointment.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        AuditRecord.objects.count(),
    ) == counts
    # Within quota everywhere, a few vacancies left, accounts linked to the roster.
    out, _err = run("org", "check")
    assert "未超出" in out
    clerk = User.objects.get(username="clerk")
    assert clerk.check_password("Zhengban-2026")
    assert clerk.person.appointments.get().unit.name == "文电处"
    head = User.objects.get(username="division_head")
    assert head.memberships.get().is_head
    assert head.person.appointments.get().post is not None
    assert User.objects.get(username="duty_officer").units.get().name == "指挥联络处"
    assert {u.username for u in User.objects.filter(role_grants__role="system_admin")} == {
        "sysadmin"
    }
