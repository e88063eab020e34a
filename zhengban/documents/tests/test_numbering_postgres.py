"""文号 allocation from 8 real processes at once on PostgreSQL: no gap, no duplicate."""

import pytest
from django.db import connection

from zhengban.documents import services
from zhengban.documents.contention import allocate
from zhengban.documents.models import DocumentNumber

PROCESSES = 8
PER_PROCESS = 25


def database_url() -> str:
    s = connection.settings_dict
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{host}:{port}/{s['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_processes_allocate_without_gap_or_duplicate(organization):
    series = services.series_create(
        organization=organization, organ_code="沈政办", name="发", kind="outgoing", actor=None
    )
    elapsed, got = allocate(database_url(), series.pk, PROCESSES, PER_PROCESS)
    total = PROCESSES * PER_PROCESS
    assert sorted(got) == list(range(1, total + 1))  # no gap, no duplicate
    rows = list(DocumentNumber.objects.filter(series=series).values_list("sequence", flat=True))
    assert sorted(rows) == list(range(1, total + 1))
    print(f"\n{total} 文号 from {PROCESSES} processes in {elapsed:.2f} s ({total / elapsed:.0f}/s)")
