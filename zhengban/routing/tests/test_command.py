"""`zhengban route`: JSON, TSV, errors, and routing against a regulation file."""

import json
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhengban.routing.evaluation import load_items

from .factories import SEED


def run(*args) -> str:
    out = StringIO()
    call_command("route", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_json(office):
    result = json.loads(run("关于做好今冬明春农村饮水安全工作的通知", "--top", "3", "--json"))
    assert len(result) == 3
    assert result[0]["unit"] == "农经处"
    assert result[0]["because"][0] == "负责对农业、农村等方面工作进行综合、调研和协调督办"
    assert result[0]["score"] > result[1]["score"] >= result[2]["score"]


@pytest.mark.django_db
def test_plain_output(office):
    out = run("人大代表建议的交办")
    assert out.startswith("1. 秘书二处")
    assert "依据：负责人大代表建议、政协提案办理情况的综合协调和督办工作" in out


@pytest.mark.django_db
def test_tsv(office, tmp_path):
    texts = ["关于做好今冬明春农村饮水安全工作的通知"]
    texts += [item["text"] for item in load_items("test.jsonl")]
    path = tmp_path / "titles.txt"
    path.write_text("\n".join(texts) + "\n\n", encoding="utf-8")
    started = time.perf_counter()
    lines = run("--tsv", str(path)).splitlines()
    elapsed = time.perf_counter() - started
    assert len(lines) == len(texts)
    first = lines[0].split("\t")
    assert first[0] == texts[0] and len(first) == 4
    # Fast enough for batch use (the benchmark measures the real figure).
    assert len(texts) / elapsed > 200
    assert first[1] == "农经处"


@pytest.mark.django_db
def test_without_an_organization_it_exits_2():
    with pytest.raises(CommandError) as error:
        run("关于做好今冬明春农村饮水安全工作的通知")
    assert error.value.returncode == 2
    assert "尚未载入三定规定" in str(error.value)


@pytest.mark.django_db
def test_usage_errors_exit_2(office):
    with pytest.raises(CommandError) as error:
        run()
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        run("--tsv", "/nonexistent/file.txt")
    assert error.value.returncode == 2


def test_regulation_file_needs_no_database():
    # No db fixture: pytest-django would fail this test if the command touched the database.
    result = json.loads(run("关于召开市政府常务会议的通知", "--regulation", str(SEED), "--json"))
    assert result[0]["unit"] == "秘书二处"
    assert result[0]["key"] == "秘书二处"


def test_scope_against_a_regulation_file():
    text = "包工头跑了，工钱一分没拿到"
    external = json.loads(run(text, "--regulation", str(SEED), "--scope", "external", "--json"))
    assert external[0]["unit"] == "市人力资源和社会保障局" and external[0]["kind"] == "external"
    internal = json.loads(run(text, "--regulation", str(SEED), "--scope", "internal", "--json"))
    assert internal[0]["unit"] == "流通处" and internal[0]["via"] == "市人力资源和社会保障局"
    plain = run(text, "--regulation", str(SEED))
    assert "[承办单位]" in plain and "经由市人力资源和社会保障局" in plain
    with pytest.raises(CommandError):
        run(text, "--regulation", str(SEED), "--scope", "everywhere")
