"""Routing targets straight from a regulation text, without the database.

Used by `zhengban route --regulation FILE`, by the benchmark and to produce the test fixture.
When the org app's parser (`zhengban.org.sanding.parse_regulation`) is installed it is used;
otherwise a small reader of the common layout (numbered organs under 内设机构, "X负责…" lines
for organs outside the count, attached offices "设在…" under 其他事项) does the job.

The structure is a plain dict, so it can be stored as JSON:
    {"organization": str,
     "main_duties": [str],
     "units": [{"name", "other_names", "kind": "internal"|"extra", "duties": [str]}],
     "offices": [{"name", "duties": [str], "units": [{"name", "other_names"}]}]}
"""

from __future__ import annotations

import re

from .engine import PARENTHESIS, Target

SECTION = re.compile(r"^[一二三四五六七八九十]+、\s*(\S+)")
ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]\s*(.*)$")
OUTSIDE_COUNT = re.compile(r"^([^，,。；]{2,30}?)\s*(?:合署办公\s*[，,]?\s*)?(负责.+)$")
ATTACHED = re.compile(r"^(?P<name>.+?)设在(?P<host>[^，,]+)[，,]\s*(?P<rest>.+)$")
ORGANS = re.compile(r"内设机构\s*\S*?个[，,]?\s*即[：:]\s*(?P<list>[^；;。]+)")


def _split_name(raw: str) -> tuple[str, list[str]]:
    """指挥联络处(总值班室) → ("指挥联络处", ["总值班室"])."""
    raw = raw.strip(" 。.，,")
    others = [o.strip() for o in PARENTHESIS.findall(raw) if o.strip()]
    return PARENTHESIS.sub("", raw).strip(), others


def read_structure(text: str) -> dict:
    """Read units and duties from a regulation text of the usual 三定 layout."""
    text = text.replace("\u3000", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    structure: dict = {"organization": "", "main_duties": [], "units": [], "offices": []}
    title = next((line for line in lines if line.endswith("规定") and "职责" in line), "")
    structure["organization"] = re.split(r"主要职责|职能配置", title)[0] if title else ""
    section = ""
    current: dict | None = None
    for line in lines:
        heading = SECTION.match(line)
        if heading:
            section = heading.group(1)
            current = None
            continue
        if section.startswith("主要职责"):
            item = ITEM.match(line)
            if item:
                structure["main_duties"].append(item.group(2))
        elif section.startswith("内设机构"):
            item = ITEM.match(line)
            if item:
                name, others = _split_name(item.group(2))
                current = {"name": name, "other_names": others, "kind": "internal", "duties": []}
                structure["units"].append(current)
                continue
            outside = OUTSIDE_COUNT.match(line)
            if outside and (current is None or current["duties"]):
                names = re.split(r"[、,，]", outside.group(1).strip())
                names = [_split_name(n)[0] for n in names if n.strip()]
                structure["units"].append(
                    {
                        "name": "、".join(names),
                        "other_names": names[1:] and names,
                        "kind": "extra",
                        "duties": [outside.group(2)],
                    }
                )
                current = None
            elif current is not None:
                current["duties"].append(line)
        elif section.startswith("其他事项"):
            item = ITEM.match(line)
            body = item.group(2) if item else line
            attached = ATTACHED.match(body)
            if not attached:
                continue
            rest = attached.group("rest")
            organs = ORGANS.search(rest)
            duty_text = rest[: organs.start()] if organs else rest
            duty_text = re.sub(r"^主要", "", duty_text).strip("。 ")
            units = []
            if organs:
                for raw in re.split(r"[、,，]", organs.group("list")):
                    if raw.strip():
                        name, others = _split_name(raw)
                        units.append({"name": name, "other_names": others})
            structure["offices"].append(
                {"name": attached.group("name").strip(), "duties": [duty_text], "units": units}
            )
    return structure


def targets_from_structure(structure: dict) -> tuple[list[Target], list[str]]:
    """Targets keyed by name (attached organs as "office/organ") and the main duties."""
    targets = [
        Target(
            key=unit["name"],
            name=unit["name"],
            other_names=tuple(unit.get("other_names") or ()),
            sentences=tuple(unit.get("duties") or ()),
            kind=unit.get("kind", "internal"),
        )
        for unit in structure["units"]
    ]
    for office in structure["offices"]:
        targets.append(
            Target(
                key=office["name"],
                name=office["name"],
                sentences=tuple(office["duties"]),
                kind="attached",
            )
        )
        for unit in office["units"]:
            key = f"{office['name']}/{unit['name']}"
            targets.append(
                Target(
                    key=key,
                    name=key,
                    other_names=tuple(unit.get("other_names") or ()),
                    sentences=tuple(unit.get("duties") or ()),
                    kind="attached",
                    parent=office["name"],
                )
            )
    return targets, list(structure.get("main_duties") or ())


def structure_from_text(text: str) -> dict:
    """The org parser's reading when it is installed, else `read_structure`."""
    try:
        from zhengban.org.sanding import parse_regulation
    except ImportError:  # the router also runs without the org app
        return read_structure(text)
    return structure_from_parsed(parse_regulation(text))


def structure_from_parsed(parsed: dict) -> dict:
    """Adapt `zhengban.org.sanding.parse_regulation` output; 合署办公 organs become one."""
    units, seen = [], set()
    by_name = {unit["name"]: unit for unit in parsed.get("units") or []}
    for unit in parsed.get("units") or []:
        if unit["name"] in seen:
            continue
        group = [unit] + [by_name[n] for n in unit.get("merged_with") or () if n in by_name]
        seen.update(u["name"] for u in group)
        names = [u["name"] for u in group]
        duties = list(dict.fromkeys(d for u in group for d in u.get("duties") or ()))
        others = [o for u in group for o in u.get("other_names") or ()]
        units.append(
            {
                "name": "、".join(names),
                "other_names": (names if len(names) > 1 else []) + others,
                "kind": "internal" if unit.get("counted", True) else "extra",
                "duties": duties,
            }
        )
    offices = [
        {
            "name": office["organization"],
            "duties": list(office.get("duties") or ()),
            "units": [
                {
                    "name": unit["name"],
                    "other_names": list(unit.get("other_names") or ()),
                    "duties": list(unit.get("duties") or ()),
                }
                for unit in office.get("units") or ()
            ],
        }
        for office in parsed.get("attached") or ()
        if office.get("organization")
    ]
    return {
        "organization": parsed.get("organization") or "",
        "main_duties": list(parsed.get("duties") or ()),
        "units": units,
        "offices": offices,
    }
