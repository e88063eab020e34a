"""`zhengban sanding parse FILE [--json]`.

No test here is marked django_db: pytest-django refuses database access, so these also
prove the command never touches the database.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import django
import pytest

# Also runnable without pytest-django (-p no:django): the command needs settings, no database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402

DATA = Path(__file__).parent / "data" / "sanding"
SEED = Path(__file__).parents[1] / "data" / "shenyang-general-office-2009.txt"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sanding", *args, stdout=out)
    return out.getvalue()


def test_json_output_is_the_parse_result():
    result = json.loads(run("parse", str(SEED), "--json"))
    assert result["organization"] == "沈阳市人民政府办公厅"
    assert result["stated_unit_count"] == 26
    assert result["staffing"]["administrative"] == 148
    assert [a["organization"] for a in result["attached"]] == [
        "市政府参事室",
        "市政府应急管理办公室",
    ]


def test_summary_in_chinese():
    text = run("parse", str(SEED))
    assert "机构：沈阳市人民政府办公厅（正局级）" in text
    assert "内设机构：声明26个，列出26个" in text
    assert "不计数机构4个：离退休干部处、机关党委、纪检组、监察处" in text
    assert "行政编制148名，工勤人员编制111名，领导职数49名" in text


def test_gb18030_file():
    result = json.loads(
        run("parse", str(DATA / "own" / "own04_haichuan-wenguang-ju-gb18030.txt"), "--json")
    )
    assert result["organization"] == "海川市文化广电新闻出版局"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "输入为空"),
        ("从前有座山，山里有座庙，庙里有个老和尚。".encode(), "不是三定规定"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20, "二进制"),
    ],
)
def test_bad_input_raises_command_error_with_code_2(tmp_path, content, message):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError) as info:
        run("parse", str(path))
    assert info.value.returncode == 2
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(CommandError) as info:
        run("parse", str(tmp_path / "nope.txt"))
    assert info.value.returncode == 2
    assert "文件不存在" in str(info.value)


def _cli(*args: str) -> subprocess.CompletedProcess:
    # An unreachable database: the command must not need one.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody:x@127.0.0.1:9/none"}
    return subprocess.run(
        [sys.executable, "-m", "zhengban.cli", "sanding", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_cli_error_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "novel.txt"
    path.write_text("第一章 风起\n那一年，他十七岁。", encoding="utf-8")
    proc = _cli("parse", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("错误: ")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_cli_missing_file_exit_2():
    proc = _cli("parse", "/nonexistent/regulation.txt")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "错误: 文件不存在：/nonexistent/regulation.txt"


def test_cli_json_without_database():
    proc = _cli("parse", str(SEED), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["staffing"]["logistics"] == 111
