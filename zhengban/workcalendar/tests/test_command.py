"""`zhengban calendar …`."""

import subprocess
import sys
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhengban.workcalendar import calendar
from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR
from zhengban.workcalendar.deadlines import RULES
from zhengban.workcalendar.models import CalendarOverride, CalendarYear

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_add_workdays_over_mid_autumn_and_national_day_2026():
    # Worked out by hand from the 2026 notice: see test_calendar for the day list.
    assert run("add-workdays", "2026-09-25", "20") == ("2026-10-29\n", "")


def test_add_workdays_into_an_unknown_year_warns_on_stderr():
    out, err = run("add-workdays", f"{PACKAGE_LAST_YEAR}-12-20", "20")
    assert date.fromisoformat(out.strip()).year == PACKAGE_LAST_YEAR + 1
    assert f"{PACKAGE_LAST_YEAR + 1}年" in err and err.startswith("警告：")


def test_is_workday():
    assert run("is-workday", "2026-10-10") == ("yes\n", "")  # make-up Saturday
    assert run("is-workday", "2026-10-05")[0] == "no\n"
    assert run("is-workday", "2026-03-09")[0] == "yes\n"


def test_workdays_between():
    assert run("workdays-between", "2026-09-25", "2026-10-29")[0] == "20\n"


@pytest.mark.parametrize(
    "args",
    [("add-workdays", "2026-13-01", "3"), ("add-workdays", "2026-1-1x", "3"),
     ("is-workday", "tomorrow"), ("add-workdays", "2026-01-01", "three")],
)  # fmt: skip
def test_bad_input_is_exit_status_2(args):
    with pytest.raises(CommandError) as excinfo:
        run(*args)
    assert excinfo.value.returncode == 2


def test_bad_date_from_the_shell_is_one_line_and_status_2():
    proc = subprocess.run(
        [sys.executable, "-m", "zhengban.cli", "calendar", "add-workdays", "2026-02-30", "20"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "2026-02-30" in proc.stderr


def test_rules_lists_the_registry_with_basis():
    out, _err = run("rules")
    for code in RULES:
        assert f"{code}  " in out
    assert "依据：《中华人民共和国政府信息公开条例》" in out
    assert "〔待核实〕" in out


def test_publish_year():
    year = PACKAGE_LAST_YEAR + 1
    out, _err = run(
        "publish-year", str(year), "--source", "通知", "--off", f"{year}-01-01..{year}-01-03",
        "--on", f"{year}-01-09",
    )  # fmt: skip
    assert "放假3天" in out
    assert CalendarYear.objects.get(year=year).complete
    assert CalendarOverride.objects.count() == 4
    assert calendar.is_workday(date(year, 1, 9))
    assert not calendar.add_workdays(date(year, 1, 1), 5).provisional
    with pytest.raises(CommandError) as excinfo:
        run("publish-year", str(year), "--source", "x", "--off", f"{year + 1}-01-01")
    assert excinfo.value.returncode == 2
