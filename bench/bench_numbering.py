"""文号 allocation under contention: 8 processes sign off at once on PostgreSQL.

    .venv/bin/python bench/bench_numbering.py [--processes 8] [--per-process 100]

Uses DATABASE_URL when it names a PostgreSQL server; otherwise starts a throwaway cluster
from Debian's PostgreSQL binaries (as `.ci/run` does) and removes it afterwards. Each process
takes numbers one transaction at a time through `documents.services.number_allocate` (the
kernel's gapless allocator); all start at the same instant. Prints allocations per second,
the duplicates and gaps (both must be 0), next to one process taking the same count alone in
the same run (the allocator without contention).
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Cluster:
    """A throwaway PostgreSQL cluster on a private port (RuntimeError without the binaries)."""

    PORT = 55433

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = Path(binaries[-1]).parent
        self.data = Path(tempfile.mkdtemp(prefix="zhengban-bench-pg-"))
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, command: str) -> None:
        argv = ["su", "postgres", "-c", command] if self.as_postgres else ["sh", "-c", command]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> str:
        if self.as_postgres:
            shutil.chown(self.data, "postgres")
        self._run(f"{self.bin}/initdb -D {self.data} -U postgres -A trust -E UTF8 --locale=C.UTF-8")
        self._run(
            f"{self.bin}/pg_ctl -D {self.data} -o '-p {self.PORT} -k /tmp -c fsync=off' "
            f"-l {self.data}/log -w start"
        )
        self._run(f"psql -h /tmp -p {self.PORT} -U postgres -c 'CREATE DATABASE zhengban'")
        return f"postgres://postgres@127.0.0.1:{self.PORT}/zhengban"

    def __exit__(self, *exc) -> None:
        try:
            self._run(f"{self.bin}/pg_ctl -D {self.data} -m fast stop")
        finally:
            shutil.rmtree(self.data, ignore_errors=True)


def run(url: str, processes: int, each: int) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from zhengban.documents.contention import allocate

    call_command("migrate", verbosity=0)
    from zhengban.documents import services
    from zhengban.documents.models import DocumentNumber
    from zhengban.org.choices import OrganizationKind
    from zhengban.org.models import Organization, Regulation

    regulation = Regulation.objects.create(title="压测", source_text="", sha256="0" * 64, parsed={})
    organization = Organization.objects.create(
        name="压测机关", kind=OrganizationKind.MAIN, regulation=regulation
    )
    total = processes * each

    def series(name):
        return services.series_create(
            organization=organization, organ_code="压测办", name=name, kind="outgoing", actor=None
        )

    alone_series, contended_series = series("发"), series("函")
    alone_s, alone = allocate(url, alone_series.pk, 1, total)
    busy_s, got = allocate(url, contended_series.pk, processes, each)
    stored = sorted(
        DocumentNumber.objects.filter(series=contended_series).values_list("sequence", flat=True)
    )
    duplicates = len(got) - len(set(got))
    gaps = len(set(range(1, total + 1)) - set(got))
    print(f"{'measurement':48} {'numbers':>8} {'seconds':>8} {'per s':>8}")
    print(
        f"{'1 process alone (baseline)':48} {len(alone):>8} {alone_s:>8.2f} {total / alone_s:>8.0f}"
    )
    label = f"{processes} processes at once"
    print(f"{label:48} {len(got):>8} {busy_s:>8.2f} {total / busy_s:>8.0f}")
    print(f"ratio (contended rate over the lone process's)   {alone_s / busy_s:.2f}×")
    print(
        f"duplicates {duplicates}, gaps {gaps}, rows stored {len(stored)} (must be 0, 0, {total})"
    )
    if duplicates or gaps or stored != list(range(1, total + 1)):
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--per-process", type=int, default=100)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    print(f"文号 bench: {args.processes} processes × {args.per_process} numbers, PostgreSQL")
    if url.startswith("postgres"):
        run(url, args.processes, args.per_process)
        return
    try:
        cluster = Cluster()
    except RuntimeError as error:
        print(f"skipped: {error}")
        return
    with cluster as url:
        run(url, args.processes, args.per_process)


if __name__ == "__main__":
    main()
