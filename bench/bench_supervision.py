"""督查督办 at scale: the leaders' board and the per-unit statistics over 10^5 supervision
items and 200 handling units, next to a bare Django view in the same run.

    .venv/bin/python bench/bench_supervision.py [--items 100000] [--units 200] [-n 30]
        [--reuse] [--db /tmp/zhengban-bench-supervision.sqlite3]

Builds its own SQLite file (WAL, as deployed; --db for another path; DATABASE_URL's database
when set), generates the items with bulk inserts (cases, lead assignments, SupervisionItem
rows with source, cadence, dates, escalation, and progress reports of which some were
returned), then requests with one logged-in client, alternating with the baselines so both
see the same cache and load. --reuse keeps a file already holding at least N items (migrated
first, so a new index is measured on the same data); the file is rebuilt otherwise.

- /supervision/board/ (lights, red flags, overdue units, sources, monthly trend) as an office
  leader and as 督查室 staff (the kernel's visibility query instead of the leader's clearance);
- /supervision/statistics/?group=unit and ?group=source;
- /supervision/?unit=… (a unit's drill-down, first page) as a leader and as 督查室 staff;
- a bare view (HttpResponse) and a bare aggregate view (one GROUP BY over the items, as text).

Query counts are taken at 1% of the items and again at the full size: they must not differ.
A reused database has no 1% stage, so its "at 1%" column is empty (the app's tests assert
the counts are the same for a handful of items and for more).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 5000
DB_PATH = Path(tempfile.gettempdir()) / "zhengban-bench-supervision.sqlite3"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def setup_office(n_units: int):
    from zhengban.accounts.choices import Role
    from zhengban.accounts.services import user_create
    from zhengban.org.choices import OrganizationKind, UnitKind
    from zhengban.org.models import Organization, Regulation, Unit

    regulation = Regulation.objects.create(title="b", source_text="b", sha256="0", parsed={})
    org = Organization.objects.create(
        name="测试市人民政府办公厅", kind=OrganizationKind.MAIN, regulation=regulation
    )
    duchashi = Unit.objects.create(organization=org, name="市政府督查室", kind="internal", order=1)
    units = Unit.objects.bulk_create(
        Unit(name=f"承办单位{i:03d}", kind=UnitKind.EXTERNAL, order=100 + i) for i in range(n_units)
    )

    def person(name, roles, member=()):
        return user_create(
            username=name,
            password="x",
            display_name=name,
            roles=roles,
            units=member,
            head_of=(),
            validate_password=False,
        )

    leader = person("leader", (Role.OFFICE_LEADER,))
    clerk = person("clerk", (Role.STAFF,), (duchashi,))
    return duchashi, list(units), leader, clerk


def load_office():
    """The office of a reused database, as `setup_office` made it."""
    from zhengban.accounts.models import User
    from zhengban.org.models import Unit

    duchashi = Unit.objects.get(name="市政府督查室")
    units = list(Unit.objects.filter(name__startswith="承办单位").order_by("order"))
    return duchashi, units, User.objects.get(username="leader"), User.objects.get(username="clerk")


def remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def generate(start: int, count: int, duchashi, units, creator, rng) -> None:
    """`count` items numbered from `start`: cases, lead assignments, items and reports."""
    from django.db import connection, transaction
    from django.utils import timezone

    from zhengban.cases.models import Assignment, AssignmentReport, Case
    from zhengban.supervision.models import SupervisionItem

    today = timezone.localdate()
    now = timezone.now()
    meetings = [f"市政府第{i}次常务会议" for i in range(1, 41)]
    leaders = [f"{name}批示" for name in ("张市长", "李副市长", "王副市长", "赵副市长", "陈秘书长")]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
    for offset in range(0, count, BATCH):
        n = min(BATCH, count - offset)
        with transaction.atomic():
            cases, plans = [], []
            for i in range(start + offset, start + offset + n):
                assigned = today - datetime.timedelta(days=rng.randint(0, 400))
                due = assigned + datetime.timedelta(days=rng.choice((15, 30, 45, 60, 90)))
                closed = due < today - datetime.timedelta(days=20) and rng.random() < 0.85
                done_on = min(today, due + datetime.timedelta(days=rng.randint(-10, 8)))
                done_on = max(done_on, assigned)
                state = "closed" if closed else "handling"
                cases.append(
                    Case(
                        case_type="supervision",
                        number=f"督〔B〕{i}号",
                        year=today.year,
                        title=f"督办事项{i}",
                        state=state,
                        closed=closed,
                        closed_at=now if closed else None,
                        owner_unit=duchashi,
                        creator=creator,
                        assignee=creator,
                        deadline_rule="supervision.item",
                        deadline_start=assigned,
                        deadline_state="stopped" if closed else "running",
                        due_date=due,
                    )
                )
                kind = rng.choice(("meeting", "meeting", "instruction", "incoming", "higher"))
                label = (
                    rng.choice(meetings if kind == "meeting" else leaders)
                    if kind
                    in (
                        "meeting",
                        "instruction",
                    )
                    else ""
                )
                plans.append((assigned, due, closed, done_on, kind, label))
            Case.objects.bulk_create(cases, batch_size=1000)
            unit_of = [rng.choice(units) for _ in cases]
            assignments = Assignment.objects.bulk_create(
                [
                    Assignment(
                        case=case,
                        unit=unit,
                        role="lead",
                        status="reported" if plan[2] else "open",
                        due_date=plan[1],
                    )
                    for case, unit, plan in zip(cases, unit_of, plans, strict=True)
                ],
                batch_size=1000,
            )
            items = []
            for case, unit, (assigned, due, closed, done_on, kind, label) in zip(
                cases, unit_of, plans, strict=True
            ):
                next_due = None
                if not closed:
                    next_due = today + datetime.timedelta(days=rng.randint(-6, 25))
                items.append(
                    SupervisionItem(
                        case=case,
                        source_kind=kind,
                        source_label=label,
                        cadence=rng.choice(("once", "weekly", "monthly")),
                        lead_unit=unit,
                        due_date=due,
                        closed=closed,
                        assigned_on=assigned,
                        next_report_due=next_due,
                        escalation=3 if (not closed and due < today and rng.random() < 0.3) else 0,
                        completed_on=done_on if closed else None,
                        on_time=(done_on <= due) if closed else None,
                        days_taken=(done_on - assigned).days if closed else None,
                    )
                )
            SupervisionItem.objects.bulk_create(items, batch_size=1000)
            reports = []
            for assignment in assignments:
                for _ in range(rng.randint(0, 2)):
                    reports.append(
                        AssignmentReport(
                            assignment=assignment,
                            kind="progress",
                            text="进展",
                            author=creator,
                            review="returned" if rng.random() < 0.2 else "accepted",
                        )
                    )
            AssignmentReport.objects.bulk_create(reports, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("-n", type=int, default=30, help="timed requests per row")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    parser.add_argument("--db", type=Path, default=DB_PATH, help="SQLite file to (re)build")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="zhengban-bench-supervision-")
    os.environ["ZHENGBAN_VAR_DIR"] = scratch.name
    db_path = args.db.resolve()
    own_file = "DATABASE_URL" not in os.environ
    if own_file:
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
        if not (args.reuse and db_path.exists()):
            remove_database(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, include, path

    import zhengban.urls
    from zhengban.supervision.models import SupervisionItem

    call_command("migrate", verbosity=0)
    rng = random.Random(9)
    reused = args.reuse and SupervisionItem.objects.count() >= args.items
    if reused:
        print(f"reusing {settings.DATABASES['default']['NAME']}", flush=True)
        duchashi, units, leader, clerk = load_office()
    else:
        if args.reuse and own_file and SupervisionItem.objects.exists():
            print("existing database too small; regenerating", flush=True)
            connection.close()
            remove_database(db_path)
            call_command("migrate", verbosity=0)
        duchashi, units, leader, clerk = setup_office(args.units)

    def bare(request):
        return HttpResponse("ok")

    def bare_aggregate(request):
        rows = (
            SupervisionItem.objects.order_by()
            .values("lead_unit_id")
            .annotate(n=Count("pk"), done=Count("pk", filter=Q(case__closed=True)))
        )
        return HttpResponse("\n".join(f"{r['lead_unit_id']} {r['n']} {r['done']}" for r in rows))

    module = type(sys)("bench_supervision_urls")
    module.urlpatterns = [
        path("bench/bare/", bare),
        path("bench/aggregate/", bare_aggregate),
        path("", include(zhengban.urls)),
    ]
    settings.ROOT_URLCONF = module
    settings.DEBUG = False
    clear_url_caches()

    clients = {}
    for user in (leader, clerk):
        client = Client()
        client.force_login(user)
        clients[user.username] = client
    unit_id = units[0].pk
    # Cold rows compute every figure (cache off); the "cached" row is the board as leaders
    # see it within SUPERVISION_STATS_CACHE_SECONDS of the last computation.
    settings.SUPERVISION_STATS_CACHE_SECONDS = 0
    rows = [
        ("board (leader)", "leader", "/supervision/board/"),
        ("board (督查室 staff)", "clerk", "/supervision/board/"),
        ("statistics by unit", "leader", "/supervision/statistics/?group=unit"),
        ("statistics by source", "leader", "/supervision/statistics/?group=source"),
        ("unit drill-down", "leader", f"/supervision/?unit={unit_id}"),
        ("drill-down (督查室 staff)", "clerk", f"/supervision/?unit={unit_id}"),
        ("board, cached figures", "leader", "/supervision/board/?cached=1"),
        ("bare aggregate view", "leader", "/bench/aggregate/"),
        ("bare view", "leader", "/bench/bare/"),
    ]

    def get(who, url):
        settings.SUPERVISION_STATS_CACHE_SECONDS = 300 if "cached=1" in url else 0
        return clients[who].get(url)

    def queries(who, url) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = get(who, url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured.captured_queries)

    from django.core.cache import cache

    small = max(1, args.items // 100)
    started = time.perf_counter()
    small_counts: dict[str, int | None] = {label: None for label, _who, _url in rows}
    if not reused:
        generate(0, small, duchashi, units, clerk, rng)
        for _label, who, url in rows:
            get(who, url)  # the first-request caches (policy, session) out of the count
        cache.clear()
        small_counts = {label: queries(who, url) for label, who, url in rows}
        generate(small, args.items - small, duchashi, units, clerk, rng)
    else:
        for _label, who, url in rows:
            get(who, url)
    generated = time.perf_counter() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    cache.clear()
    full_counts = {label: queries(who, url) for label, who, url in rows}

    timings: dict[str, list[float]] = {label: [] for label, _who, _url in rows}
    for _ in range(args.warmup):
        for _label, who, url in rows:
            get(who, url)
    for _ in range(args.n):
        for label, who, url in rows:  # alternate: drift hits every row alike
            began = time.perf_counter()
            response = get(who, url)
            timings[label].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200

    print(
        f"supervision bench: {args.items:,} items over {args.units} handling units "
        f"({SupervisionItem.objects.filter(case__closed=False).count():,} open), "
        f"{connection.vendor}, "
        + ("reused, " if reused else f"generated in {generated:.1f} s, ")
        + f"{args.n} requests per row, "
        f"Python {sys.version.split()[0]}"
    )
    floor = percentile(timings["bare view"], 50)
    print(
        f"{'':<24} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9} {'×bare p50':>10} "
        f"{'queries':>8} {'at 1%':>6}"
    )
    failed = False
    for label, _who, _url in rows:
        values = timings[label]
        p50, p95 = percentile(values, 50), percentile(values, 95)
        small_count = small_counts[label]
        same = small_count is None or small_count == full_counts[label]
        failed |= not same
        print(
            f"{label:<24} {p50:9.2f} {p95:9.2f} {statistics.mean(values):9.2f} "
            f"{p50 / floor:10.1f} {full_counts[label]:8d} "
            + (f"{small_count:6d}" if small_count is not None else f"{'-':>6}")
            + ("" if same else "  ← query count grew with the data")
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
