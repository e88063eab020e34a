"""Numbered items of a section: 职责调整 / 主要职责 / 其他事项.

The first numbering style in the section is the item level ("(一)", "①", "1." …); lines
numbered differently, or not at all, continue the current item. Unnumbered text before the
first item is an introduction ("根据以上职责调整，…的主要职责是："). A section without any
numbered item has one item per paragraph.
"""

from dataclasses import dataclass

from . import pieces
from .lines import Line
from .normalize import Doc


@dataclass
class Item:
    lines: list[Line]
    number: int | None

    def piece(self) -> pieces.Piece:
        first, *rest = self.lines
        return [(first.body, first.end)] + [(line.start, line.end) for line in rest]


def group(lines: list[Line]) -> tuple[list[Line], list[Item]]:
    """Introduction lines and items."""
    top = None
    intro: list[Line] = []
    items: list[Item] = []
    for line in lines:
        if line.style and line.article is None and top in (None, line.style):
            top = line.style
            items.append(Item([line], line.number))
        elif items:
            items[-1].lines.append(line)
        else:
            intro.append(line)
    return intro, items


def _is_label(line: Line) -> bool:
    """A short group label such as "(一)划出的职能" or "(二)取消的职责。" heading sub-items."""
    body = line.body_text.rstrip("。: ")
    return (
        0 < len(body) <= 16
        and not any(ch in body for ch in "。;,、")
        and body.endswith(("职责", "职能", "事项"))
    )


def _expand(item: Item) -> list[Item]:
    """A labelled group ("(一)取消的职责。" + items) stands for the items under it."""
    first, *rest = item.lines
    if not rest or not _is_label(first) or rest[0].style == first.style:
        return [item]
    if not rest[0].style:
        return [Item(rest, None)]  # one unnumbered paragraph under the label
    _, subs = group(rest)
    for sub in subs:  # numbering restarts in each group; not a gap
        sub.number = None
    return subs or [item]


def section_items(lines: list[Line]) -> list[Item]:
    intro, items = group(lines)
    if items:
        return [sub for item in items for sub in _expand(item)]
    # Unnumbered paragraphs; an article's own line and "…如下：" lines introduce them.
    paragraphs = [
        line
        for line in intro
        if not line.text.endswith(":") and (line.article is None or len(intro) == 1)
    ]
    return [Item([line], None) for line in paragraphs]


def item_text(doc: Doc, item: Item) -> tuple[str, list[int] | None]:
    piece = pieces.strip(doc.norm, item.piece())
    return pieces.raw_text(doc.raw, piece), pieces.span(piece)
