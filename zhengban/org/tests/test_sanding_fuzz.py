"""Property tests: whatever text comes in, the parser returns a dict or raises SandingError.

Inputs are real regulations mutated line by line (deleted, duplicated, swapped, truncated,
widths changed, random insertions) and random text. ``parse_unchecked`` is used so a bug
shows as its own exception instead of the safety net's SandingError.
"""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengban.org.sanding import SandingError, decode_bytes, parse_regulation
from zhengban.org.sanding.parser import INTERNAL_ERROR, parse_unchecked

DATA = Path(__file__).parent / "data" / "sanding"
TEXTS = [
    decode_bytes(p.read_bytes())
    for p in sorted([*DATA.glob("*.txt"), *DATA.glob("own/*.txt"), *DATA.glob("unseen/*.txt")])
]

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

# Characters that matter to the parser: markers, punctuation in both widths, numerals,
# organ suffixes, keywords' characters, clutter brackets, odd whitespace and controls.
_ALPHABET = (
    "一二三四五六七八九十百千零〇两0123456789①②⑪㉑()（）、,，.．。;；:：[]【】《》〈〉 \u3000\t\n\r"
    "处科室股局司厅办组委中心设个名内机构职责调整主要人员编制行政工勤领导职数正副级含即下列"
    "负责承担合署办公加挂牌子第条其他事项附则國務院辦公廳職責內設機構編製規定\x00\x0b\u2028\ufeff"
)
_PIECES = [
    "（一）", "(十二)", "一、", "1.", "（1）", "①", "第五条", "设26个内设机构：",
    "内设机构2个，即：", "秘书处、综合处", "机关党委负责", "纪检组、监察处 合署办公，",
    "行政编制148名。", "其中：主任1名", "处级领导职数6名(4正2副)", "（含机关党委专职副书记1名）",
    "二、主要职责", "三、内设机构", "四、人员编制", "五、其他事项", "设在", "[编辑]", "[接上页]",
    "\n", "。 ", "（加挂X牌子）", "负责文电工作。", "秘书一处。",
]  # fmt: skip


def _widen(text: str) -> str:
    table = {
        ord(a): b
        for a, b in zip("(),;:.0123456789", "（），；：．０１２３４５６７８９", strict=True)
    }
    return text.translate(table)


def _narrow(text: str) -> str:
    table = {
        ord(b): a
        for a, b in zip("(),;:.0123456789", "（），；：．０１２３４５６７８９", strict=True)
    }
    return text.translate(table)


@st.composite
def mutated_documents(draw):
    lines = draw(st.sampled_from(TEXTS)).split("\n")
    for _ in range(draw(st.integers(0, 8))):
        op = draw(
            st.sampled_from(
                ["delete", "duplicate", "swap", "insert", "widen", "narrow", "join", "cut"]
            )
        )
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        j = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            break
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            noise = draw(st.one_of(st.sampled_from(_PIECES), st.text(_ALPHABET, max_size=30)))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + noise + lines[i][at:]
        elif op == "widen":
            lines[i] = _widen(lines[i])
        elif op == "narrow":
            lines[i] = _narrow(lines[i])
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


def _check(text: str) -> None:
    try:
        result = parse_unchecked(text)
    except SandingError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    json.dumps(result, ensure_ascii=False)
    spans = [*result["duty_spans"], *result["adjustment_spans"]]
    for unit in result["units"] + [u for a in result["attached"] for u in a["units"]]:
        assert unit["name"].strip()
        spans += [unit["span"], unit["name_span"], *unit["duty_spans"]]
        assert text[unit["name_span"][0] : unit["name_span"][1]] == unit["name"]
    for start, end in spans:
        assert 0 <= start <= end <= len(text)
    for duty, (start, end) in zip(result["duties"], result["duty_spans"], strict=True):
        assert duty and text[start:end].replace("\n", "").startswith(duty[:1])
    assert all(p["count"] >= 0 for p in result["staffing"]["posts"])


@FUZZ
@given(mutated_documents())
def test_mutated_regulations_never_crash(text):
    _check(text)


@FUZZ
@given(st.text(_ALPHABET, max_size=400))
def test_random_keyword_soup_never_crashes(text):
    _check(text)


@FUZZ
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_random_regulation_pieces_never_crash(text):
    _check(text)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_crashes(text):
    _check(text)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decode_or_raise(data):
    try:
        text = decode_bytes(data)
    except SandingError:
        return
    _check(text)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(mutated_documents())
def test_parse_is_deterministic(text):
    try:
        first = parse_regulation(text)
    except SandingError as exc:
        assert INTERNAL_ERROR not in str(exc)
        return
    assert parse_regulation(text) == first
