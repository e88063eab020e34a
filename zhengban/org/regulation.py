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
from .sanding.normalize import simplify

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
    # A duty carried over from the current state (an amendment restates only what changes)
    # keeps the regulation its span points into; other duties come from the text being loaded.
    kept: bool = False
    regulation: int | None = None


@dataclass
class UnitSpec:
    name: str
    kind: str
    other_names: list[str] = field(default_factory=list)
    merged_with: list[str] = field(default_factory=list)
    duties: list[DutySpec] = field(default_factory=list)
    pk: int | None = None  # the existing unit this one continues, when known (amendments)


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
    # Every unit carries its identity (`UnitSpec.pk`, None for a new unit): the diff takes
    # renames from it instead of guessing them from names and duties.
    pinned: bool = False


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
    renamed: list[tuple[str, str, float | None]] = field(default_factory=list)  # None: stated
    units_added: list[str] = field(default_factory=list)
    units_removed: list[UnitState] = field(default_factory=list)
    kind_changed: list[tuple[str, str, str]] = field(default_factory=list)
    # (unit name, old second names, new second names): 加挂牌子 added or dropped.
    other_names_changed: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
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
            or self.other_names_changed
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
            if score is None:  # stated by an amending notice, not inferred
                out.append(_("更名：%(old)s → %(new)s") % {"old": old, "new": new})
                continue
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
        for name, old, new in self.other_names_changed:
            out.append(
                _("加挂名称：%(name)s %(old)s → %(new)s")
                % {"name": name, "old": "、".join(old) or "—", "new": "、".join(new) or "—"}
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
    by_pk = {unit.pk: unit for unit in state.units}
    unit_pks: list[int | None] = [None] * len(spec.units)
    used: set[int] = set()
    if spec.pinned:
        for index, unit in enumerate(spec.units):
            old = by_pk.get(unit.pk)
            if old is not None and old.pk not in used:
                unit_pks[index] = old.pk
                used.add(old.pk)
                if old.name != unit.name:
                    diff.renamed.append((old.name, unit.name, None))
        _finish_units(state, spec, diff, unit_pks, used)
        return
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
    _finish_units(state, spec, diff, unit_pks, used)


def _finish_units(
    state: OrgState, spec: OrgSpec, diff: OrgDiff, unit_pks: list[int | None], used: set[int]
) -> None:
    diff.unit_pks = unit_pks
    diff.units_added = [u.name for i, u in enumerate(spec.units) if unit_pks[i] is None]
    diff.units_removed = [u for u in state.units if u.pk not in used]
    olds = {u.pk: u for u in state.units}
    for index, unit in enumerate(spec.units):
        old = olds.get(unit_pks[index])
        if old is not None and old.kind != unit.kind:
            diff.kind_changed.append((unit.name, old.kind, unit.kind))
        if old is not None and list(old.other_names) != list(unit.other_names):
            diff.other_names_changed.append((unit.name, list(old.other_names), unit.other_names))


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


# --- amending notices -------------------------------------------------------------------------

# Characters that end a place's name and begin a body's: "沈阳|市政府办公厅", "松岭|县自然资源局".
_LEVELS = "省市县区州旗盟"


def unit_key(name: str) -> str:
    """A unit name as compared across scripts and spacing (简/繁, full/half width)."""
    return re.sub(r"\s+", "", simplify(name))


def organization_key(name: str) -> str:
    """An organization name as compared: "沈阳市人民政府办公厅" and "沈阳市政府办公厅" are one."""
    return unit_key(name).replace("人民", "")


def organization_place(loaded: str, stated: str) -> str | None:
    """The place prefix that makes `stated` a name of `loaded`: "沈阳" for "沈阳市人民政府办公厅"
    and "市政府办公厅"; "" when the names are the same; None when they are not one body."""
    a, b = organization_key(loaded), organization_key(stated)
    if a == b:
        return ""
    for longer, shorter in ((a, b), (b, a)):
        if len(shorter) >= 3 and shorter[0] in _LEVELS and longer.endswith(shorter):
            head = longer[: -len(shorter)]
            if 1 <= len(head) <= 12 and not re.search(r"[\s,，、。:：;；()（）]", head):
                return head
    return None


def amended_candidates(stated: str, names: list[str], text: str, title: str | None) -> list[str]:
    """Which of the loaded organizations (`names`) an amending notice of `stated` is about.

    A notice names the body as its own government calls it ("市商务局"); the loaded name has
    the place ("清河市商务局"). When several places have such a body, the notice's place
    decides: the amended regulation's title ("《清河市商务局职能配置…规定》") rules out the
    others, then the issuer's heading ("中共清河市委机构编制委员会") picks one.
    """
    places = {name: organization_place(name, stated) for name in names}
    matches = [name for name in names if places[name] is not None]
    if title:
        title_key, stated_key = organization_key(title), organization_key(stated)
        at = title_key.find(stated_key)
        if at > 0:
            matches = [n for n in matches if places[n] in ("", title_key[:at])]
    if len(matches) > 1:
        head = unit_key(text[:400])
        named = [n for n in matches if places[n] and places[n] in head]
        exact = [n for n in matches if places[n] == ""]
        if len(named) == 1:
            return named
        if not named and len(exact) == 1:
            return exact
    return matches


@dataclass
class AmendedSpec:
    """The organization after an amending notice, and what did not fit."""

    spec: OrgSpec
    problems: list[str] = field(default_factory=list)  # the notice does not fit the state
    notes: list[str] = field(default_factory=list)  # to be checked in review


def _copy_unit(unit: UnitSpec) -> UnitSpec:
    return UnitSpec(
        name=unit.name,
        kind=unit.kind,
        other_names=list(unit.other_names),
        merged_with=list(unit.merged_with),
        duties=list(unit.duties),
        pk=unit.pk,
    )


def _clean_names(values) -> list[str]:
    return [str(v).strip()[:100] for v in values or [] if str(v or "").strip()]


def amend_spec(current: OrgSpec, text: str, parsed: dict) -> AmendedSpec:
    """The spec an amending notice makes of `current` (the organization as loaded, every unit
    with its pk and every duty `kept`): removed units dropped, renamed ones keep their row,
    added ones appended as internal units, the notice's 职责调整 added, quotas, posts and the
    stated unit count replaced where the notice gives them."""
    amendment = parsed.get("amendment") or {}
    org = current.name
    problems: list[str] = []
    notes: list[str] = []
    units = [_copy_unit(u) for u in current.units]
    by_key = {unit_key(u.name): u for u in units}

    removed: list[UnitSpec] = []
    for name in _clean_names(amendment.get("units_removed")):
        unit = by_key.get(unit_key(name))
        if unit is None:
            problems.append(_("撤销的“%(name)s”不是%(org)s现有的机构") % {"name": name, "org": org})
        elif unit not in removed:
            removed.append(unit)
    renames: list[tuple[UnitSpec, str]] = []
    for pair in amendment.get("units_renamed") or []:
        old, new = _clean_names([pair.get("from")]), _clean_names([pair.get("to")])
        if not old or not new:
            continue
        unit = by_key.get(unit_key(old[0]))
        if unit is None:
            problems.append(
                _("更名的“%(name)s”不是%(org)s现有的机构") % {"name": old[0], "org": org}
            )
            continue
        clash = by_key.get(unit_key(new[0]))
        if clash is not None and clash is not unit and clash not in removed:
            problems.append(
                _("“%(old)s”更名后的“%(new)s”已是%(org)s现有的机构")
                % {"old": old[0], "new": new[0], "org": org}
            )
            continue
        renames.append((unit, new[0]))
    renamed_from = {unit_key(u.name) for u, _new in renames}
    added: list[str] = []
    for name in _clean_names(amendment.get("units_added")):
        existing = by_key.get(unit_key(name))
        if existing is not None and existing not in removed and unit_key(name) not in renamed_from:
            problems.append(_("增设的“%(name)s”已是%(org)s现有的机构") % {"name": name, "org": org})
        elif name not in added:
            added.append(name)

    # Renames first, then removals; 合署办公 links follow the names.
    for unit, new in renames:
        old_key = unit_key(unit.name)
        for other in units:
            other.merged_with = [new if unit_key(m) == old_key else m for m in other.merged_with]
        unit.name = new
    gone = {unit_key(u.name) for u in removed}
    units = [u for u in units if u not in removed]
    for unit in units:
        unit.merged_with = [m for m in unit.merged_with if unit_key(m) not in gone]
    new_units = [UnitSpec(name=name, kind=UnitKind.INTERNAL) for name in added]

    listed = [u for u in parsed.get("units") or [] if str(u.get("name") or "").strip()]
    if amendment.get("full_list") and listed:
        # The notice restates the whole list after the change: its order, and an internal unit
        # it leaves out is abolished even when not said so (shown for review).
        pool = {unit_key(u.name): u for u in units}
        fresh = {unit_key(u.name): u for u in new_units}
        ordered: list[UnitSpec] = []
        for item in listed:
            name = str(item["name"]).strip()[:100]
            key = unit_key(name)
            unit = pool.pop(key, None) or fresh.pop(key, None)
            if unit is None:
                notes.append(_("通知所列“%(name)s”不是现有的机构，按新设处理") % {"name": name})
                unit = UnitSpec(name=name, kind=UnitKind.INTERNAL)
            if unit not in ordered:
                ordered.append(unit)
        ordered += fresh.values()
        for unit in units:
            if unit_key(unit.name) not in pool:
                continue
            if unit.kind == UnitKind.INTERNAL:
                notes.append(
                    _("“%(name)s”未列入调整后的内设机构，按撤销处理") % {"name": unit.name}
                )
            else:
                ordered.append(unit)  # 机关党委 and the like are never in the counted list
        units = ordered
    else:
        last_internal = max(
            (i for i, u in enumerate(units) if u.kind == UnitKind.INTERNAL), default=-1
        )
        units = units[: last_internal + 1] + new_units + units[last_internal + 1 :]

    # Two active units of one organization may not share a name (the database refuses it).
    final: dict[str, UnitSpec] = {}
    for unit in units:
        if unit_key(unit.name) in final:
            problems.append(_("调整后有两个名为“%(name)s”的机构") % {"name": unit.name})
        final.setdefault(unit_key(unit.name), unit)

    # 加挂…牌子: a second name for a unit.
    for item in listed:
        unit = final.get(unit_key(str(item["name"])))
        if unit is None:
            # Named as kept or merged ("A和B合并，组建A") but not among the units.
            notes.append(_("通知提到的“%(name)s”不是现有的机构") % {"name": item["name"]})
            continue
        for other in _clean_names(item.get("other_names")):
            if other not in unit.other_names:
                unit.other_names.append(other)

    adjustments = _spans(
        text, parsed.get("adjustments") or [], parsed.get("adjustment_spans"), DutyKind.ADJUSTMENT
    )
    duties = [d for d in current.duties if d.kind == DutyKind.ADJUSTMENT]
    duties += adjustments + [d for d in current.duties if d.kind != DutyKind.ADJUSTMENT]

    quotas = dict(current.quotas)
    quotas.update(_quotas(parsed.get("staffing")))
    posts = list(current.posts)
    for title, grade, count in _posts(parsed.get("staffing")):
        at = next(
            (
                i
                for i, (t, g, _n) in enumerate(posts)
                if unit_key(t) == unit_key(title) and (g or "") == (grade or "")
            ),
            None,
        )
        if at is None:
            notes.append(
                _("领导职数“%(post)s”不是现有的职数项，将作为新的职数加入；请核对是否替代原有职数")
                % {"post": post_label(title, grade)}
            )
            posts.append((title, grade, count))
        else:
            posts[at] = (posts[at][0], posts[at][1], count)

    stated = parsed.get("stated_unit_count")
    stated = current.stated_unit_count if stated is None else int(stated)
    counted = sum(1 for u in units if u.kind == UnitKind.INTERNAL)
    if parsed.get("stated_unit_count") is not None and counted != stated:
        notes.append(
            _("通知写明调整后内设机构%(stated)d个，按所列调整计算为%(counted)d个")
            % {"stated": stated, "counted": counted}
        )
    spec = OrgSpec(
        name=current.name,
        kind=current.kind,
        rank=current.rank,
        stated_unit_count=stated,
        duties=duties,
        units=units,
        quotas=quotas,
        posts=posts,
        pinned=True,
    )
    return AmendedSpec(spec, problems, notes)
