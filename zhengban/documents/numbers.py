"""文号 (发文字号): parse, validate and format — pure Python, no Django.

GB/T 9704-2012 §7.2.5: 机关代字 + 〔year〕 + sequence + 号, e.g. 沈政办发〔2026〕12号. The year is
four Arabic digits in 六角括号 (U+3014/U+3015); the sequence has no leading zeros and no 第.

Full-width digits (０-９) are *normalised*: a 来文字号 typed with a Chinese input method often
has them, and they denote the same number, so `parse_number` accepts them and reports
`normalized=True`. The 公文体检 of a draft this office issues refuses them (rule
`number.fullwidth-digits`), because the standard asks for Arabic digits. Any other non-ASCII
digit (Arabic-Indic, Chinese numerals 二〇二六 …) is refused with a specific message.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# Series suffixes of 机关代字 in use (longest first when matching): 沈政办发 → 沈政办 + 发.
KNOWN_SERIES = (
    "明电",
    "密电",
    "纪要",
    "函",
    "发",
    "电",
    "报",
    "文",
    "令",
    "呈",
    "复",
    "通",
    "字",
)

LEFT, RIGHT = "〔", "〕"
# Brackets people type instead of 〔〕, with the name the message uses.
WRONG_BRACKETS = {
    "[": "[]",
    "［": "［］",
    "(": "()",
    "（": "（）",
    "【": "【】",
    "〖": "〖〗",
    "﹝": "﹝﹞",
    "｛": "｛｝",
    "{": "{}",
    "<": "<>",
    "《": "《》",
    "〈": "〈〉",
}
_CLOSERS = "]］)）】〗﹞｝}>》〉"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CHINESE_NUMERALS = set("〇零一二三四五六七八九十百千")


class NumberError(ValueError):
    """A malformed 文号; `code` is a stable rule id, the message one specific Chinese line."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DocumentNumber:
    organ_code: str  # 机关代字 without the series suffix: 沈政办
    series: str  # 发, 函, 纪要 … ("" when the code ends in no known series)
    year: int
    sequence: int
    normalized: bool = False  # full-width digits were converted

    @property
    def code(self) -> str:
        return self.organ_code + self.series

    @property
    def text(self) -> str:
        return format_number(
            organ_code=self.organ_code, series=self.series, year=self.year, seq=self.sequence
        )

    def as_dict(self) -> dict:
        return {
            "organ_code": self.organ_code,
            "series": self.series,
            "year": self.year,
            "sequence": self.sequence,
        }


def format_number(*, organ_code: str, series: str, year: int, seq: int) -> str:
    """沈政办 + 发 + 2026 + 12 → 沈政办发〔2026〕12号."""
    if seq < 1:
        raise ValueError("sequence starts at 1")
    if not 1000 <= year <= 9999:
        raise ValueError("year must have four digits")
    return f"{organ_code}{series}{LEFT}{year}{RIGHT}{seq}号"


def split_code(code: str, series_names: tuple[str, ...] = KNOWN_SERIES) -> tuple[str, str]:
    """沈政办发 → (沈政办, 发); the longest known series suffix wins; none → (code, "")."""
    for name in sorted(series_names, key=len, reverse=True):
        if code.endswith(name) and len(code) > len(name):
            return code[: -len(name)], name
    return code, ""


def _digits_problem(text: str, what: str) -> NumberError | None:
    for ch in text:
        if ch in _CHINESE_NUMERALS:
            return NumberError(
                f"number.{what}-chinese", f"{_LABEL[what]}应使用阿拉伯数字，不用汉字“{ch}”"
            )
        if not ch.isdigit():
            return NumberError(f"number.{what}-not-digit", f"{_LABEL[what]}中有非数字字符“{ch}”")
        if not ("0" <= ch <= "9"):
            return NumberError(
                f"number.{what}-odd-digit",
                f"{_LABEL[what]}中有非阿拉伯数字“{ch}”"
                f"（{unicodedata.name(ch, f'U+{ord(ch):04X}')}）",
            )
    return None


_LABEL = {"year": "年份", "seq": "顺序号"}


def parse_number(
    text: str,
    *,
    today: date | None = None,
    series_names: tuple[str, ...] = KNOWN_SERIES,
) -> DocumentNumber:
    """Parse a 文号 or raise `NumberError` naming what is wrong (wrong brackets, missing 号,
    leading zeros, a year in the future …)."""
    raw = unicodedata.normalize("NFC", text or "").strip()
    if not raw:
        raise NumberError("number.empty", "文号为空")
    if any(ch.isspace() for ch in raw):
        raise NumberError("number.space", f"文号“{raw}”中不应有空格")
    normalized = any(ch in "０１２３４５６７８９" for ch in raw)
    s = raw.translate(_FULLWIDTH_DIGITS)

    if LEFT not in s or RIGHT not in s:
        for opener, pair in WRONG_BRACKETS.items():
            if opener in s:
                raise NumberError(
                    "number.brackets", f"年份应使用六角括号“〔〕”，而不是“{pair}”：{raw}"
                )
        if any(ch in s for ch in _CLOSERS) or LEFT in s or RIGHT in s:
            raise NumberError("number.brackets", f"年份的六角括号“〔〕”不成对：{raw}")
        raise NumberError("number.no-brackets", f"年份应写在六角括号“〔〕”中，如“〔2026〕”：{raw}")
    left, right = s.index(LEFT), s.index(RIGHT)
    if right < left or s.count(LEFT) != 1 or s.count(RIGHT) != 1:
        raise NumberError("number.brackets", f"年份的六角括号“〔〕”不成对：{raw}")

    code, year_text, rest = s[:left], s[left + 1 : right], s[right + 1 :]
    if not code:
        raise NumberError("number.no-code", f"缺少机关代字（应写在“〔”之前）：{raw}")
    bad = next((ch for ch in code if not (_is_han(ch) or (ch.isascii() and ch.isalpha()))), None)
    if bad is not None:
        raise NumberError(
            "number.code-chars", f"机关代字只能由汉字或字母组成，不应有“{bad}”：{raw}"
        )
    if not year_text:
        raise NumberError("number.no-year", f"六角括号中缺少年份：{raw}")
    problem = _digits_problem(year_text, "year")
    if problem:
        raise problem
    if len(year_text) != 4:
        raise NumberError(
            "number.year-digits", f"年份应写全四位数字（如〔2026〕），而不是〔{year_text}〕"
        )
    year = int(year_text)
    this_year = (today or date.today()).year
    if year > this_year:
        raise NumberError("number.future-year", f"年份{year}晚于今年（{this_year}年）")
    if year < 1949:
        raise NumberError("number.old-year", f"年份{year}不可能是发文年份")

    if not rest.endswith("号"):
        if rest and rest[-1].isdigit():
            raise NumberError("number.no-hao", f"文号应以“号”结尾：{raw}")
        raise NumberError("number.no-hao", f"文号应以顺序号加“号”结尾（如“12号”）：{raw}")
    seq_text = rest[:-1]
    if seq_text.startswith("第"):
        raise NumberError("number.di", f"顺序号前不加“第”：{raw}")
    if not seq_text:
        raise NumberError("number.no-seq", f"缺少发文顺序号（“〕”与“号”之间）：{raw}")
    problem = _digits_problem(seq_text, "seq")
    if problem:
        raise problem
    if seq_text.startswith("0"):
        if set(seq_text) == {"0"}:
            raise NumberError("number.zero-seq", f"顺序号从1开始，不能为0：{raw}")
        raise NumberError(
            "number.leading-zero",
            f"顺序号不编虚位，应写“{int(seq_text)}号”而不是“{seq_text}号”",
        )
    organ_code, series = split_code(code, series_names)
    return DocumentNumber(organ_code, series, year, int(seq_text), normalized)


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH") or ch == "〇"


def looks_like_number(line: str) -> bool:
    """Whether a line of a draft is meant as a 文号 (for the text parser)."""
    s = line.strip()
    return bool(
        s
        and len(s) <= 30
        and re.search(r"[〔\[［(（【〖﹝]\s*[0-9０-９一二〇]{2,4}\s*[〕\]］)）】〗﹞]", s)
        and not re.search(r"[，。；：]", s)
    )
