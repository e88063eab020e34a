"""The built-in catalogue of city departments, and how an office's divisions relate to it.

Pure Python, no Django. `data/departments.txt` lists the standard departments of a city
government (after the 2018 reform) with their main duties and the everyday words people use
for them. A text reaches a division of the office through the department it is about: the
division is the one whose duty sentences name the department's sector. The links are derived
from the regulation's own wording, so another office's regulation links its own divisions:

- a sector list in a duty ("负责对民政、劳动和社会保障、服务业发展等方面工作进行综合")
  is cut into sector terms (民政; 劳动; 社会保障; 服务业发展), with shared heads restored
  ("城市规划、建设和管理" → 城市规划, 城市建设, 城市管理);
- a department named in a division's duties ("联系市教育局、市科技局") links it directly;
- a leader's portfolio ("常务副市长分管工作") stands for the sectors the catalogue gives it;
- the division's name (城建处 → 城建) counts, at a lower weight.
A department's duty is linked to the divisions whose terms match its sectors best (exactly,
or one containing the other); its wider group (城建, 政法 …) counts less than its own sectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "departments.txt"

# Weights of the evidence that links a department's duty to a division.
LINK_NAMED = 1.2  # the division's duties name the department
LINK_SECTOR = 1.0  # a sector term of the division's duties
LINK_PORTFOLIO = 0.9  # the portfolio of the leader the division serves
LINK_UNIT_NAME = 0.6  # the division's name (城建处 → 城建)
TIER_OWN = 1.0  # the department's own sectors
TIER_GROUP = 0.6  # its wider group
MATCH_EXACT = 1.0
MATCH_CONTAINS = 0.8
# Below this the department has no division here; divisions within this share of the best
# are linked too (a department whose duties two divisions coordinate).
LINK_MIN = 0.45
LINK_SHARE = 0.5

# Sector phrases inside duty sentences.
SECTOR_PHRASE = re.compile(
    r"(?:负责|对|承担|联系|协调|分管|协助)(?:对)?"
    r"(?P<phrase>[^，,；;。：:（）()]{2,40}?)"
    r"(?:等方面|及其他方面|方面|等领域|领域|等部门|等行业|等系统|工作进行|等工作)"
)
PHRASE_PREFIX = re.compile(r"^(?:全市|全省|本市|市政府|政府系统|有关|相关)+")
PIECE_SPLIT = re.compile(r"[、，,/]|以及|及")
CONJUNCTION = re.compile(r"[和与同]")
# Words that name no sector on their own.
_GENERIC = (
    "管理 建设 发展 工作 服务 综合 协调 其他 有关 相关 事项 合作 改革 调研 督办 事务 "
    "经济 社会 工作进行 指导 监督 检查 组织 安排 会议 活动 领导 分管 行政 业务 信息"
)
GENERIC_TERMS = frozenset(_GENERIC.split())
UNIT_SUFFIX = re.compile(r"(?:办公室|委员会|处|室|科|股|局|办|组|部)$")
UNIT_PREFIX = re.compile(r"^(?:市人民政府|市政府|市)")
ORDINAL = re.compile(r"[一二三四五六七八九十]+$")


@dataclass(frozen=True)
class CatalogueDuty:
    text: str
    words: tuple[str, ...] = ()
    # The duty's own sector terms when they differ from the department's.
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Department:
    name: str
    aliases: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    duties: tuple[CatalogueDuty, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Catalogue:
    departments: tuple[Department, ...] = ()
    # leader ("常务副市长") → the sectors of their usual portfolio
    portfolios: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def find(self, unit_name: str) -> Department | None:
        """The department a directory unit is ("沈阳市人社局", "市教育局" …), or None."""
        key = _bare(unit_name)
        for department in self.departments:
            if any(_bare(name) == key for name in department.names):
                return department
        return None


@dataclass(frozen=True)
class Link:
    """A department's duty reaches `target` (an index into the caller's list) with `weight`
    (1 for the best division); `anchor` is the division's sentence that names the sector."""

    target: int
    weight: float
    anchor: str


def _bare(name: str) -> str:
    """沈阳市人民政府外事办公室 → 外事办公室; 市教育局 → 教育局."""
    name = re.sub(r"\s+", "", name)
    name = re.sub(r"^[\u4e00-\u9fff]{0,4}?市(?=.{2,})", "", name, count=1)
    return re.sub(r"^人民政府(?=.{3,})", "", name)


# --- reading the file -----------------------------------------------------------------------


def parse_catalogue(text: str) -> Catalogue:
    departments: list[Department] = []
    portfolios: dict[str, tuple[str, ...]] = {}
    current: dict | None = None

    def close() -> None:
        if current is None:
            return
        if current["name"].startswith("@"):
            portfolios[current["name"][1:]] = tuple(current["sectors"])
        else:
            departments.append(
                Department(
                    name=current["name"],
                    aliases=tuple(current["aliases"]),
                    sectors=tuple(current["sectors"]),
                    group=tuple(current["group"]),
                    duties=tuple(
                        CatalogueDuty(text=d["text"], words=tuple(d["words"]), sectors=d["sectors"])
                        for d in current["duties"]
                    ),
                )
            )

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            close()
            current = {"name": line[1:-1].strip(), "aliases": [], "sectors": [], "group": []}
            current["duties"] = []
            continue
        key, sep, value = line.partition(":")
        if not sep or current is None:
            raise ValueError(f"departments catalogue, line {number}: {raw!r}")
        key, value = key.strip(), value.strip()
        if key in ("aliases", "sectors", "group"):
            current[key].extend(value.split())
        elif key.startswith("duty"):
            own = re.fullmatch(r"duty\s*\((.+)\)", key)
            sectors = tuple(own.group(1).split()) if own else ()
            current["duties"].append({"text": value, "words": [], "sectors": sectors})
        elif key == "words" and current["duties"]:
            current["duties"][-1]["words"].extend(value.split())
        else:
            raise ValueError(f"departments catalogue, line {number}: unknown key {key!r}")
    close()
    return Catalogue(departments=tuple(departments), portfolios=portfolios)


@lru_cache(maxsize=1)
def builtin_catalogue() -> Catalogue:
    return parse_catalogue(CATALOGUE_FILE.read_text(encoding="utf-8"))


# --- sectors of a division ------------------------------------------------------------------


def sector_terms(phrase: str) -> list[str]:
    """ "城市规划、建设和管理" → 城市规划, 城市建设, 城市管理; "民政、劳动和社会保障" → 民政,
    劳动和社会保障, 劳动, 社会保障. Generic words (管理, 建设 …) alone are dropped."""
    phrase = PHRASE_PREFIX.sub("", phrase.strip())
    out: list[str] = []
    head = ""
    for piece in PIECE_SPLIT.split(phrase):
        piece = piece.strip()
        if not piece:
            continue
        parts = [p for p in CONJUNCTION.split(piece) if p]
        if len(parts) > 1 and len(piece) >= 4 and not set(parts) & GENERIC_TERMS:
            out.append(piece)  # 劳动和社会保障 as well as 劳动, 社会保障
        for part in parts:
            if len(part) == 2 and len(head) >= 2 and part in GENERIC_TERMS | {"规划"}:
                part = head + part  # 城市规划、建设 → 城市建设
            elif len(part) >= 4:
                head = part[:2]
            out.append(part)
    return [t for t in dict.fromkeys(out) if len(t) >= 2 and t not in GENERIC_TERMS]


def division_terms(
    name: str, sentences, catalogue: Catalogue
) -> tuple[list[tuple[str, float, str]], list[tuple[Department, str]]]:
    """A division's sector terms as (term, weight, sentence), and the departments its duties
    name, as (department, sentence)."""
    terms: list[tuple[str, float, str]] = []
    named: list[tuple[Department, str]] = []
    first = ""
    for sentence in sentences:
        first = first or sentence
        for match in SECTOR_PHRASE.finditer(sentence):
            phrase = match.group("phrase")
            for leader, sectors in catalogue.portfolios.items():
                if leader in phrase:
                    terms.extend((s, LINK_PORTFOLIO, sentence) for s in sectors)
                    phrase = ""
            terms.extend((t, LINK_SECTOR, sentence) for t in sector_terms(phrase))
        for department in catalogue.departments:
            if any(len(n) >= 3 and n in sentence for n in department.names):
                named.append((department, sentence))
    stem = UNIT_PREFIX.sub("", name.split("/")[-1])
    stem = ORDINAL.sub("", UNIT_SUFFIX.sub("", stem))
    if len(stem) >= 2 and stem not in GENERIC_TERMS:
        terms.append((stem, LINK_UNIT_NAME, first or name))
    return terms, named


def _match(a: str, b: str) -> float:
    if a == b:
        return MATCH_EXACT
    short, long = sorted((a, b), key=len)
    return MATCH_CONTAINS if len(short) >= 2 and short in long else 0.0


def link_departments(catalogue: Catalogue, divisions) -> dict[tuple[int, int], list[Link]]:
    """(department index, duty index or -1 for the department as a whole) → links.

    `divisions` is a list of (index, name, sentences) of the office's own units."""
    prepared = [
        (i, *division_terms(name, sentences, catalogue)) for i, name, sentences in divisions
    ]
    links: dict[tuple[int, int], list[Link]] = {}
    for d, department in enumerate(catalogue.departments):
        own = [*department.sectors]
        for k, duty in enumerate((None, *department.duties), start=-1):
            sectors = duty.sectors if duty is not None and duty.sectors else own
            wanted = [(s, TIER_OWN) for s in sectors if s not in GENERIC_TERMS]
            wanted += [(g, TIER_GROUP) for g in department.group if g not in GENERIC_TERMS]
            scored: list[tuple[float, int, str]] = []
            for i, terms, named in prepared:
                best, anchor = 0.0, ""
                for dept, sentence in named:
                    if dept is department and best < LINK_NAMED:
                        best, anchor = LINK_NAMED, sentence
                for term, weight, sentence in terms:
                    for sector, tier in wanted:
                        score = _match(sector, term) * weight * tier
                        if score > best:
                            best, anchor = score, sentence
                if best > 0:
                    scored.append((best, i, anchor))
            if not scored:
                continue
            top = max(score for score, _i, _a in scored)
            if top < LINK_MIN:
                continue
            links[(d, k)] = [
                Link(target=i, weight=round(score / top, 3), anchor=anchor)
                for score, i, anchor in sorted(scored, key=lambda s: (-s[0], s[1]))
                if score >= LINK_SHARE * top
            ]
    return links
