"""parse_regulation: a 三定 text → a JSON-able dict (see the package docstring)."""

import itertools
import re
from dataclasses import dataclass, field

from . import amend
from . import items as item_mod
from .attached import is_attached, parse_attached
from .errors import SandingError
from .lines import Line, logical_lines
from .meta import find_organization, find_rank
from .normalize import Doc, simplify
from .sections import (
    ADJUST,
    DUTY,
    IGNORE,
    OTHER,
    STAFF,
    UNIT,
    UNIT_CHANGE,
    Layout,
    split_sections,
)
from .staffing import ADMIN_RE, LOGISTICS_RE, empty_staffing, parse_staffing, quota_is_own
from .units import UnitList, finish, parse_units

MAX_CHARS = 2_000_000
INTERNAL_ERROR = "解析器内部错误"


def parse_regulation(text: str) -> dict:
    """Parse a regulation; raise SandingError when ``text`` is not one."""
    if not isinstance(text, str):
        raise SandingError("输入不是文本 / input is not text")
    if not text.strip():
        raise SandingError("输入为空 / empty input")
    if len(text) > MAX_CHARS:
        raise SandingError(f"文本过长（超过{MAX_CHARS}字符）/ text too long")
    try:
        return parse_unchecked(text)
    except SandingError:
        raise
    except Exception as exc:  # the "never a traceback" contract; tests call parse_unchecked
        raise SandingError(
            f"{INTERNAL_ERROR}: {type(exc).__name__} / internal parser error"
        ) from exc


@dataclass
class _ItemList:
    texts: list[str] = field(default_factory=list)
    spans: list[list[int] | None] = field(default_factory=list)
    numbers: list[int | None] = field(default_factory=list)  # for numbering-gap warnings


# 2018-style 主要职责 lists end with "(十六)职能转变。…" and "(十七)与…的有关职责分工。":
# the first is an adjustment, the second no duty of this body.
_DIVISION_RE = re.compile(r"^(?:与[^。]{1,60}?)?(?:的)?有关职责分工|^职责分工")


def _adjustments_and_duties(doc: Doc, layout: Layout) -> tuple[_ItemList, _ItemList]:
    lists = {ADJUST: _ItemList(), DUTY: _ItemList()}
    for section in layout.sections:
        if section.kind not in lists:
            continue
        for item in item_mod.section_items(section.lines):
            text, span = item_mod.item_text(doc, item)
            if not text:
                continue
            kind, number = section.kind, item.number
            body = doc.norm[span[0] : span[1]]
            if kind == DUTY and _DIVISION_RE.match(body):
                continue
            if kind == DUTY and body.startswith("职能转变"):
                kind, number = ADJUST, None
            lists[kind].texts.append(text)
            lists[kind].spans.append(span)
            lists[kind].numbers.append(number)
    return lists[ADJUST], lists[DUTY]


def _units(doc: Doc, layout: Layout) -> tuple[UnitList, bool]:
    """All organ lists of the document merged (a page may repeat the list heading)."""
    merged = UnitList()
    explicit = False
    for section in layout.sections:
        if section.kind != UNIT:
            continue
        explicit = explicit or section.explicit
        part = parse_units(doc, section.lines)
        merged.stated = merged.stated if merged.stated is not None else part.stated
        merged.drafts.extend(part.drafts)
        merged.intro_seen = merged.intro_seen or part.intro_seen
    return merged, explicit


def _staffing(doc: Doc, layout: Layout, organization: str | None, warnings: list[str]) -> dict:
    lines = [line for s in layout.sections if s.kind == STAFF for line in s.lines]
    if not lines:
        lines = _staff_elsewhere(layout, organization)
    if not lines:
        return empty_staffing()
    text = "\n".join(line.text for line in lines)
    written = "\n".join(doc.raw[line.start : line.end] for line in lines)
    return parse_staffing(text, written, organization, warnings)


def _staff_elsewhere(layout: Layout, organization: str | None) -> list[Line]:
    """Quotas stated outside any 人员编制 section, in a sentence that names the body.

    "市统计局与市统计调查队合署办公，核定市统计局机关行政编制12名" under 其他事项, or in the
    sentence that introduces the organ list. Under 其他事项 the sentence must name the
    organization itself (the other items are attached offices with quotas of their own).
    """
    out = []
    for section in layout.sections:
        if section.kind in (STAFF, ADJUST, IGNORE):
            continue
        for line in section.lines:
            if not (ADMIN_RE.search(line.text) or LOGISTICS_RE.search(line.text)):
                continue
            if section.kind != OTHER or (organization and quota_is_own(line.text, organization)):
                out.append(line)
    return out


def _attached(doc: Doc, layout: Layout) -> list[dict]:
    out = []
    for section in layout.sections:
        if section.kind != OTHER:
            continue
        _, items = item_mod.group(section.lines)
        if not items:  # paragraphs, or one article
            items = [item_mod.Item([line], None) for line in section.lines]
            if section.lines and section.lines[0].article is not None:
                items = [item_mod.Item(section.lines, None)]
        out.extend(parse_attached(doc, item) for item in items if is_attached(item))
    return out


def _gaps(label: str, numbers: list[int | None]) -> list[str]:
    out = []
    for prev, cur in itertools.pairwise(numbers):
        if prev is not None and cur is not None and cur not in (prev, prev + 1):
            out.append(f"{label}编号不连续：第{prev}项之后是第{cur}项")
    return out


def _unit_warnings(label: str, stated: int | None, units: list[dict]) -> list[str]:
    out = []
    counted = sum(1 for u in units if u["counted"])
    if stated is not None and units and counted != stated:
        out.append(f"{label}声明内设机构{stated}个，实际列出{counted}个")
    seen = set()
    for u in units:
        key = simplify(u["name"])
        if key in seen:
            out.append(f"{label}内设机构名称重复：{u['name']}")
        seen.add(key)
    return out


def _staff_warnings(label: str, staffing: dict) -> list[str]:
    total = sum(p["count"] for p in staffing["posts"])
    admin = staffing["administrative"]
    if admin is not None and total > admin:
        return [f"{label}领导职数合计{total}名，超过行政编制{admin}名"]
    return []


def _check_evidence(
    result: dict, unit_list: UnitList, explicit_units: bool, has_title: bool
) -> None:
    units = result["units"]
    staffing = result["staffing"]
    has_units = len(units) >= 3 or (units and (explicit_units or unit_list.intro_seen))
    has_staff = (
        staffing["administrative"] is not None
        or staffing["logistics"] is not None
        or any("职数" in p["title"] for p in staffing["posts"])
    )
    has_duties = len(result["duties"]) >= 2 or (has_title and result["duties"])
    diff = result["amendment"]
    has_changes = diff is not None and bool(
        diff["units_added"] or diff["units_removed"] or diff["units_renamed"]
        or result["adjustments"] or result["stated_unit_count"] is not None
    )  # fmt: skip
    if not (has_units or has_staff or has_duties or result["attached"] or has_changes):
        raise SandingError(
            "不是三定规定：未找到内设机构、人员编制或主要职责 / "
            "not a 三定 regulation: no internal organs, staffing or main duties found"
        )


def _amendment(doc: Doc, layout: Layout) -> tuple[dict, list[dict], int | None, list[str]]:
    """The diff an amending notice states: the ``amendment`` dict, organs after, count."""
    lines = [line for s in layout.sections if s.kind == UNIT_CHANGE for line in s.lines]
    if not lines:  # a short notice without that heading: any paragraph may say something
        lines = [line for s in layout.sections if s.kind != ADJUST for line in s.lines]
        lines = sorted(lines + layout.preamble, key=lambda line: line.start)
    change = amend.read_changes(doc, lines)
    diff = {
        "amends": amend.amended_regulation(doc),
        "units_added": change.added,
        "units_removed": change.removed,
        "units_renamed": [{"from": a, "to": b} for a, b in change.renamed],
        "full_list": bool(change.full_list),
    }
    warnings = [f"未能识别的机构调整：{text}" for text in change.unread]
    return diff, amend.units_after(doc, change), change.stated, warnings


def parse_unchecked(text: str) -> dict:
    """parse_regulation without the safety net (tests call this to see real errors)."""
    doc = Doc.of(text)
    lines = logical_lines(doc)
    layout = split_sections(doc, lines)

    amended = amend.find_title(doc, lines)
    org_span = amended or find_organization(doc, lines, layout.preamble)
    adjustments, duties = _adjustments_and_duties(doc, layout)
    unit_list, explicit_units = _units(doc, layout)
    units = finish(doc, unit_list)
    diff, change_notes = None, []
    if amended:
        diff, units, unit_list.stated, change_notes = _amendment(doc, layout)
    staff_notes: list[str] = []
    organization = doc.norm[org_span[0] : org_span[1]] if org_span else None
    staffing = _staffing(doc, layout, organization, staff_notes)
    attached = _attached(doc, layout)

    warnings = list(layout.warnings) + staff_notes
    warnings += _gaps("职责调整", adjustments.numbers) + _gaps("主要职责", duties.numbers)
    if diff is None:
        warnings += _gaps("内设机构", [d.number for d in unit_list.drafts if d.number is not None])
    warnings += change_notes
    if diff is None or diff["full_list"]:
        warnings += _unit_warnings("", unit_list.stated, units)
    warnings += _staff_warnings("", staffing)
    for office in attached:
        label = f"{office['organization'] or '挂靠机构'}："
        warnings += _unit_warnings(label, office["stated_unit_count"], office["units"])
        warnings += _staff_warnings(label, office["staffing"])

    result = {
        "kind": "amendment" if diff is not None else "regulation",
        "organization": doc.raw[org_span[0] : org_span[1]] if org_span else None,
        "organization_span": list(org_span) if org_span else None,
        "rank": find_rank(layout.preamble, lines),
        "adjustments": adjustments.texts,
        "adjustment_spans": adjustments.spans,
        "duties": duties.texts,
        "duty_spans": duties.spans,
        "stated_unit_count": unit_list.stated,
        "units": units,
        "staffing": staffing,
        "attached": attached,
        "warnings": list(dict.fromkeys(warnings)),
        "amendment": diff,
    }
    _check_evidence(result, unit_list, explicit_units, org_span is not None)
    return result
