"""`make bench`: run every benchmark in its own process and print their figures.

Each script sets up its own throwaway database and prints a table with a baseline measured
in the same run (a bare Django view, a naive router, a day-by-day calendar loop).
BENCH_CASES sets the number of generated cases for the kernel benchmark (default 10^5;
issue 7's figures are taken at 10^6).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHES = [
    ("三定 parser", ["bench_parser.py"]),
    ("organization chart page", ["bench_org.py"]),
    ("duty router", ["bench_routing.py"]),
    ("working-day calendar", ["bench_calendar.py"]),
    ("audit chain", ["bench_audit.py"]),
    ("official documents", ["bench_documents.py"]),
    ("文号 allocation on PostgreSQL", ["bench_numbering.py"]),
    ("supervision board", ["bench_supervision.py"]),
    ("case kernel", ["bench_cases.py", "--cases", os.environ.get("BENCH_CASES", "100000")]),
]


def main() -> int:
    only = set(sys.argv[1:])
    failures = 0
    for title, command in BENCHES:
        if only and not any(word in title or word in command[0] for word in only):
            continue
        script = HERE / command[0]
        if not script.exists():
            print(f"\n== {title}: {script.name} missing, skipped")
            continue
        print(f"\n== {title} ({' '.join(command)})", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script), *command[1:]], cwd=HERE.parent)
        print(f"-- {title}: {time.perf_counter() - started:.1f} s, exit {result.returncode}")
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
