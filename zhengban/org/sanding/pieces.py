"""Text assembled from several ranges of the document (a paragraph wrapped over lines).

A piece is a list of (start, end) ranges; its text is the ranges' text joined. Slicing a
piece's text gives back document offsets, so every duty keeps its place in the source.
"""

from .brackets import split_top

Piece = list[tuple[int, int]]


def text_of(norm: str, piece: Piece) -> str:
    return "".join(norm[a:b] for a, b in piece)


def sub(piece: Piece, i: int, j: int) -> Piece:
    """The ranges covering characters [i, j) of the piece's joined text."""
    out: Piece = []
    pos = 0
    for a, b in piece:
        lo, hi = max(i, pos), min(j, pos + (b - a))
        if lo < hi:
            out.append((a + lo - pos, a + hi - pos))
        pos += b - a
    return out


def span(piece: Piece) -> list[int] | None:
    return [piece[0][0], piece[-1][1]] if piece else None


def strip(norm: str, piece: Piece, chars: str = " ") -> Piece:
    text = text_of(norm, piece)
    left = len(text) - len(text.lstrip(chars))
    right = len(text.rstrip(chars))
    return sub(piece, left, right) if left < right else []


def raw_text(raw: str, piece: Piece) -> str:
    return "".join(raw[a:b] for a, b in piece).strip()


def split_sentences(norm: str, piece: Piece) -> list[Piece]:
    """Split at "；" and "。" outside brackets (a unit's duties are listed that way)."""
    text = text_of(norm, piece)
    parts = [sub(piece, a, b) for a, b in split_top(text, ";。", 0, len(text))]
    return [p for p in (strip(norm, q, " ,") for q in parts) if p]
