"""Reads for the organization: querysets with their joins done, and page-shaped structures built
from a fixed number of queries whatever the number of units, duties or people."""

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from .choices import UnitKind
from .models import (
    Appointment,
    Duty,
    LeadershipPost,
    Organization,
    Person,
    Regulation,
    StaffingQuota,
    Unit,
)
from .services import active_appointments


def active_organization_names() -> list[str]:
    return list(
        Organization.objects.filter(active=True)
        .order_by("order", "pk")
        .values_list("name", flat=True)
    )


def main_organization() -> Organization | None:
    return Organization.objects.filter(parent__isnull=True, active=True).first()


# --- organization chart -----------------------------------------------------------------------


@dataclass
class ChartUnit:
    unit: Unit
    duties: list[Duty] = field(default_factory=list)
    merged_with: list[str] = field(default_factory=list)
    url: str = ""


def attach_source_urls(duties) -> None:
    """`duty.source_url`: the sentence in its regulation. Reversed once per regulation, since
    a chart shows a hundred duties and reversing each costs more than the rest of the row."""
    bases: dict[int, str] = {}
    for duty in duties:
        if duty.regulation_id is None:
            duty.source_url = ""
            continue
        if duty.regulation_id not in bases:
            bases[duty.regulation_id] = reverse("org:regulation", args=[duty.regulation_id])
        duty.source_url = f"{bases[duty.regulation_id]}#duty-{duty.pk}"


@dataclass
class ChartOrganization:
    organization: Organization
    adjustments: list[Duty] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    counted: list[ChartUnit] = field(default_factory=list)
    extra: list[ChartUnit] = field(default_factory=list)
    attached: list["ChartOrganization"] = field(default_factory=list)


def organization_chart() -> list[ChartOrganization]:
    """Main organizations with their duties, units (counted, extra) and attached offices.
    Four queries: organizations, units, duties, 合署 links."""
    organizations = list(Organization.objects.filter(active=True).order_by("order", "pk"))
    nodes = {o.pk: ChartOrganization(o) for o in organizations}
    units = {}
    for unit in Unit.objects.filter(organization__in=nodes, active=True).order_by("order", "pk"):
        units[unit.pk] = ChartUnit(unit)
        node = nodes[unit.organization_id]
        (node.counted if unit.kind == UnitKind.INTERNAL else node.extra).append(units[unit.pk])
    through = Unit.merged_with.through
    for from_id, name in through.objects.filter(from_unit__in=units).values_list(
        "from_unit_id", "to_unit__name"
    ):
        units[from_id].merged_with.append(name)
    for duty in Duty.objects.filter(organization__in=nodes).order_by("order", "pk"):
        if duty.unit_id is not None:
            if duty.unit_id in units:
                units[duty.unit_id].duties.append(duty)
        elif duty.kind == "adjustment":
            nodes[duty.organization_id].adjustments.append(duty)
        else:
            nodes[duty.organization_id].duties.append(duty)
    attach_source_urls(d for node in nodes.values() for d in node.adjustments + node.duties)
    attach_source_urls(d for item in units.values() for d in item.duties)
    for item in units.values():
        item.url = reverse("org:unit", args=[item.unit.pk])
    roots = []
    for organization in organizations:
        if organization.parent_id in nodes:
            nodes[organization.parent_id].attached.append(nodes[organization.pk])
        else:
            roots.append(nodes[organization.pk])
    return roots


# --- unit -------------------------------------------------------------------------------------


def unit_get(pk: int) -> Unit:
    return get_object_or_404(
        Unit.objects.select_related("organization").prefetch_related(
            Prefetch("duties", queryset=Duty.objects.order_by("order", "pk")),
            Prefetch(
                "appointments",
                queryset=Appointment.objects.filter(active_appointments())
                .select_related("person", "post")
                .order_by(Coalesce("post__order", 9999), "start", "pk"),
                to_attr="current_appointments",
            ),
            "contacts",
            Prefetch("merged_with", queryset=Unit.objects.only("pk", "name")),
        ),
        pk=pk,
    )


def unit_duties(unit: Unit) -> list[Duty]:
    duties = list(unit.duties.all())
    attach_source_urls(duties)
    return duties


def unit_head(unit: Unit) -> Appointment | None:
    """The 负责人: the holder of the highest leadership post in the unit (from the prefetch)."""
    leaders = [a for a in unit.current_appointments if a.post_id is not None]
    return leaders[0] if leaders else None


# --- staffing ---------------------------------------------------------------------------------


def quotas_with_use():
    """编制 rows with filled/vacant/over, computed in the same query."""
    filled = (
        Appointment.objects.filter(
            active_appointments(),
            organization=OuterRef("organization"),
            category=OuterRef("category"),
        )
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return _with_use(
        StaffingQuota.objects.select_related("organization")
        .filter(organization__active=True)
        .annotate(filled=Coalesce(Subquery(filled, output_field=IntegerField()), 0)),
        "approved",
    ).order_by("organization__order", "organization__pk", "category")


def posts_with_use():
    today = timezone.localdate()
    active = Q(appointments__end__isnull=True) | Q(appointments__end__gt=today)
    return _with_use(
        LeadershipPost.objects.select_related("organization")
        .filter(organization__active=True)
        .annotate(filled=Count("appointments", filter=active)),
        "count",
    ).order_by("organization__order", "organization__pk", "order", "pk")


def _with_use(queryset, approved: str):
    zero = Value(0, output_field=IntegerField())
    return queryset.annotate(
        vacant=Greatest(F(approved) - F("filled"), zero, output_field=IntegerField()),
        over=Greatest(F("filled") - F(approved), zero, output_field=IntegerField()),
    )


# --- people -----------------------------------------------------------------------------------


def person_get(pk: int) -> Person:
    return get_object_or_404(
        Person.objects.prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.select_related(
                    "organization", "unit", "post"
                ).order_by("-start", "-pk"),
            )
        ),
        pk=pk,
    )


def people():
    return Person.objects.order_by("staff_number")


def appointments():
    return Appointment.objects.select_related("person", "organization", "unit", "post").order_by(
        "organization__order", "unit__order", "start", "pk"
    )


# --- external units ---------------------------------------------------------------------------


def external_units(query: str = ""):
    units = Unit.objects.filter(kind=UnitKind.EXTERNAL, active=True).prefetch_related(
        "contacts", Prefetch("duties", queryset=Duty.objects.order_by("order", "pk"))
    )
    if query:
        units = units.filter(name__icontains=query.strip())
    return units.order_by("external_kind", "name")


# --- regulation -------------------------------------------------------------------------------


@dataclass
class Segment:
    text: str
    duty: Duty | None = None
    # Other duties on the very same sentence (纪检组 and 监察处 合署 share one): anchors only.
    also: list[int] = field(default_factory=list)


def regulation_get(pk: int) -> Regulation:
    return get_object_or_404(Regulation, pk=pk)


def regulation_segments(regulation: Regulation) -> list[Segment]:
    """The source text cut at duty spans, so each duty sentence can be an anchor."""
    text = regulation.source_text
    segments, cursor = [], 0
    duties = (
        Duty.objects.filter(regulation=regulation, span_start__isnull=False)
        .select_related("unit")
        .order_by("span_start", "pk")
    )
    for duty in duties:
        last = segments[-1] if segments else None
        if (
            last
            and last.duty
            and (last.duty.span_start, last.duty.span_end)
            == (
                duty.span_start,
                duty.span_end,
            )
        ):
            last.also.append(duty.pk)
            continue
        if duty.span_start < cursor or duty.span_end > len(text):
            continue  # overlapping or out-of-range span: leave the text unmarked
        if duty.span_start > cursor:
            segments.append(Segment(text[cursor : duty.span_start]))
        segments.append(Segment(text[duty.span_start : duty.span_end], duty))
        cursor = duty.span_end
    segments.append(Segment(text[cursor:]))
    return segments
