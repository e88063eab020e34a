"""文号 allocation from several real processes at once — what the PostgreSQL test and
`bench/bench_numbering.py` both run: each process takes numbers one transaction at a time
through `services.number_allocate`, all starting at the same instant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WORKER = """
import json, sys, time
import django
django.setup()
from django.db import transaction
from zhengban.documents.models import DocumentSeries
from zhengban.documents.services import number_allocate
series = DocumentSeries.objects.get(pk=int(sys.argv[1]))
start = float(sys.argv[3])
while time.time() < start:  # every process starts at the same moment
    time.sleep(0.002)
got = []
for _ in range(int(sys.argv[2])):
    with transaction.atomic():
        got.append(number_allocate(series=series, year=2026, actor=None, purpose="并发").sequence)
print(json.dumps({"got": got, "end": time.time()}))
"""


def allocate(url: str, series_pk: int, processes: int, each: int) -> tuple[float, list[int]]:
    """(seconds from the common start to the last process's end, every sequence taken)."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "zhengban.settings"}
    start = time.time() + 4  # after every process has set Django up
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(series_pk), str(each), str(start)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(err[-2000:])
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = max(r["end"] for r in results) - start
    return elapsed, [n for r in results for n in r["got"]]
