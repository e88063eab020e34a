"""Chinese and Arabic numerals as they appear in 三定 texts (二十六, 一百零六, 两, 148)."""

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}

# Bounded on purpose: int() refuses very long digit strings, and no quota is that large.
NUM = r"(?:\d{1,6}|[零〇一二两三四五六七八九十百千]{1,8})"
NUM_RE = re.compile(NUM)


def to_int(s: str) -> int | None:
    """Value of an Arabic or Chinese numeral, None when it is not one."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if any(ch not in _DIGITS and ch not in _UNITS for ch in s):
        return None
    if not any(ch in _UNITS for ch in s):
        # Digit-by-digit form such as 一〇六.
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return total + current


def circled_value(ch: str) -> int | None:
    """①..㊿ → 1..50."""
    code = ord(ch)
    if 0x2460 <= code <= 0x2473:
        return code - 0x2460 + 1
    if 0x3251 <= code <= 0x325F:
        return code - 0x3251 + 21
    if 0x32B1 <= code <= 0x32BF:
        return code - 0x32B1 + 36
    return None
