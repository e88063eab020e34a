"""Reads for the router: the index built from the database, cached per process, and the
record of corrections.

The index is rebuilt when the units, duties, organizations or corrections change. Checking
costs one small query (counts, maxima and lengths of the relevant tables), so every process
notices a regulation reload or another worker's correction without a shared cache; the
services also call `invalidate()` for their own writes.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from zhengban.org.choices import DutyKind, OrganizationKind, UnitKind
from zhengban.org.models import Duty, Organization, Unit

from .engine import Learned, Match, RoutingIndex, Target
from .models import RoutingCorrection


class RoutingUnavailable(Exception):
    """No organization is loaded, so there is nothing to route to."""


def unit_key(pk: int) -> str:
    return f"u{pk}"


def organization_key(pk: int) -> str:
    return f"o{pk}"


def unit_pk(key: str) -> int | None:
    digits = key[1:]
    ok = key.startswith("u") and digits.isascii() and digits.isdigit() and len(digits) < 19
    return int(digits) if ok else None


@dataclass
class _Cached:
    signature: tuple | None = None
    index: RoutingIndex | None = None


_cache = _Cached()
_cache_lock = threading.Lock()


def invalidate() -> None:
    """Forget the cached index; the next route rebuilds it."""
    with _cache_lock:
        _cache.signature = None
        _cache.index = None


def _signature() -> tuple:
    """A cheap fingerprint of everything the index is built from (one query)."""
    q = connection.ops.quote_name
    unit, duty, org, corr = (
        q(m._meta.db_table) for m in (Unit, Duty, Organization, RoutingCorrection)
    )
    active = "CASE WHEN {} THEN 1 ELSE 0 END"
    sql = f"""SELECT
        (SELECT COUNT(*) FROM {unit}), (SELECT MAX(id) FROM {unit}),
        (SELECT SUM(LENGTH(name) + {active.format("active")}) FROM {unit}),
        (SELECT COUNT(*) FROM {duty}), (SELECT MAX(id) FROM {duty}),
        (SELECT SUM(LENGTH(text)) FROM {duty}),
        (SELECT COUNT(*) FROM {org}), (SELECT MAX(id) FROM {org}),
        (SELECT SUM(LENGTH(name) + {active.format("active")}) FROM {org}),
        (SELECT COUNT(*) FROM {corr}), (SELECT MAX(id) FROM {corr}),
        (SELECT SUM({active.format("undone")}) FROM {corr})"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return (connection.alias, *cursor.fetchone())


def routing_index() -> RoutingIndex:
    """The index of the loaded organization, rebuilt only when the data changed."""
    signature = _signature()
    with _cache_lock:
        if _cache.index is not None and _cache.signature == signature:
            return _cache.index
    index = build_index_from_db()
    with _cache_lock:
        _cache.signature, _cache.index = signature, index
    return index


def route_text(text: str, top: int = 3, *, scope: str = "all") -> list[Match]:
    """The `top` units for `text`; `scope` is "internal" (the office's own units),
    "external" (city departments, district governments) or "all" (one ranking)."""
    return routing_index().route(text, top=top, scope=scope)


def build_index_from_db() -> RoutingIndex:
    """Targets from active units and their duties: internal organs, organs outside the count,
    attached offices and their organs, external handling units; plus live corrections."""
    organizations = list(Organization.objects.filter(active=True).order_by("order", "pk"))
    if not organizations:
        raise RoutingUnavailable("no organization loaded")
    org_by_pk = {org.pk: org for org in organizations}
    qualify_all = sum(org.kind == OrganizationKind.MAIN for org in organizations) > 1

    units = list(
        Unit.objects.filter(active=True)
        .filter(Q(organization__isnull=True) | Q(organization__active=True))
        .order_by("organization__order", "order", "pk")
    )
    merged = defaultdict(set)
    for a, b in Unit.merged_with.through.objects.values_list("from_unit_id", "to_unit_id"):
        merged[a].add(b)
        merged[b].add(a)

    unit_duties: dict[int, list[str]] = defaultdict(list)
    org_duties: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for unit_id, org_id, kind, text in (
        Duty.objects.filter(Q(unit__active=True) | Q(unit__isnull=True))
        .order_by("order", "pk")
        .values_list("unit_id", "organization_id", "kind", "text")
    ):
        if unit_id is not None:
            unit_duties[unit_id].append(text)
        elif org_id in org_by_pk:
            org_duties[org_id].append((kind, text))

    targets: list[Target] = []
    shared: list[str] = []
    for org in organizations:
        if org.kind == OrganizationKind.ATTACHED:
            targets.append(
                Target(
                    key=organization_key(org.pk),
                    name=org.name,
                    sentences=tuple(t for k, t in org_duties[org.pk] if k != DutyKind.ADJUSTMENT),
                    kind="attached",
                )
            )
        else:
            shared += [t for k, t in org_duties[org.pk] if k == DutyKind.MAIN]

    by_pk = {unit.pk: unit for unit in units}
    done: set[int] = set()
    for unit in units:
        if unit.pk in done:
            continue
        # 合署办公 organs (纪检组、监察处) are one target: one door, one set of duties.
        group = [unit] + [by_pk[pk] for pk in sorted(merged[unit.pk]) if pk in by_pk]
        group = [u for u in group if u.pk not in done]
        done.update(u.pk for u in group)
        org = org_by_pk.get(unit.organization_id)
        names = [u.name for u in group]
        name = "、".join(names)
        attached = org is not None and org.kind == OrganizationKind.ATTACHED
        if attached or (org is not None and qualify_all):
            name = f"{org.name}/{name}"
        others = [o for u in group for o in (u.other_names or [])]
        targets.append(
            Target(
                key=unit_key(unit.pk),
                name=name,
                other_names=tuple((names if len(names) > 1 else []) + others),
                sentences=tuple(dict.fromkeys(t for u in group for t in unit_duties[u.pk])),
                kind="attached" if attached else unit.kind or UnitKind.INTERNAL,
                parent=organization_key(org.pk) if attached else None,
            )
        )
    return RoutingIndex.build(targets, shared=shared, learned=_learned(targets))


def _learned(targets: list[Target]) -> list[Learned]:
    keys = {target.key for target in targets}
    by_name = {target.name: target.key for target in targets}
    learned = []
    for text, key, name in RoutingCorrection.objects.filter(undone=False).values_list(
        "text", "chosen_key", "chosen_name"
    ):
        # After a regulation reload the unit may have a new key but the same name.
        key = key if key in keys else by_name.get(name)
        if key:
            learned.append(Learned(text=text, chosen=key))
    return learned


def recent_corrections(limit: int = 20):
    return RoutingCorrection.objects.select_related("actor", "undone_by").order_by(
        "-created_at", "-pk"
    )[:limit]


def correction_get(pk: int) -> RoutingCorrection:
    return RoutingCorrection.objects.select_related("actor").get(pk=pk)
