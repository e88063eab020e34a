"""文号 allocation from 8 real processes at once on PostgreSQL: no gap, no duplicate."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from zhengban.documents import services
from zhengban.documents.models import DocumentNumber

PROCESSES = 8
PER_PROCESS = 25

WORKER = """
import json, os, sys
import django
django.setup()
from django.db import transaction
from zhengban.documents.models import DocumentSeries
from zhengban.documents.services import number_allocate
import time
series = DocumentSeries.objects.get(pk=int(sys.argv[1]))
got = []
start = float(sys.argv[3])
while time.time() < start:  # every process starts allocating at the same moment
    time.sleep(0.005)
for _ in range(int(sys.argv[2])):
    with transaction.atomic():
        got.append(number_allocate(series=series, year=2026, actor=None, purpose="并发").sequence)
print(json.dumps({"got": got, "end": time.time()}))
"""


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
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "zhengban.settings",
    }
    start = time.time() + 5  # after every process has set Django up
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(series.pk), str(PER_PROCESS), str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = max(r["end"] for r in results) - start
    allocated = sorted(n for r in results for n in r["got"])
    total = PROCESSES * PER_PROCESS
    assert allocated == list(range(1, total + 1))  # no gap, no duplicate
    rows = list(DocumentNumber.objects.filter(series=series).values_list("sequence", flat=True))
    assert sorted(rows) == list(range(1, total + 1))
    print(f"\n{total} 文号 from {PROCESSES} processes in {elapsed:.2f} s ({total / elapsed:.0f}/s)")
