"""Scanning text while skipping what is inside brackets ("科(含…、…)" is one name)."""


def top_level(text: str, start: int, end: int):
    """Yield (index, char) of characters outside brackets in text[start:end]."""
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            yield i, ch


def find_top(text: str, chars: str, start: int, end: int) -> int:
    """First index of one of ``chars`` outside brackets, or ``end``."""
    return next((i for i, ch in top_level(text, start, end) if ch in chars), end)


def split_top(text: str, separators: str, start: int, end: int) -> list[tuple[int, int]]:
    """Ranges of text[start:end] between separators found outside brackets."""
    out, last = [], start
    for i, ch in top_level(text, start, end):
        if ch in separators:
            out.append((last, i))
            last = i + 1
    out.append((last, end))
    return out
