"""Notices that amend a regulation (关于调整…职责机构编制的通知): read as a diff.

Such a notice restates nothing: it names the body it amends, lists the 职责调整, says which
organs are added (增设), removed (撤销), renamed (更名为) or merged (合并，组建), gives the new
organ count ("调整后，市商务局设10个内设机构") and the new quotas ("由46名调整为50名").
The parser reports it with ``kind: "amendment"``; its ``units`` are the organs the notice
names as existing after the change (the whole list when the notice restates it), each with
a ``change`` ("added", "renamed", "merged", "kept"), and ``amendment`` holds the diff.
"""

import re
from dataclasses import dataclass, field

from .brackets import split_top
from .lines import Line
from .names import is_organ_name, split_joined
from .normalize import Doc, mask_titles
from .units import _inline_units, stated_count

# "关于调整市商务局职责机构编制的通知", "關於調整…主要職責內設機構和人員編制的通知",
# "关于调整县统计局内设机构的批复".
_WHAT = (
    r"(?:(?:主要)?(?:职责|职能)[、,和及]?\s*)?(?:内设)?机构(?:[、,和及]?\s*(?:人员)?编制)?"
    r"(?:(?:有关)?事项)?的(?:通知|批复|函|决定)"
)
_TITLE_RES = [
    re.compile(rf"关于(?:同意)?调整(?P<org>[^\s,，。:;()《》]{{2,40}}?)(?:的)?{_WHAT}"),
    # "关于市统计局调整内设机构的批复"
    re.compile(rf"关于(?:同意)?(?P<org>[^\s,，。:;()《》]{{2,40}}?)调整{_WHAT}"),
]
_AMENDED_RE = re.compile(r"《([^《》]{4,60}(?:规定|方案))》")

_ADD_RE = re.compile(r"(?:增设|新设|单设|设立|成立|组建)(?P<names>.+)$")
_REMOVE_RE = re.compile(r"(?:撤销|撤并|不再保留|不再设立)(?P<names>.+)$")
_RENAME_RE = re.compile(r"^(?:将)?(?P<old>.+?)(?:更名为|改名为|改称|名称调整为)(?P<new>.+)$")
_MERGE_RE = re.compile(r"^(?:将)?(?P<names>.+?)(?:进行)?(?:合并|整合)(?:为|设立|组建)?(?P<new>.*)$")
_PLAQUE_RE = re.compile(r"^(?:将)?(?P<name>.+?)(?:加挂|增挂|挂)(?P<other>.+?)牌子$")
_CHANGE_WORD_RE = re.compile(r"增设|新设|撤销|更名|改名|合并|组建|牌子")


@dataclass
class Change:
    """What a notice does to the organ list, in document order."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # formed from a merger, name kept
    other_names: dict[str, list[str]] = field(default_factory=dict)
    named: list[tuple[str, int, int]] = field(default_factory=list)  # (name, start, end)
    full_list: list[tuple[str, int, int]] = field(default_factory=list)
    stated: int | None = None
    unread: list[str] = field(default_factory=list)


def find_title(doc: Doc, lines: list[Line]) -> tuple[int, int] | None:
    """Span of the amended body's name when the text is an amending notice."""
    for line in lines[:20]:
        for regex in _TITLE_RES:
            m = regex.search(line.text)
            if m and is_organ_name(m.group("org")):
                return line.start + m.start("org"), line.start + m.end("org")
    return None


def amended_regulation(doc: Doc) -> str | None:
    """The title of the regulation the notice amends, when it names it."""
    m = _AMENDED_RE.search(doc.norm)
    return doc.raw[m.start(1) : m.end(1)] if m else None


def _names(doc: Doc, start: int, end: int) -> list[tuple[str, int, int]] | None:
    """ "A、B和C" at doc[start:end] → the names as written; None when one is not an organ."""
    out = []
    for a, b in split_top(doc.norm, "、", start, end):
        i = split_joined(doc.norm[a:b])
        parts = [(a, b)] if i is None else [(a, a + i), (a + i + 1, b)]
        for x, y in parts:
            while x < y and doc.norm[x] == " ":
                x += 1
            while y > x and doc.norm[y - 1] == " ":
                y -= 1
            # "(加挂…牌子)" after a name is a second name, not part of it.
            bracket = doc.norm.find("(", x, y)
            core_end = bracket if bracket > x else y
            if not is_organ_name(doc.norm[x:core_end]):
                return None
            out.append((doc.raw[x:core_end], x, core_end))
    return out or None


class _Reader:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.change = Change()
        self.pending_merge: list[tuple[str, int, int]] = []

    def clause(self, start: int, end: int) -> None:
        norm = self.doc.norm
        while start < end and norm[start] in " ,，":
            start += 1
        text = norm[start:end].rstrip(" 。")
        end = start + len(text)
        if not text:
            return
        change = self.change
        for regex, handler in (
            (_RENAME_RE, self.rename),
            (_PLAQUE_RE, self.plaque),
            (_MERGE_RE, self.merge),
            (_REMOVE_RE, self.remove),
            (_ADD_RE, self.add),
        ):
            m = regex.search(text)
            if m and handler(m, start):
                return
        if _CHANGE_WORD_RE.search(text) and not text.startswith(("其职责", "职责")):
            change.unread.append(self.doc.raw[start:end])

    def rename(self, m: re.Match, base: int) -> bool:
        old = _names(self.doc, base + m.start("old"), base + m.end("old"))
        new = _names(self.doc, base + m.start("new"), base + m.end("new"))
        if not old or not new or len(old) != 1 or len(new) != 1:
            return False
        self.change.renamed.append((old[0][0], new[0][0]))
        self.change.named.append(new[0])
        return True

    def plaque(self, m: re.Match, base: int) -> bool:
        name = _names(self.doc, base + m.start("name"), base + m.end("name"))
        if not name or len(name) != 1:
            return False
        other = self.doc.raw[base + m.start("other") : base + m.end("other")]
        self.change.other_names.setdefault(name[0][0], []).append(other)
        return True

    def merge(self, m: re.Match, base: int) -> bool:
        names = _names(self.doc, base + m.start("names"), base + m.end("names"))
        if not names or len(names) < 2:
            return False
        self.pending_merge = names
        new = m.group("new").strip(" ,，")
        if new:
            start = base + m.start("new") + (len(m.group("new")) - len(m.group("new").lstrip()))
            return self.formed(start, base + m.end("new"))
        return True

    def remove(self, m: re.Match, base: int) -> bool:
        names = _names(self.doc, base + m.start("names"), base + m.end("names"))
        if not names:
            return False
        self.pending_merge = names  # "撤销A、B，组建C"
        self.change.removed.extend(n for n, _, _ in names)
        return True

    def add(self, m: re.Match, base: int) -> bool:
        return self.formed(base + m.start("names"), base + m.end("names"))

    def formed(self, start: int, end: int) -> bool:
        names = _names(self.doc, start, end)
        if not names:
            return False
        merged_from = {n for n, _, _ in self.pending_merge}
        for name in names:
            if name[0] in merged_from:
                self.change.merged.append(name[0])  # "合并，组建国土空间规划股": kept
            else:
                self.change.added.append(name[0])
            self.change.named.append(name)
        if self.pending_merge:
            self.change.removed.extend(
                n for n, _, _ in self.pending_merge if n not in {x[0] for x in names}
            )
        self.pending_merge = []
        return True

    def line(self, line: Line) -> None:
        norm = self.doc.norm
        for a, b in split_top(norm, "。;", line.body, line.end):
            text = mask_titles(norm[a:b])
            count = stated_count(text)
            if count is not None:
                # "调整后，市卫生健康委员会设下列14个内设机构：A、B…"
                self.change.stated = count
                found = _inline_units(self.doc, Line(a, b, norm[a:b], None, None, a))
                names = [norm[slice(*p.name)] for p in found[0]] if found else []
                if len(names) >= 2 and all(is_organ_name(n) for n in names):
                    self.change.full_list = [
                        (self.doc.raw[p.name[0] : p.name[1]], *p.name) for p in found[0]
                    ]
                continue
            for x, y in split_top(norm, ",，", a, b):
                self.clause(x, y)
            self.pending_merge = []


def read_changes(doc: Doc, lines: list[Line]) -> Change:
    reader = _Reader(doc)
    for line in lines:
        reader.line(line)
    change = reader.change
    removed = list(dict.fromkeys(change.removed))
    kept = set(change.merged) | {n for n, _, _ in change.full_list}
    change.removed = [n for n in removed if n not in kept and n not in change.added]
    return change


def units_after(doc: Doc, change: Change) -> list[dict]:
    """The organs the notice names as existing after the change, as unit dicts."""
    renamed_to = {new for _, new in change.renamed}
    listing = change.full_list or change.named
    seen: set[str] = set()
    units = []
    for name, start, end in listing:
        if name in seen:
            continue
        seen.add(name)
        if name in change.added:
            kind = "added"
        elif name in renamed_to:
            kind = "renamed"
        elif name in change.merged:
            kind = "merged"
        else:
            kind = "kept"
        units.append(
            {
                "name": name,
                "duties": [],
                "counted": True,
                "merged_with": [],
                "other_names": list(change.other_names.get(name, [])),
                "span": [start, end],
                "name_span": [start, end],
                "duty_spans": [],
                "change": kind,
            }
        )
    return units
