"""From a parsed 三定 regulation to what the database should hold, and the diff between the two.

Pure data: no queries here. `services.regulation_load` builds an `OrgSpec` per organization from
the parser's dict, reads the current state into `OrgState`, calls `diff_organization` and applies
the result. Keeping the matching in one place means the diff the CLI prints is exactly what
`--apply` writes.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import DutyKind, StaffingCategory, UnitKind

# A unit renamed between versions keeps most of its duties; below this it is a new unit.
RENAME_SIMILARITY = 0.5
# A duty edited between versions keeps most of its wording; below this it is a new duty.
DUTY_SIMILARITY = 0.5

_HEADING = re.compile(r"^[ \t\u3000]*([一二三四五六七八九十]+)、[ \t\u3000]*([^\n]{0,12})", re.M)
_ARTICLE = re.compile(r"^[ \t\u3000]*(第[一二三四五六七八九十百零〇]+条)", re.M)
_ITEM = re.compile(r"^[ \t\u3000]*[(（]([一二三四五六七八九十]+)[)）]", re.M)


def source_label(text: str, start: int | None) -> str:
    """Where a sentence sits in the regulation: "第三部分 内设机构 (十九)"."""
    if start is None or not text:
        return ""
    label = ""
    for match in _HEADING.finditer(text, 0, start):
        title = re.split(r"[，,。：:（(]", match.group(2).strip())[0]
        # Stored with the duty as data (it names the document's own parts), so not translated.
        label = f"第{match.group(1)}部分" + (f" {title}" if title else "")
    for match in _ARTICLE.finditer(text, 0, start):
        label = match.group(1)
    if not label:
        return ""
    # An item marker counts only on the sentence's own line or the line just above it (the
    # unit-name line); 离退休干部处 after item (二十六) must not borrow that number.
    line_start = text.rfind("\n", 0, start) + 1
    prev_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0
    items = list(_ITEM.finditer(text, prev_start, start))
    if items:
        label = f"{label} ({items[-1].group(1)})"
    return label


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams: enough for Chinese prose, no tokenizer."""
    grams_a = {a[i : i + 2] for i in range(len(a) - 1)} or {a}
    grams_b = {b[i : i + 2] for i in range(len(b) - 1)} or {b}
    return len(grams_a & grams_b) / len(grams_a | grams_b)


@dataclass
class DutySpec:
    text: str
    kind: str
    start: int | None = None
    end: int | None = None
    label: str = ""


@dataclass
class UnitSpec:
    name: str
    kind: str
    other_names: list[str] = field(default_factory=list)
    merged_with: list[str] = field(default_factory=list)
    duties: list[DutySpec] = field(default_factory=list)


@dataclass
class OrgSpec:
    name: str
    kind: str
    rank: str = ""
    stated_unit_count: int | None = None
    duties: list[DutySpec] = field(default_factory=list)  # adjustments first, then main
    units: list[UnitSpec] = field(default_factory=list)
    quotas: dict[str, int] = field(default_factory=dict)
    posts: list[tuple[str, str, int]] = field(default_factory=list)
    attached: list["OrgSpec"] = field(default_factory=list)


def _spans(text: str, sentences: list[str], spans: list | None, kind: str) -> list[DutySpec]:
    """Duties with their spans; when the parser gave none, find the sentence in the text."""
    result = []
    cursor = 0
    for index, sentence in enumerate(sentences):
        start = end = None
        if spans and index < len(spans) and spans[index]:
            start, end = int(spans[index][0]), int(spans[index][1])
        else:
            found = text.find(sentence, cursor)
            if found < 0:
                found = text.find(sentence)
            if found >= 0:
                start, end = found, found + len(sentence)
        if end is not None:
            cursor = end
        result.append(DutySpec(sentence, kind, start, end, source_label(text, start)))
    return result


def _quotas(staffing: dict | None) -> dict[str, int]:
    staffing = staffing or {}
    return {
        category: int(staffing[category])
        for category in StaffingCategory.values
        if staffing.get(category) is not None
    }


def _posts(staffing: dict | None) -> list[tuple[str, str, int]]:
    # The same title and grade listed twice (e.g. in a "含…" remark) is one post with the sum.
    merged: dict[tuple[str, str], int] = {}
    for post in (staffing or {}).get("posts") or []:
        key = (str(post.get("title") or "")[:60], str(post.get("grade") or "")[:20])
        if not key[0]:
            continue
        merged[key] = merged.get(key, 0) + int(post.get("count") or 0)
    return [(title, grade, count) for (title, grade), count in merged.items()]


def _units(text: str, units: list[dict]) -> list[UnitSpec]:
    result = []
    seen = set()
    for unit in units or []:
        name = str(unit.get("name") or "").strip()[:100]
        if not name or name in seen:
            continue
        seen.add(name)
        result.append(
            UnitSpec(
                name=name,
                kind=UnitKind.INTERNAL if unit.get("counted", True) else UnitKind.EXTRA,
                other_names=[str(n) for n in unit.get("other_names") or []],
                merged_with=[str(n) for n in unit.get("merged_with") or []],
                duties=_spans(text, unit.get("duties") or [], unit.get("duty_spans"), "unit"),
            )
        )
    return result


def build_spec(text: str, parsed: dict) -> OrgSpec:
    """The main organization and its attached offices as the regulation defines them."""
    from .choices import OrganizationKind

    adjustments = parsed.get("adjustments") or []
    duties = _spans(text, adjustments, parsed.get("adjustment_spans"), DutyKind.ADJUSTMENT)
    duties += _spans(text, parsed.get("duties") or [], parsed.get("duty_spans"), DutyKind.MAIN)
    spec = OrgSpec(
        name=str(parsed.get("organization") or "").strip()[:100],
        kind=OrganizationKind.MAIN,
        rank=str(parsed.get("rank") or "")[:20],
        stated_unit_count=parsed.get("stated_unit_count"),
        duties=duties,
        units=_units(text, parsed.get("units") or []),
        quotas=_quotas(parsed.get("staffing")),
        posts=_posts(parsed.get("staffing")),
    )
    for attached in parsed.get("attached") or []:
        name = str(attached.get("organization") or "").strip()[:100]
        if not name:
            continue
        spec.attached.append(
            OrgSpec(
                name=name,
                kind=OrganizationKind.ATTACHED,
                rank=str(attached.get("rank") or "")[:20],
                stated_unit_count=attached.get("stated_unit_count"),
                duties=_spans(
                    text, attached.get("duties") or [], attached.get("duty_spans"), DutyKind.MAIN
                ),
                units=_units(text, attached.get("units") or []),
                quotas=_quotas(attached.get("staffing")),
                posts=_posts(attached.get("staffing")),
            )
        )
    return spec


# --- current state and diff -------------------------------------------------------------------


@dataclass
class DutyState:
    pk: int
    unit_pk: int | None
    kind: str
    text: str


@dataclass
class UnitState:
    pk: int
    name: str
    kind: str
    other_names: list[str]
    duties: list[DutyState] = field(default_factory=list)


@dataclass
class OrgState:
    pk: int
    name: str
    rank: str
    stated_unit_count: int | None
    duties: list[DutyState]  # organization-level (adjustment, main)
    units: list[UnitState]
    quotas: dict[str, int]
    posts: dict[tuple[str, str], int]


@dataclass
class DutyMatch:
    """How one new duty relates to the old state."""

    spec: DutySpec
    unit_index: int | None  # index into OrgSpec.units; None for organization-level duties
    old: DutyState | None = None
    how: str = "added"  # same | moved | changed | added


@dataclass
class OrgDiff:
    name: str
    spec: OrgSpec
    state: OrgState | None  # None: a new organization
    unit_pks: list[int | None] = field(default_factory=list)  # per spec unit; None = new
    renamed: list[tuple[str, str, float]] = field(default_factory=list)
    units_added: list[str] = field(default_factory=list)
    units_removed: list[UnitState] = field(default_factory=list)
    kind_changed: list[tuple[str, str, str]] = field(default_factory=list)
    duty_matches: list[DutyMatch] = field(default_factory=list)
    duties_removed: list[DutyState] = field(default_factory=list)
    quota_changes: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    post_changes: list[tuple[str, str, int | None, int | None]] = field(default_factory=list)
    field_changes: list[tuple[str, object, object]] = field(default_factory=list)
    removed_organization: bool = False

    @property
    def changed(self) -> bool:
        return bool(
            self.state is None
            or self.removed_organization
            or self.renamed
            or self.units_added
            or self.units_removed
            or self.kind_changed
            or self.duties_removed
            or any(m.how != "same" for m in self.duty_matches)
            or self.quota_changes
            or self.post_changes
            or self.field_changes
        )

    def _unit_name(self, unit_pk: int | None) -> str:
        if self.state is None or unit_pk is None:
            return _("本机关")
        for unit in self.state.units:
            if unit.pk == unit_pk:
                return unit.name
        return "?"

    def lines(self) -> list[str]:
        """The diff in Chinese, one change per line, for the CLI and the review page."""
        if self.state is None:
            return [
                _("新增机构：%(name)s（%(units)d个机构，%(duties)d条职责）")
                % {
                    "name": self.name,
                    "units": len(self.spec.units),
                    "duties": len(self.spec.duties) + sum(len(u.duties) for u in self.spec.units),
                }
            ]
        out = []
        if self.removed_organization:
            out.append(_("撤销机构：%(name)s（停用，保留历史数据）") % {"name": self.name})
        labels = {"rank": _("规格"), "stated_unit_count": _("规定内设机构数")}
        for name, old, new in self.field_changes:
            out.append(f"{labels.get(name, name)}：{old or '—'} → {new or '—'}")
        for old, new, score in self.renamed:
            out.append(
                _("更名：%(old)s → %(new)s（职责相似度%(score)d%%）")
                % {"old": old, "new": new, "score": round(score * 100)}
            )
        for name in self.units_added:
            out.append(_("新设机构：%(name)s") % {"name": name})
        for unit in self.units_removed:
            out.append(_("撤销机构：%(name)s（停用，不删除）") % {"name": unit.name})
        for name, old, new in self.kind_changed:
            out.append(
                _("机构类别：%(name)s %(old)s → %(new)s")
                % {"name": name, "old": UnitKind(old).label, "new": UnitKind(new).label}
            )
        for match in self.duty_matches:
            where = (
                self.spec.units[match.unit_index].name
                if match.unit_index is not None
                else DutyKind(match.spec.kind).label
            )
            if match.how == "moved":
                out.append(
                    _("职责划转：「%(text)s」由 %(old)s 划入 %(new)s")
                    % {
                        "text": _short(match.spec.text),
                        "old": self._unit_name(match.old.unit_pk),
                        "new": where,
                    }
                )
            elif match.how == "changed":
                out.append(
                    _("职责修改（%(where)s）：「%(old)s」→「%(new)s」")
                    % {
                        "where": where,
                        "old": _short(match.old.text),
                        "new": _short(match.spec.text),
                    }
                )
            elif match.how == "added":
                out.append(
                    _("新增职责（%(where)s）：「%(text)s」")
                    % {"where": where, "text": _short(match.spec.text)}
                )
        for duty in self.duties_removed:
            out.append(
                _("删除职责（%(where)s）：「%(text)s」")
                % {
                    "where": self._unit_name(duty.unit_pk)
                    if duty.unit_pk
                    else DutyKind(duty.kind).label,
                    "text": _short(duty.text),
                }
            )
        for category, old, new in self.quota_changes:
            out.append(
                _("编制：%(cat)s %(old)s → %(new)s")
                % {
                    "cat": StaffingCategory(category).label,
                    "old": _count(old),
                    "new": _count(new),
                }
            )
        for title, grade, old, new in self.post_changes:
            out.append(
                _("领导职数：%(post)s %(old)s → %(new)s")
                % {"post": post_label(title, grade), "old": _count(old), "new": _count(new)}
            )
        return out


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(value: int | None) -> str:
    return "—" if value is None else _("%(n)d名") % {"n": value}


def post_label(title: str, grade: str) -> str:
    """ "正处级领导职数" reads as "正处级"; "主任" of grade 副局级 as "主任（副局级）"."""
    title = title.removesuffix("领导职数").removesuffix("职数") or title
    if grade and grade not in title:
        return f"{title}（{grade}）"
    return title


def _match_units(state: OrgState, spec: OrgSpec, diff: OrgDiff) -> None:
    by_name = {unit.name: unit for unit in state.units}
    unit_pks: list[int | None] = [None] * len(spec.units)
    used: set[int] = set()
    for index, unit in enumerate(spec.units):
        old = by_name.get(unit.name)
        if old is not None:
            unit_pks[index] = old.pk
            used.add(old.pk)
    # A new name that was an old unit's second name (加挂牌子) is a rename, not a new unit.
    for index, unit in enumerate(spec.units):
        if unit_pks[index] is not None:
            continue
        for old in state.units:
            if old.pk not in used and (
                unit.name in old.other_names or old.name in unit.other_names
            ):
                unit_pks[index] = old.pk
                used.add(old.pk)
                diff.renamed.append((old.name, unit.name, 1.0))
                break
    # Otherwise a rename shows in the duties: pair the most similar leftovers greedily.
    candidates = []
    for index, unit in enumerate(spec.units):
        if unit_pks[index] is not None:
            continue
        new_text = "".join(d.text for d in unit.duties)
        for old in state.units:
            if old.pk in used:
                continue
            score = similarity("".join(d.text for d in old.duties), new_text)
            if score >= RENAME_SIMILARITY:
                candidates.append((score, index, old))
    for score, index, old in sorted(candidates, key=lambda c: -c[0]):
        if unit_pks[index] is not None or old.pk in used:
            continue
        unit_pks[index] = old.pk
        used.add(old.pk)
        diff.renamed.append((old.name, spec.units[index].name, score))
    diff.unit_pks = unit_pks
    diff.units_added = [u.name for i, u in enumerate(spec.units) if unit_pks[i] is None]
    diff.units_removed = [u for u in state.units if u.pk not in used]
    olds = {u.pk: u for u in state.units}
    for index, unit in enumerate(spec.units):
        old = olds.get(unit_pks[index])
        if old is not None and old.kind != unit.kind:
            diff.kind_changed.append((unit.name, old.kind, unit.kind))


def _match_duties(state: OrgState, spec: OrgSpec, diff: OrgDiff) -> None:
    # Every old duty of the organization, organization-level and per unit.
    pool: list[DutyState] = list(state.duties)
    for unit in state.units:
        pool.extend(unit.duties)
    taken: set[int] = set()
    matches: list[DutyMatch] = [DutyMatch(d, None) for d in spec.duties]
    for index, unit in enumerate(spec.units):
        matches.extend(DutyMatch(d, index) for d in unit.duties)

    def target_pk(match: DutyMatch) -> int | None:
        return None if match.unit_index is None else diff.unit_pks[match.unit_index]

    def same_place(match: DutyMatch, old: DutyState) -> bool:
        if match.unit_index is None:
            return old.unit_pk is None and old.kind == match.spec.kind
        return old.unit_pk is not None and old.unit_pk == target_pk(match)

    by_text: dict[str, list[DutyState]] = {}
    for old in pool:
        by_text.setdefault(old.text, []).append(old)
    # 1. identical text in the same place; 2. identical text elsewhere (moved).
    for want_same in (True, False):
        for match in matches:
            if match.old is not None:
                continue
            for old in by_text.get(match.spec.text, []):
                if old.pk not in taken and same_place(match, old) == want_same:
                    match.old, match.how = old, "same" if want_same else "moved"
                    taken.add(old.pk)
                    break
    # 3. edited wording in the same place.
    for match in matches:
        if match.old is not None:
            continue
        best, best_score = None, DUTY_SIMILARITY
        for old in pool:
            if old.pk in taken or not same_place(match, old):
                continue
            score = similarity(old.text, match.spec.text)
            if score >= best_score:
                best, best_score = old, score
        if best is not None:
            match.old, match.how = best, "changed"
            taken.add(best.pk)
    diff.duty_matches = matches
    removed_units = {u.pk for u in diff.units_removed}
    # Duties of a unit that is being deactivated stay with it as history; not "removed".
    diff.duties_removed = [
        old for old in pool if old.pk not in taken and old.unit_pk not in removed_units
    ]


def diff_organization(state: OrgState | None, spec: OrgSpec) -> OrgDiff:
    diff = OrgDiff(name=spec.name, spec=spec, state=state)
    if state is None:
        diff.unit_pks = [None] * len(spec.units)
        diff.duty_matches = [DutyMatch(d, None) for d in spec.duties]
        for index, unit in enumerate(spec.units):
            diff.duty_matches.extend(DutyMatch(d, index) for d in unit.duties)
        diff.units_added = [u.name for u in spec.units]
        return diff
    for name in ("rank", "stated_unit_count"):
        old, new = getattr(state, name), getattr(spec, name)
        if (old or None) != (new or None):
            diff.field_changes.append((name, old, new))
    _match_units(state, spec, diff)
    _match_duties(state, spec, diff)
    for category in StaffingCategory.values:
        old, new = state.quotas.get(category), spec.quotas.get(category)
        if old != new and not (new is None and not old):
            diff.quota_changes.append((category, old, new))
    new_posts = {(t, g): c for t, g, c in spec.posts}
    for key in list(state.posts) + [k for k in new_posts if k not in state.posts]:
        old, new = state.posts.get(key), new_posts.get(key)
        if old != new and not (new is None and not old):
            diff.post_changes.append((key[0], key[1], old, new))
    return diff
