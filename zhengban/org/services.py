"""Writes for the organization: loading the 三定 regulation, appointments within the approved
staffing (编制, 领导职数), and the directory of external handling units."""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengban.audit.services import audit_record

from .choices import DutyKind, ExternalUnitKind, OrganizationKind, StaffingCategory, UnitKind
from .models import (
    Appointment,
    Duty,
    LeadershipPost,
    Organization,
    Person,
    Regulation,
    StaffingQuota,
    Unit,
    UnitContact,
)
from .regulation import (
    DutySpec,
    DutyState,
    OrgDiff,
    OrgSpec,
    OrgState,
    UnitSpec,
    UnitState,
    amend_spec,
    amended_candidates,
    build_spec,
    diff_organization,
    post_label,
)

# --- regulation -------------------------------------------------------------------------------


class RegulationLoadError(Exception):
    """The text cannot be loaded; the message is one line the user may see."""


class AmbiguousOrganization(RegulationLoadError):
    """An amending notice fits several loaded organizations; the caller must name one."""

    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


@dataclass
class LoadResult:
    organization: Organization | None
    regulation: Regulation | None
    created: bool = False  # first load: everything was created
    applied: bool = False  # a changed version was written
    diffs: list[OrgDiff] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    amendment: bool = False  # an amending notice (调整通知), not a whole regulation
    already_applied: bool = False  # this notice was applied before: nothing to do
    notes: list[str] = field(default_factory=list)  # what the reviewer should check
    # Approved numbers the change brings below the people in place (超编); --apply is refused
    # for them unless `accept_over_quota`.
    shortfalls: list[str] = field(default_factory=list)
    blocked: bool = False  # apply was asked for and refused because of `shortfalls`

    @property
    def changed(self) -> bool:
        return any(diff.changed for diff in self.diffs)

    def diff_lines(self) -> list[str]:
        out = []
        for diff in self.diffs:
            if diff.changed:
                out.append(f"【{diff.name}】")
                out += ["  " + line for line in diff.lines()]
        return out

    def review_lines(self) -> list[str]:
        """The diff as reviewed, with what to check: what `digest` covers."""
        out = self.diff_lines()
        out += [_("核对提示：%(n)s") % {"n": n} for n in self.notes]
        out += [_("超编提示：%(s)s") % {"s": s} for s in self.shortfalls]
        return out

    @property
    def digest(self) -> str:
        """Fingerprint of the reviewed diff: applying checks it is still the same."""
        return hashlib.sha256("\n".join(self.review_lines()).encode("utf-8")).hexdigest()

    def lines(self) -> list[str]:
        """What the CLI prints, in Chinese."""
        name = self.organization.name if self.organization else ""
        if self.created:
            out = [_("已载入：%(name)s") % {"name": name}]
            out += ["  " + line for diff in self.diffs for line in diff.lines()]
        elif self.already_applied:
            out = [_("%(name)s：该调整通知已经应用，无变化。") % {"name": name}]
        elif not self.changed:
            out = [_("%(name)s：与已载入的三定规定一致，无变化。") % {"name": name}]
        else:
            out = [
                _("%(name)s：按调整通知应作以下变化：") % {"name": name}
                if self.amendment
                else _("%(name)s：与已载入的三定规定相比有以下变化：") % {"name": name}
            ]
            out += self.review_lines()
            if self.applied:
                out.append(_("已应用上述变化。"))
            elif self.blocked:
                out.append(
                    _(
                        "未应用：调整后的编制或领导职数少于实有人数；"
                        "核实后加 --apply --accept-over-quota 执行。"
                    )
                )
            else:
                out.append(_("未应用：确认无误后加 --apply 重新执行。"))
        out += [_("解析提示：%(w)s") % {"w": w} for w in self.warnings]
        return out


def _parse(text: str) -> dict:
    from zhengban.org.sanding import SandingError, parse_regulation

    try:
        return parse_regulation(text)
    except SandingError as error:
        raise RegulationLoadError(
            str(error).splitlines()[0] if str(error) else "解析失败"
        ) from error


def regulation_load(
    *,
    text: str,
    title: str,
    actor,
    apply: bool = False,
    organization: str | None = None,
    accept_over_quota: bool = False,
    expect_digest: str | None = None,
    create_at_once: bool = True,
) -> LoadResult:
    """Load a 三定 regulation, or apply an amending notice (调整通知) to the organization it
    amends. A new organization is created outright; a new version of an existing one, or a
    notice, is diffed against the database and written only with `apply=True`.

    `organization` names the organization a notice amends when its name fits several.
    A change that brings an approved number below the people in place is reported and not
    applied unless `accept_over_quota`. `expect_digest` is the `LoadResult.digest` of the
    diff the user reviewed: when the state has changed since, nothing is written.
    `create_at_once=False` previews a new organization too (the upload page reviews every
    load) instead of creating it without `apply`.
    """
    if not text or not text.strip():
        raise RegulationLoadError(_("文件为空。"))
    parsed = _parse(text)
    if parsed.get("kind") == "amendment":
        return regulation_amend(
            text=text,
            parsed=parsed,
            title=title,
            actor=actor,
            apply=apply,
            organization=organization,
            accept_over_quota=accept_over_quota,
            expect_digest=expect_digest,
        )
    spec = build_spec(text, parsed)
    if not spec.name:
        raise RegulationLoadError(_("未能识别三定规定所设立的机构名称，不能载入。"))
    warnings = [str(w) for w in parsed.get("warnings") or []]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        existing = (
            Organization.objects.select_for_update()
            .filter(name=spec.name, parent__isnull=True)
            .select_related("regulation")
            .first()
        )
        if existing is None:
            # Names are unique across the database: a second city's "市政府参事室" would
            # collide with the first's.
            clash = list(
                Organization.objects.filter(name__in=[a.name for a in spec.attached]).values_list(
                    "name", flat=True
                )
            )
            if clash:
                raise RegulationLoadError(
                    _("挂靠机构“%(name)s”与已载入的机构同名，不能载入。") % {"name": clash[0]}
                )
            diffs = [diff_organization(None, s) for s in [spec, *spec.attached]]
            if not (apply or create_at_once):
                return LoadResult(None, None, diffs=diffs, warnings=warnings)
            _may_apply(LoadResult(None, None, diffs=diffs), accept_over_quota, expect_digest)
            regulation = Regulation.objects.create(
                title=title, source_text=text, sha256=digest, parsed=parsed
            )
            existing = _organization_create(spec, regulation, parent=None, order=_next_order())
            for index, attached in enumerate(spec.attached, start=1):
                _organization_create(
                    attached, regulation, parent=existing, order=existing.order + index
                )
            audit_record(
                actor=actor,
                action="org.regulation_load",
                target=existing,
                summary=_("载入三定规定《%(title)s》") % {"title": title},
                changes={
                    "regulation": regulation.pk,
                    "units": sum(len(s.units) for s in [spec, *spec.attached]),
                    "attached": [s.name for s in spec.attached],
                },
            )
            return LoadResult(existing, regulation, created=True, diffs=diffs, warnings=warnings)

        diffs = _diffs(existing, spec)
        same_text = existing.regulation.sha256 == digest
        result = LoadResult(existing, existing.regulation, diffs=diffs, warnings=warnings)
        result.shortfalls = _shortfalls(diffs)
        if not apply or (same_text and not result.changed):
            return result
        if not _may_apply(result, accept_over_quota, expect_digest):
            return result
        regulation = Regulation.objects.create(
            title=title, source_text=text, sha256=digest, parsed=parsed
        )
        for diff in diffs:
            _apply_diff(diff, regulation, existing)
        audit_record(
            actor=actor,
            action="org.regulation_apply",
            target=existing,
            summary=_("按新版三定规定《%(title)s》调整机构") % {"title": title},
            changes={
                "regulation": regulation.pk,
                "diff": [x for d in diffs for x in d.lines()],
                "over_quota": result.shortfalls,
            },
        )
        result.regulation, result.applied = regulation, True
        return result


def _may_apply(result: LoadResult, accept_over_quota: bool, expect_digest: str | None) -> bool:
    """Whether a reviewed change may be written: the diff is the one reviewed, and 超编 is
    accepted knowingly. Refusing over quota is a result (shown with the diff), not an error."""
    if expect_digest is not None and expect_digest != result.digest:
        raise RegulationLoadError(_("核对之后机构现状已有变化，请重新核对差异后再应用。"))
    if result.shortfalls and not accept_over_quota:
        result.blocked = True
        return False
    return True


def _shortfalls(diffs: list[OrgDiff]) -> list[str]:
    """Quota and post changes that leave fewer places than the people appointed to them
    (2007 条例 art. 6: no staffing beyond establishment); the count `org check` would show."""
    out = []
    today = active_appointments()
    for diff in diffs:
        if diff.state is None:
            continue
        org_pk = diff.state.pk
        if diff.quota_changes:
            filled = dict(
                Appointment.objects.filter(today, organization_id=org_pk)
                .order_by()  # the default ordering would split the groups
                .values("category")
                .annotate(n=Count("pk"))
                .values_list("category", "n")
            )
            for category, _old, new in diff.quota_changes:
                people = filled.get(category, 0)
                if (new or 0) < people:
                    out.append(
                        _("%(org)s%(cat)s调整为%(new)d名，实有%(n)d名，超编%(over)d名")
                        % {
                            "org": diff.name,
                            "cat": StaffingCategory(category).label,
                            "new": new or 0,
                            "n": people,
                            "over": people - (new or 0),
                        }
                    )
        for title, grade, _old, new in diff.post_changes:
            people = Appointment.objects.filter(
                today, post__organization_id=org_pk, post__title=title, post__grade=grade
            ).count()
            if (new or 0) < people:
                out.append(
                    _("%(org)s%(post)s调整为%(new)d名，实有%(n)d名，超职数%(over)d名")
                    % {
                        "org": diff.name,
                        "post": post_label(title, grade),
                        "new": new or 0,
                        "n": people,
                        "over": people - (new or 0),
                    }
                )
    return out


# --- amending notices -------------------------------------------------------------------------


def regulation_amend(
    *,
    text: str,
    parsed: dict,
    title: str,
    actor,
    apply: bool = False,
    organization: str | None = None,
    accept_over_quota: bool = False,
    expect_digest: str | None = None,
) -> LoadResult:
    """Apply an amending notice (关于调整…职责机构编制的通知) to the organization it amends.

    The notice states only what changes, so the new spec is the organization's current state
    with the changes applied (`regulation.amend_spec`), shown and applied through the same
    diff as a new regulation. The notice is kept as its own `Regulation`, linked to the one in
    force (`amends`); the duties it adds point into its text, the others keep their source.
    """
    warnings = [str(w) for w in parsed.get("warnings") or []]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        target = _amended_organization(parsed, text, organization)
        target = (
            Organization.objects.select_for_update().select_related("regulation").get(pk=target.pk)
        )
        result = LoadResult(target, target.regulation, warnings=warnings, amendment=True)
        if _applied_before(target.regulation, digest):
            result.already_applied = True
            return result
        amended = amend_spec(_current_spec(target), text, parsed)
        if amended.problems:
            raise RegulationLoadError(
                _("调整通知与%(org)s的现状不符，不能应用：%(p)s。")
                % {"org": target.name, "p": "；".join(amended.problems)}
            )
        state = _org_states([target])[target.pk]
        result.diffs = [diff_organization(state, amended.spec)]
        result.notes = amended.notes
        result.shortfalls = _shortfalls(result.diffs)
        if not apply or not result.changed:
            return result
        if not _may_apply(result, accept_over_quota, expect_digest):
            return result
        regulation = Regulation.objects.create(
            title=title,
            source_text=text,
            sha256=digest,
            parsed=parsed,
            amends=target.regulation,
        )
        main = target.parent or target
        _apply_diff(result.diffs[0], regulation, main)
        audit_record(
            actor=actor,
            action="org.regulation_amend",
            target=target,
            summary=_("按调整通知《%(title)s》调整%(org)s") % {"title": title, "org": target.name},
            changes={
                "regulation": regulation.pk,
                "amends": target.regulation_id,
                "diff": result.diffs[0].lines(),
                "notes": result.notes,
                "over_quota": result.shortfalls,
            },
        )
        result.regulation, result.applied = regulation, True
        return result


def _amended_organization(parsed: dict, text: str, name: str | None) -> Organization:
    active = list(Organization.objects.filter(active=True).order_by("order", "pk"))
    if name:
        chosen = next((o for o in active if o.name == name.strip()), None)
        if chosen is None:
            raise RegulationLoadError(_("没有名为“%(name)s”的在用机构。") % {"name": name})
        return chosen
    stated = str(parsed.get("organization") or "").strip()
    if not stated:
        raise RegulationLoadError(_("调整通知未写明所调整的机构，不能应用。"))
    amends = (parsed.get("amendment") or {}).get("amends")
    names = amended_candidates(stated, [o.name for o in active], text, amends)
    if not names:
        source = _("《%(t)s》") % {"t": amends} if amends else _("三定规定")
        raise RegulationLoadError(
            _("调整通知所调整的“%(name)s”尚未载入，请先载入其%(source)s。")
            % {"name": stated, "source": source}
        )
    if len(names) > 1:
        raise AmbiguousOrganization(
            _("调整通知所调整的“%(name)s”对应多个已载入的机构：%(names)s；请指定要调整的机构。")
            % {"name": stated, "names": "、".join(names)},
            names,
        )
    return next(o for o in active if o.name == names[0])


def _applied_before(regulation: Regulation | None, digest: str) -> bool:
    """Whether the notice is the regulation in force or one of the notices it builds on."""
    seen = set()
    while regulation is not None and regulation.pk not in seen:
        if regulation.sha256 == digest:
            return True
        seen.add(regulation.pk)
        regulation = regulation.amends
    return False


def _current_spec(organization: Organization) -> OrgSpec:
    """The organization as loaded, as a spec: every unit with its pk, every duty kept with the
    regulation its span points into."""
    units = list(
        Unit.objects.filter(organization=organization, active=True)
        .order_by("order", "pk")
        .prefetch_related("merged_with")
    )
    specs = {
        u.pk: UnitSpec(
            name=u.name,
            kind=u.kind,
            other_names=list(u.other_names or []),
            merged_with=[m.name for m in u.merged_with.all() if m.active],
            pk=u.pk,
        )
        for u in units
    }
    duties = []
    for duty in Duty.objects.filter(organization=organization).order_by("order", "pk"):
        kept = DutySpec(
            duty.text,
            duty.kind,
            duty.span_start,
            duty.span_end,
            duty.source_label,
            kept=True,
            regulation=duty.regulation_id,
        )
        if duty.unit_id is None:
            duties.append(kept)
        elif duty.unit_id in specs:
            specs[duty.unit_id].duties.append(kept)
    quotas = dict(
        StaffingQuota.objects.filter(organization=organization).values_list("category", "approved")
    )
    posts = [
        (p.title, p.grade, p.count)
        for p in LeadershipPost.objects.filter(organization=organization).order_by("order", "pk")
    ]
    return OrgSpec(
        name=organization.name,
        kind=organization.kind,
        rank=organization.rank,
        stated_unit_count=organization.stated_unit_count,
        duties=duties,
        units=list(specs.values()),
        quotas=quotas,
        posts=posts,
        pinned=True,
    )


def _next_order() -> int:
    last = Organization.objects.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 100


def _organization_create(
    spec: OrgSpec, regulation: Regulation, *, parent: Organization | None, order: int
) -> Organization:
    organization = Organization.objects.create(
        name=spec.name,
        kind=OrganizationKind.MAIN if parent is None else OrganizationKind.ATTACHED,
        rank=spec.rank,
        parent=parent,
        regulation=regulation,
        stated_unit_count=spec.stated_unit_count,
        order=order,
    )
    units = Unit.objects.bulk_create(
        [
            Unit(
                organization=organization,
                name=u.name,
                other_names=u.other_names,
                kind=u.kind,
                order=index,
            )
            for index, u in enumerate(spec.units, start=1)
        ]
    )
    _merge_links(organization, spec, units)
    duties = [_duty(d, organization, None, regulation, i) for i, d in enumerate(spec.duties)]
    for unit, unit_spec in zip(units, spec.units, strict=True):
        duties += [
            _duty(d, organization, unit, regulation, i) for i, d in enumerate(unit_spec.duties)
        ]
    Duty.objects.bulk_create(duties, batch_size=500)
    StaffingQuota.objects.bulk_create(
        [
            StaffingQuota(organization=organization, category=c, approved=n)
            for c, n in spec.quotas.items()
        ]
    )
    LeadershipPost.objects.bulk_create(
        [
            LeadershipPost(organization=organization, title=t, grade=g, count=n, order=i)
            for i, (t, g, n) in enumerate(spec.posts)
        ]
    )
    return organization


def _duty(spec: DutySpec, organization, unit, regulation, order) -> Duty:
    return Duty(
        organization=organization,
        unit=unit,
        kind=spec.kind,
        text=spec.text,
        order=order,
        # A duty an amendment carries over keeps pointing into the text it came from.
        regulation_id=spec.regulation if spec.kept else regulation.pk,
        span_start=spec.start,
        span_end=spec.end,
        source_label=spec.label[:80],
    )


def _merge_links(organization: Organization, spec: OrgSpec, units: list[Unit]) -> None:
    """合署办公 links, both directions (the relation is symmetrical)."""
    through = Unit.merged_with.through
    through.objects.filter(from_unit__organization=organization).delete()
    by_name = {u.name: u for u in units}
    for unit_spec in spec.units:
        for other in unit_spec.other_names:
            by_name.setdefault(other, by_name.get(unit_spec.name))
    rows = set()
    for unit, unit_spec in zip(units, spec.units, strict=True):
        for name in unit_spec.merged_with:
            other = by_name.get(name)
            if other is not None and other.pk != unit.pk:
                rows.add((unit.pk, other.pk))
                rows.add((other.pk, unit.pk))
    through.objects.bulk_create([through(from_unit_id=a, to_unit_id=b) for a, b in rows])


def _diffs(organization: Organization, spec: OrgSpec) -> list[OrgDiff]:
    attached = {o.name: o for o in Organization.objects.filter(parent=organization)}
    states = _org_states([organization, *attached.values()])
    diffs = [diff_organization(states[organization.pk], spec)]
    for attached_spec in spec.attached:
        existing = attached.pop(attached_spec.name, None)
        state = states[existing.pk] if existing is not None and existing.active else None
        diff = diff_organization(state, attached_spec)
        if existing is not None and not existing.active:
            diff.field_changes.append(("active", _("已撤销"), _("恢复")))
        diffs.append(diff)
    for gone in attached.values():
        if gone.active:
            state = states[gone.pk]
            diff = diff_organization(state, OrgSpec(name=gone.name, kind=gone.kind))
            diff.removed_organization = True
            diffs.append(diff)
    return diffs


def _org_states(organizations: list[Organization]) -> dict[int, OrgState]:
    pks = [o.pk for o in organizations]
    states = {
        o.pk: OrgState(o.pk, o.name, o.rank, o.stated_unit_count, [], [], {}, {})
        for o in organizations
    }
    units = {}
    for unit in Unit.objects.filter(organization__in=pks, active=True).order_by("order", "pk"):
        units[unit.pk] = UnitState(unit.pk, unit.name, unit.kind, list(unit.other_names or []))
        states[unit.organization_id].units.append(units[unit.pk])
    for duty in Duty.objects.filter(organization__in=pks).order_by("order", "pk"):
        state = DutyState(duty.pk, duty.unit_id, duty.kind, duty.text)
        if duty.unit_id is None:
            states[duty.organization_id].duties.append(state)
        elif duty.unit_id in units:
            units[duty.unit_id].duties.append(state)
    for quota in StaffingQuota.objects.filter(organization__in=pks):
        states[quota.organization_id].quotas[quota.category] = quota.approved
    for post in LeadershipPost.objects.filter(organization__in=pks):
        states[post.organization_id].posts[(post.title, post.grade)] = post.count
    return states


def _apply_diff(diff: OrgDiff, regulation: Regulation, main: Organization) -> None:
    spec = diff.spec
    organization = Organization.objects.filter(name=diff.name).first()
    if organization is None:
        _organization_create(spec, regulation, parent=main, order=_next_order())
        return
    if diff.removed_organization:
        organization.active = False
        organization.save(update_fields=["active"])
        Unit.objects.filter(organization=organization).update(active=False)
        StaffingQuota.objects.filter(organization=organization).update(approved=0)
        LeadershipPost.objects.filter(organization=organization).update(count=0)
        return
    organization.rank = spec.rank
    organization.stated_unit_count = spec.stated_unit_count
    organization.regulation = regulation
    organization.active = True
    organization.save(update_fields=["rank", "stated_unit_count", "regulation", "active"])

    # Units: deactivate the removed, park renamed ones on a temporary name so that a swap of
    # names cannot trip the unique-active-name constraint, then write the final names.
    Unit.objects.filter(pk__in=[u.pk for u in diff.units_removed]).update(active=False)
    kept = [pk for pk in diff.unit_pks if pk is not None]
    for pk in kept:
        Unit.objects.filter(pk=pk).update(name=f"~{pk}")
    units: list[Unit] = []
    for index, (pk, unit_spec) in enumerate(zip(diff.unit_pks, spec.units, strict=True), 1):
        fields = {
            "name": unit_spec.name,
            "other_names": unit_spec.other_names,
            "kind": unit_spec.kind,
            "order": index,
        }
        if pk is None:
            units.append(Unit.objects.create(organization=organization, **fields))
        else:
            Unit.objects.filter(pk=pk).update(active=True, **fields)
            units.append(Unit(pk=pk, organization=organization, **fields))
    _merge_links(organization, spec, units)

    # Duties: keep the row (and its pk) of every matched duty, point it at the new text.
    order_in: dict[int | None, int] = {}
    to_create, to_update = [], []
    for match in diff.duty_matches:
        unit = units[match.unit_index] if match.unit_index is not None else None
        key = unit.pk if unit else None
        order_in[key] = order_in.get(key, -1) + 1
        duty = _duty(match.spec, organization, unit, regulation, order_in[key])
        if match.old is None:
            to_create.append(duty)
        else:
            duty.pk = match.old.pk
            to_update.append(duty)
    Duty.objects.bulk_update(
        to_update,
        ["unit", "kind", "text", "order", "regulation", "span_start", "span_end", "source_label"],
        batch_size=500,
    )
    Duty.objects.bulk_create(to_create, batch_size=500)
    Duty.objects.filter(pk__in=[d.pk for d in diff.duties_removed]).delete()

    # Staffing: a category or post the new text drops goes to 0 rather than away, so people
    # still holding it show as over quota (`org check`) instead of vanishing from the count.
    for category in StaffingCategory.values:
        approved = spec.quotas.get(category)
        quota = StaffingQuota.objects.filter(organization=organization, category=category)
        if approved is None:
            quota.update(approved=0)
        elif not quota.update(approved=approved):
            StaffingQuota.objects.create(
                organization=organization, category=category, approved=approved
            )
    wanted = {(t, g): (i, n) for i, (t, g, n) in enumerate(spec.posts)}
    for post in LeadershipPost.objects.filter(organization=organization):
        order, count = wanted.pop((post.title, post.grade), (post.order, 0))
        if (post.order, post.count) != (order, count):
            post.order, post.count = order, count
            post.save(update_fields=["order", "count"])
    LeadershipPost.objects.bulk_create(
        [
            LeadershipPost(organization=organization, title=t, grade=g, count=n, order=i)
            for (t, g), (i, n) in wanted.items()
        ]
    )


# --- appointments -----------------------------------------------------------------------------


def active_appointments(today: date | None = None) -> Q:
    """Appointments in force on `today`: no end date, or one still ahead."""
    today = today or timezone.localdate()
    return Q(end__isnull=True) | Q(end__gt=today)


def appointment_create(
    *,
    person: Person,
    organization: Organization,
    unit: Unit | None,
    category: str,
    post: LeadershipPost | None = None,
    position: str,
    start: date,
    actor,
) -> Appointment:
    """Appoint a person within the approved staffing. Refused (ValidationError, code
    "quota_exceeded") when the category's 编制 or the post's 职数 is used up (2007 条例 art. 6,
    art. 26: no staffing beyond establishment, no leaders beyond 职数)."""
    if category not in StaffingCategory.values:
        raise ValidationError(_("未知编制类别：%(c)s") % {"c": category}, code="invalid")
    if unit is not None and unit.organization_id != organization.pk:
        raise ValidationError(
            _("%(unit)s不属于%(org)s。") % {"unit": unit, "org": organization}, code="invalid"
        )
    if post is not None and post.organization_id != organization.pk:
        raise ValidationError(
            _("领导职数%(post)s不属于%(org)s。") % {"post": post, "org": organization},
            code="invalid",
        )
    label = StaffingCategory(category).label
    with transaction.atomic():
        # Lock the quota (and post) row first: a concurrent appointment waits here and counts
        # again after this one commits, so two cannot both take the last place.
        quota = (
            StaffingQuota.objects.select_for_update()
            .filter(organization=organization, category=category)
            .first()
        )
        if quota is None:
            raise ValidationError(
                _("%(org)s未核定%(cat)s，不能任职。") % {"org": organization, "cat": label},
                code="quota_exceeded",
            )
        active = active_appointments(start if start > timezone.localdate() else None)
        filled = Appointment.objects.filter(
            active, organization=organization, category=category
        ).count()
        if filled >= quota.approved:
            raise ValidationError(
                _("%(cat)s已满：核定%(approved)d名，已用%(filled)d名")
                % {"cat": label, "approved": quota.approved, "filled": filled},
                code="quota_exceeded",
            )
        if post is not None:
            post = LeadershipPost.objects.select_for_update().get(pk=post.pk)
            held = Appointment.objects.filter(active, post=post).count()
            if held >= post.count:
                raise ValidationError(
                    _("%(post)s职数已满：核定%(approved)d名，已用%(filled)d名")
                    % {
                        "post": post_label(post.title, post.grade),
                        "approved": post.count,
                        "filled": held,
                    },
                    code="quota_exceeded",
                )
        # 实名制: one person holds one place; the old appointment is ended first.
        if Appointment.objects.filter(active, person=person).exists():
            raise ValidationError(
                _("%(person)s已有在任职务，请先办理免职。") % {"person": person},
                code="already_appointed",
            )
        appointment = Appointment.objects.create(
            person=person,
            organization=organization,
            unit=unit,
            category=category,
            post=post,
            position=position,
            start=start,
        )
        audit_record(
            actor=actor,
            action="org.appointment_create",
            target=appointment,
            summary=_("%(person)s任%(org)s%(unit)s%(position)s")
            % {
                "person": person,
                "org": organization,
                "unit": unit or "",
                "position": position,
            },
            changes={
                "person": person.pk,
                "unit": getattr(unit, "pk", None),
                "category": category,
                "post": getattr(post, "pk", None),
                "start": start.isoformat(),
            },
        )
    return appointment


def appointment_end(*, appointment: Appointment, end: date, actor) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.end is not None:
            raise ValidationError(
                _("该任职已于%(d)s免职。") % {"d": appointment.end}, code="invalid"
            )
        if end < appointment.start:
            raise ValidationError(_("免职日期不能早于任职日期。"), code="invalid")
        appointment.end = end
        appointment.save(update_fields=["end"])
        audit_record(
            actor=actor,
            action="org.appointment_end",
            target=appointment,
            summary=_("免去%(person)s%(position)s")
            % {"person": appointment.person, "position": appointment.position},
            changes={"end": end.isoformat()},
        )
    return appointment


# --- external units ---------------------------------------------------------------------------

EXTERNAL_IMPORT_MAX_BYTES = 5 * 1024 * 1024
EXTERNAL_COLUMNS = ["名称", "类别", "主要职责", "地址", "联络员", "职务", "电话", "电子邮箱"]
EXTERNAL_KINDS = {
    "市直部门": ExternalUnitKind.DEPARTMENT,
    "区县政府": ExternalUnitKind.DISTRICT,
    "区县(市)政府": ExternalUnitKind.DISTRICT,
    "其他": ExternalUnitKind.OTHER,
}


class ImportRefused(Exception):
    """The file was not imported; `errors` lists (row number, message), row 0 = the file."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(
            "; ".join(_("第%(n)d行：%(m)s") % {"n": r, "m": m} if r else m for r, m in errors)
        )


@dataclass
class ImportResult:
    created: int
    updated: int


def _read_rows(data: bytes) -> list[list[str]]:
    """Rows of an .xlsx (a zip, starting with PK) or of a CSV in UTF-8 or GB18030."""
    if len(data) > EXTERNAL_IMPORT_MAX_BYTES:
        raise ImportRefused([(0, _("文件超过5 MB，不能导入。"))])
    if data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            return [
                ["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ImportRefused([(0, _("不是有效的Excel(.xlsx)文件。"))]) from error
    if b"\x00" in data:
        raise ImportRefused([(0, _("文件不是CSV或Excel(.xlsx)格式。"))])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused([(0, _("CSV文件须为UTF-8或GB18030编码。"))])
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def _split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[；;。\n]", text) if s.strip()]


def external_units_import(*, file, actor) -> ImportResult:
    """Upsert external handling units by name from CSV/XLSX; all rows or none."""
    data = file.read() if hasattr(file, "read") else bytes(file)
    rows = [row for row in _read_rows(data) if any(row)]
    if not rows:
        raise ImportRefused([(0, _("文件没有内容。"))])
    header = rows[0]
    missing = [c for c in ("名称", "类别") if c not in header]
    if missing:
        raise ImportRefused([(1, _("缺少列：%(c)s") % {"c": "、".join(missing)})])
    index = {name: header.index(name) for name in EXTERNAL_COLUMNS if name in header}
    errors: list[tuple[int, str]] = []
    records: list[dict] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        record = {c: (row[i] if i < len(row) else "") for c, i in index.items()}
        name = record.get("名称", "")
        if not name:
            errors.append((number, _("名称为空")))
            continue
        if len(name) > 100:
            errors.append((number, _("名称过长")))
        if name in seen:
            errors.append((number, _("名称与第%(n)d行重复") % {"n": seen[name]}))
        seen[name] = number
        if record.get("类别", "") not in EXTERNAL_KINDS:
            errors.append(
                (
                    number,
                    _("类别须为市直部门、区县政府或其他，而不是“%(k)s”")
                    % {"k": record.get("类别", "")},
                )
            )
        if record.get("电子邮箱"):
            try:
                validate_email(record["电子邮箱"])
            except ValidationError:
                errors.append((number, _("电子邮箱格式不正确：%(e)s") % {"e": record["电子邮箱"]}))
        if record.get("联络员") and len(record["联络员"]) > 40:
            errors.append((number, _("联络员姓名过长")))
        if len(record.get("电话", "")) > 30:
            errors.append((number, _("电话过长")))
        records.append(record)
    if errors:
        raise ImportRefused(errors)

    created = updated = 0
    with transaction.atomic():
        existing = {
            u.name: u
            # order_by(): the default ordering joins organization, and PostgreSQL refuses
            # FOR UPDATE on the nullable side of an outer join.
            for u in Unit.objects.select_for_update()
            .filter(kind=UnitKind.EXTERNAL, name__in=[r["名称"] for r in records])
            .order_by("pk")
        }
        for record in records:
            unit = existing.get(record["名称"])
            fields = {
                "external_kind": EXTERNAL_KINDS[record["类别"]],
                "address": record.get("地址", "")[:200],
                "active": True,
            }
            if unit is None:
                unit = Unit.objects.create(name=record["名称"], kind=UnitKind.EXTERNAL, **fields)
                created += 1
            else:
                Unit.objects.filter(pk=unit.pk).update(**fields)
                updated += 1
            if "主要职责" in record:
                unit.duties.all().delete()
                Duty.objects.bulk_create(
                    [
                        Duty(unit=unit, kind=DutyKind.UNIT, text=sentence, order=i)
                        for i, sentence in enumerate(_split_sentences(record["主要职责"]))
                    ]
                )
            if record.get("联络员"):
                UnitContact.objects.update_or_create(
                    unit=unit,
                    name=record["联络员"],
                    defaults={
                        "position": record.get("职务", "")[:60],
                        "phone": record.get("电话", ""),
                        "email": record.get("电子邮箱", ""),
                    },
                )
        audit_record(
            actor=actor,
            action="org.external_units_import",
            target=None,
            summary=_("导入承办单位：新增%(c)d个，更新%(u)d个") % {"c": created, "u": updated},
            changes={"names": [r["名称"] for r in records]},
        )
    return ImportResult(created, updated)
