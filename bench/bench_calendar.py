"""Working-day arithmetic throughput: add_workdays and compute_due over random inputs.

    .venv/bin/python bench/bench_calendar.py [-n 100000] [--seed 1]

Uses a throwaway SQLite database in a temporary directory (the calendar reads its override
table once per process, then works from memory). Prints calls/s for the process-wide
functions the case kernel calls, for a pure `WorkCalendar`, and for a day-by-day loop over
`chinese_calendar.is_workday` as the naive baseline, with the ratio.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rate(label: str, fn, inputs, baseline: float | None = None) -> float:
    started = time.perf_counter()
    for args in inputs:
        fn(*args)
    elapsed = time.perf_counter() - started
    per_second = len(inputs) / elapsed
    ratio = f"  ({per_second / baseline:,.0f}× baseline)" if baseline else ""
    micros = elapsed * 1e6 / len(inputs)
    print(f"{label:<58} {per_second:>12,.0f} calls/s  {micros:7.2f} µs/call{ratio}")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="random inputs per measurement")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="zhengban-bench-calendar-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["ZHENGBAN_VAR_DIR"] = scratch.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "workcalendar", verbosity=0)

    import chinese_calendar

    from zhengban.workcalendar import calendar
    from zhengban.workcalendar.calendar import PACKAGE_LAST_YEAR, WorkCalendar
    from zhengban.workcalendar.deadlines import RULES, Pause, compute_due

    rng = random.Random(args.seed)
    first = date(2015, 1, 1).toordinal()
    # Early enough that 60 working days stay inside the years chinese_calendar knows.
    last = date(PACKAGE_LAST_YEAR, 8, 31).toordinal()
    starts = [date.fromordinal(rng.randint(first, last)) for _ in range(args.n)]
    workday_inputs = [(d, rng.randint(1, 60)) for d in starts]

    # What the kernel passes: 30 % of cases had a consultation pause, 10 % an extension.
    disclosure = RULES["disclosure.reply"]
    petition = RULES["petition.handle"]
    due_inputs = []
    for d in starts:
        pauses = []
        if rng.random() < 0.3:
            begin = d + timedelta(days=rng.randint(1, 20))
            pauses.append(Pause(begin, begin + timedelta(days=rng.randint(1, 15)), "third_party"))
        due_inputs.append((d, pauses, int(rng.random() < 0.1)))

    print(
        f"calendar bench: {args.n:,} random inputs, start dates 2015–{PACKAGE_LAST_YEAR}, "
        f"n = 1…60 working days, Python {sys.version.split()[0]}"
    )

    started = time.perf_counter()
    calendar.current_calendar()
    cold = WorkCalendar()
    for year in range(2015, PACKAGE_LAST_YEAR + 2):
        cold._workdays_of(year)
    print(
        f"{'cold start: load overrides, build 12 years of workday tables':<58} "
        f"{(time.perf_counter() - started) * 1000:>12.1f} ms"
    )

    def naive(start, n):
        d = start
        while n:
            d += timedelta(days=1)
            n -= chinese_calendar.is_workday(d)
        return d

    baseline = rate(
        "baseline: day-by-day chinese_calendar.is_workday loop",
        naive,
        workday_inputs[: max(1, args.n // 10)],
    )
    rate(
        "calendar.add_workdays (process-wide, as the kernel calls)",
        calendar.add_workdays,
        workday_inputs,
        baseline,
    )
    rate("WorkCalendar.add_workdays (pure)", cold.add_workdays, workday_inputs, baseline)
    between = [(d, d + timedelta(days=n * 2)) for d, n in workday_inputs]
    rate("calendar.workdays_between", calendar.workdays_between, between)
    rate("calendar.is_workday", calendar.is_workday, [(d,) for d in starts])
    rate(
        "compute_due 政府信息公开 20 WD (30 % paused, 10 % extended)",
        lambda d, p, e: compute_due(disclosure, d, pauses=p, extensions=e),
        due_inputs,
    )
    rate(
        "compute_due 信访 60 日 (calendar days, rolled off holidays)",
        lambda d, p, e: compute_due(petition, d, extensions=e),
        due_inputs,
    )

    scratch.cleanup()


if __name__ == "__main__":
    main()
