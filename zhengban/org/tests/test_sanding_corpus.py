"""Every corpus document against every field its expected.json gives.

The development corpus (real texts, fragments included) is in data/sanding/, documents
written for these tests in data/sanding/own/, and the evaluation set of issue 10 (other
families of documents: fragments, amending notices, …) in data/sanding/unseen/. A field
missing from expected.json is not checked (a fragment says nothing about the sections it
lacks).
"""

import json
import re
from pathlib import Path

import pytest

from zhengban.org.sanding import decode_bytes, parse_regulation
from zhengban.org.sanding.normalize import simplify

DATA = Path(__file__).parent / "data" / "sanding"
CORPORA = [DATA, DATA / "own", DATA / "unseen"]


def name_key(name: str | None) -> str | None:
    """Names compare ignoring a bracketed second name and traditional/simplified."""
    if name is None:
        return None
    return re.sub(r"\([^()]*\)", "", simplify(name)).strip()


def names(units: list[dict], counted: bool | None = None) -> list[str]:
    return [name_key(u["name"]) for u in units if counted is None or u["counted"] == counted]


def office_view(office: dict) -> dict:
    return {
        "organization": name_key(office["organization"]),
        "stated_unit_count": office["stated_unit_count"],
        "units": names(office["units"]),
        "administrative": office["staffing"]["administrative"],
        "logistics": office["staffing"]["logistics"],
    }


def _amendment(result: dict, key: str) -> list:
    amendment = result.get("amendment") or {}
    if key == "units_renamed":
        return [[name_key(r["from"]), name_key(r["to"])] for r in amendment.get(key, [])]
    return [name_key(n) for n in amendment.get(key, [])]


def actual(result: dict, field: str):
    """The value of an expected.json field, computed from a parse result."""
    staffing = result["staffing"]
    values = {
        "kind": lambda: result["kind"],
        "units_added": lambda: _amendment(result, "units_added"),
        "units_removed": lambda: _amendment(result, "units_removed"),
        "units_renamed": lambda: _amendment(result, "units_renamed"),
        "organization": lambda: name_key(result["organization"]),
        "rank": lambda: name_key(result["rank"]),
        "adjustments": lambda: len(result["adjustments"]),
        "duties": lambda: len(result["duties"]),
        "stated_unit_count": lambda: result["stated_unit_count"],
        "counted_units": lambda: names(result["units"], counted=True),
        "extra_units": lambda: names(result["units"], counted=False),
        "administrative": lambda: staffing["administrative"],
        "logistics": lambda: staffing["logistics"],
        "posts_total": lambda: sum(p["count"] for p in staffing["posts"]),
        "attached": lambda: [office_view(o) for o in result["attached"]],
    }
    return values[field]()


def wanted(field: str, value):
    """The expected value in the form ``actual`` returns."""
    if field in ("organization", "rank"):
        return name_key(value)
    if field in ("counted_units", "extra_units", "units_added", "units_removed"):
        return [name_key(n) for n in value]
    if field == "units_renamed":
        return [[name_key(a), name_key(b)] for a, b in value]
    if field == "attached":
        return [
            {
                "organization": name_key(o.get("organization")),
                "stated_unit_count": o.get("stated_unit_count"),
                "units": [name_key(n) for n in o.get("units", [])],
                "administrative": o.get("administrative"),
                "logistics": o.get("logistics"),
            }
            for o in value
        ]
    return value


def _expected(folder: Path) -> dict:
    return json.loads((folder / "expected.json").read_text(encoding="utf-8"))


def _cases():
    for folder in CORPORA:
        for filename, fields in _expected(folder).items():
            for field, value in fields.items():
                yield pytest.param(folder / filename, field, value, id=f"{filename}:{field}")


_cache: dict[Path, dict] = {}


def parsed(path: Path) -> dict:
    if path not in _cache:
        _cache[path] = parse_regulation(decode_bytes(path.read_bytes()))
    return _cache[path]


def test_every_document_has_expectations():
    for folder in CORPORA:
        assert {p.name for p in folder.glob("*.txt")} == set(_expected(folder)), folder


def test_unseen_split_covers_every_document():
    split = json.loads((DATA / "unseen" / "split.json").read_text(encoding="utf-8"))
    named = [name for part in split.values() for name in part]
    assert sorted(named) == sorted(_expected(DATA / "unseen"))


def test_known_fields_only():
    known = {
        "organization", "rank", "adjustments", "duties", "stated_unit_count", "counted_units",
        "extra_units", "administrative", "logistics", "posts_total", "attached", "kind",
        "units_added", "units_removed", "units_renamed",
    }  # fmt: skip
    for folder in CORPORA:
        for fields in _expected(folder).values():
            assert set(fields) <= known


@pytest.mark.parametrize(("path", "field", "value"), list(_cases()))
def test_corpus_field(path, field, value):
    assert actual(parsed(path), field) == wanted(field, value)
