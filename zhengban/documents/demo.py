"""Demo data of the documents library for `zhengban demo setup`: the 文号 series of the main
organization (沈政办发, 沈政办函, 沈政办纪要) and its official seal. Idempotent."""

from django.db import transaction

from .models import DocumentSeries, Seal, SeriesKind

DEMO_SERIES = (("发", SeriesKind.OUTGOING), ("函", SeriesKind.LETTER), ("纪要", SeriesKind.MINUTES))
ORGAN_CODE = "沈政办"


@transaction.atomic
def create_demo_series(organization=None, *, organ_code: str = ORGAN_CODE, actor=None) -> int:
    """Create the demo series and seal of `organization` (default: the main one) that do not
    exist yet; returns how many rows were created."""
    from zhengban.org.models import Organization

    from .services import seal_create, series_create

    organization = (
        organization
        or Organization.objects.filter(parent__isnull=True, active=True).order_by("pk").first()
    )
    if organization is None:
        return 0
    created = 0
    for name, kind in DEMO_SERIES:
        if not DocumentSeries.objects.filter(
            organization=organization, organ_code=organ_code, name=name
        ).exists():
            series_create(
                organization=organization, organ_code=organ_code, name=name, kind=kind, actor=actor
            )
            created += 1
    if not Seal.objects.filter(organization=organization, name=organization.name).exists():
        seal_create(organization=organization, name=organization.name, kind="official", actor=actor)
        created += 1
    return created
