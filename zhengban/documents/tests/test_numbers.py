import json
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from zhengban.documents.numbers import DocumentNumber, NumberError, format_number, parse_number

TODAY = date(2026, 3, 1)


def test_parse_well_formed():
    n = parse_number("沈政办发〔2026〕12号", today=TODAY)
    assert n.as_dict() == {"organ_code": "沈政办", "series": "发", "year": 2026, "sequence": 12}
    assert parse_number("国办函〔2008〕60号", today=TODAY).series == "函"
    assert parse_number("沈政办纪要〔2026〕3号", today=TODAY).series == "纪要"
    assert parse_number("辽政办明电〔2025〕1号", today=TODAY).series == "明电"


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("沈政办发[2026]12号", "number.brackets", "而不是“[]”"),
        ("沈政办发(2026)12号", "number.brackets", "而不是“()”"),
        ("沈政办发（2026）12号", "number.brackets", "而不是“（）”"),
        ("沈政办发【2026】12号", "number.brackets", "而不是“【】”"),
        ("沈政办发﹝2026﹞12号", "number.brackets", "而不是“﹝﹞”"),
        ("沈政办发2026年12号", "number.no-brackets", "六角括号"),
        ("沈政办发〔2026〕12", "number.no-hao", "以“号”结尾"),
        ("沈政办发〔2026〕012号", "number.leading-zero", "应写“12号”而不是“012号”"),
        ("沈政办发〔2026〕0号", "number.zero-seq", "从1开始"),
        ("沈政办发〔2026〕第12号", "number.di", "不加“第”"),
        ("沈政办发〔2027〕1号", "number.future-year", "晚于今年"),
        ("沈政办发〔26〕1号", "number.year-digits", "四位"),
        ("沈政办发〔二〇二六〕1号", "number.year-chinese", "阿拉伯数字"),
        ("沈政办发〔2026〕十二号", "number.seq-chinese", "阿拉伯数字"),
        ("沈政办发〔２٠２6〕1号", "number.year-odd-digit", "非阿拉伯数字"),
        ("〔2026〕1号", "number.no-code", "机关代字"),
        ("沈政办发 〔2026〕1号", "number.space", "空格"),
        ("", "number.empty", "为空"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(text, code, fragment):
    with pytest.raises(NumberError) as info:
        parse_number(text, today=TODAY)
    assert info.value.code == code
    assert fragment in info.value.message


def test_fullwidth_digits_are_normalised_and_flagged():
    n = parse_number("沈政办发〔２０２６〕１２号", today=TODAY)
    assert (n.year, n.sequence, n.normalized) == (2026, 12, True)
    assert n.text == "沈政办发〔2026〕12号"


@given(
    code=st.sampled_from(["沈政办", "国办", "辽政", "沈发改"]),
    series=st.sampled_from(["发", "函", "纪要", "电"]),
    year=st.integers(1980, 2026),
    seq=st.integers(1, 99999),
)
def test_format_then_parse_round_trips(code, series, year, seq):
    text = format_number(organ_code=code, series=series, year=year, seq=seq)
    n = parse_number(text, today=TODAY)
    assert (n.organ_code, n.series, n.year, n.sequence) == (code, series, year, seq)


def test_cli_parse_number_json(capsys):
    call_command("documents", "parse-number", "沈政办发〔2026〕12号", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out == {"organ_code": "沈政办", "series": "发", "year": 2026, "sequence": 12}


def test_cli_parse_number_malformed_exits_2(capsys):
    from zhengban.cli import main

    with pytest.raises(SystemExit) as info:
        main(["documents", "parse-number", "沈政办发[2026]12号", "--json"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "六角括号" in err[0]


@given(st.text(alphabet="沈政办发函〔〕[]()（）【】0123456789０１２٣号第二〇 ", max_size=20))
def test_any_text_either_parses_or_says_why(text):
    try:
        n = parse_number(text, today=TODAY)
    except NumberError as exc:
        assert exc.code.startswith("number.") and exc.message
    else:
        assert n.sequence >= 1 and 1949 <= n.year <= 2026
        assert parse_number(n.text, today=TODAY) == DocumentNumber(
            n.organ_code, n.series, n.year, n.sequence
        )
