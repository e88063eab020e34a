"""Case kernel at city scale: generate N cases, then measure inbox, search, `zhengban tick`
and audit verification next to a bare Django view on the same machine.

    .venv/bin/python bench/bench_cases.py [--cases 1000000] [--requests 30] [--reuse]

The database is its own SQLite file, /tmp/zhengban-bench.sqlite3 (WAL, as deployed; --db
for another path), rebuilt on every run unless --reuse finds one with at least N cases
(earlier sweeps' reminders are then deleted first); a lock file next to it makes a second
run wait instead of deleting the database under the first. The sample 三定
regulation is loaded through `org.services.regulation_load`, every unit gets a head and
three staff, and two office leaders are created. The N cases (交办事项 of one year, spread
over the units: ~85% closed, ~10% in handling with running deadlines around today, the
rest cancelled, awaiting confirmation or drafts) are written with batched multi-row
inserts, with their assignments (主办, and 协办 for 30%), handling tasks for 10% of the
open ones, history events and jieba search text (the FTS5 index is kept by its triggers).
Then:

- insert throughput of `services.case_create` (the real path: permission, number, event,
  search tokens, audit) for --service-cases cases;
- inbox and search latency, p50/p95, for a division staff member and an office leader:
  through `cases.selectors` (the queries the pages run) and through the pages themselves
  (/cases/?tab=…, /cases/search/?q=…) with the Django test client, next to a bare view
  returning "ok" through the same client, session and middleware (the framework's floor);
  plus the "mine" tab written as a union of two index lookups, to size a selector rewrite;
- `zhengban tick` over all cases: the first run (every stage due today is new), a second
  run the same day (nothing new) and the next working day;
- audit chain verification (records/s) over every record the run produced.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path("/tmp/zhengban-bench.sqlite3")
RUN_STARTED = time.perf_counter()
SAMPLE = ROOT / "zhengban" / "org" / "data" / "shenyang-general-office-2009.txt"

TOPICS = [
    "今冬明春农村饮水安全",
    "安全生产大检查",
    "防汛抗旱",
    "森林草原防灭火",
    "冬季城市供暖保障",
    "优化营商环境",
    "12345政务服务便民热线",
    "全国文明城市创建",
    "大气污染防治",
    "河长制湖长制",
    "农民工工资支付",
    "食品药品安全监管",
    "城镇老旧小区改造",
    "义务教育阶段学校招生",
    "重大项目建设",
    "政务公开",
    "粮食生产和重要农产品供给",
    "春运交通保障",
    "信访积案化解",
    "燃气安全专项整治",
    "高校毕业生就业",
    "养老服务体系建设",
    "基层医疗卫生服务",
    "生活垃圾分类",
    "秸秆禁烧",
    "人大代表建议和政协委员提案办理",
    "政府债务风险防范",
    "耕地保护和土地执法",
    "双拥优抚安置",
    "安全度汛",
]
VERBS = ["做好", "加强", "开展", "推进", "落实", "规范", "深化", "抓好"]
KINDS = ["通知", "意见", "实施方案", "报告", "请示", "函"]
SENTENCES = [
    "请农经处牵头，文教处配合，抓好落实。",
    "各地区、各部门要高度重视，切实加强组织领导。",
    "请于规定时限内将办理情况书面报送市政府督查室。",
    "要建立工作台账，明确责任单位和完成时限。",
    "对工作不力、推诿扯皮的，将予以通报批评。",
    "做好水库除险加固和山洪灾害防御工作。",
    "加强应急值守，严格执行领导带班和24小时值班制度。",
    "确保PM2.5监测站点正常运行，数据真实准确。",
    "认真梳理群众反映的突出问题，逐项研究解决。",
    "涉及资金安排的，请会同市财政局提出意见。",
    "有关情况及时报告市政府总值班室。",
    "请结合本部门职责，研究提出具体贯彻落实意见。",
]
REPORT = "已按要求办结。"
SEARCHES = ["饮水安全", "营商环境 通知", "水库除险加固"]


def bare(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def pad(text: str, width: int) -> str:
    """Left-justify by display width: CJK characters take two terminal columns."""
    import unicodedata

    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--service-cases", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per row")
    parser.add_argument("--batch", type=int, default=5000, help="cases per insert transaction")
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    parser.add_argument("--db", type=Path, default=DB_PATH, help="SQLite file to (re)build")
    args = parser.parse_args()
    db_path = args.db.resolve()
    lock = hold_lock(db_path)  # noqa: F841 - held until the process ends

    scratch = tempfile.TemporaryDirectory(prefix="zhengban-bench-cases-")
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["ZHENGBAN_VAR_DIR"] = scratch.name
    Path(scratch.name, "static").mkdir()  # WhiteNoise wants STATIC_ROOT to exist
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")
    reuse = args.reuse and db_path.exists()
    if not reuse:
        remove_database(db_path)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log, as in production
    # Users are set up, not measured: the production hasher would only slow the setup.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    from zhengban.cases.models import Case

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if reuse and Case.objects.count() >= args.cases:
        print(f"reusing {db_path} ({Case.objects.count():,} cases)")
        people = Office.load()
        generated = None
    else:
        if reuse:
            print("existing database too small; regenerating")
            from django.db import connection

            connection.close()
            remove_database(db_path)
            call_command("migrate", verbosity=0)
        people = Office.create()
        generated = generate(args.cases, people, args.batch)
    setup_seconds = time.perf_counter() - started
    try:
        measure(args, db_path, people, generated, setup_seconds)
    finally:
        scratch.cleanup()


def hold_lock(db_path: Path):
    """Serialize runs on one database file: a second run would delete it under the first."""
    import fcntl

    handle = open(f"{db_path}.lock", "w")  # noqa: SIM115 - kept open to hold the lock
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another bench run is using {db_path}; waiting for it to finish", flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


# --- the office -------------------------------------------------------------------------------


class Office:
    """The sample organization with a head and three staff per unit and two leaders."""

    def __init__(self, units, heads, staff, leaders):
        self.units = units  # [Unit]
        self.heads = heads  # unit pk -> user
        self.staff = staff  # unit pk -> [users]
        self.leaders = leaders

    @classmethod
    def create(cls):
        from zhengban.accounts.choices import Clearance, Role
        from zhengban.accounts.services import user_create
        from zhengban.org.services import regulation_load

        started = time.perf_counter()
        regulation_load(
            text=SAMPLE.read_text(encoding="utf-8"),
            title="沈阳市人民政府办公厅主要职责内设机构和人员编制规定（2009）",
            actor=None,
        )
        units = cls._units()
        for unit in units:
            user_create(
                username=f"u{unit.pk}h",
                password="x",
                display_name=f"{unit.name}负责人",
                roles=(Role.DIVISION_HEAD,),
                units=(unit,),
                head_of=(unit,),
                validate_password=False,
            )
            for i in range(3):
                user_create(
                    username=f"u{unit.pk}s{i}",
                    password="x",
                    display_name=f"{unit.name}工作人员{i + 1}",
                    roles=(Role.STAFF,),
                    units=(unit,),
                    validate_password=False,
                )
        for i in range(2):
            user_create(
                username=f"leader{i}",
                password="x",
                display_name=f"办公厅领导{i + 1}",
                roles=(Role.OFFICE_LEADER,),
                clearance=Clearance.TOP_SECRET,
                validate_password=False,
            )
        office = cls.load()
        print(
            f"organization: {len(office.units)} units, "
            f"{len(office.units) * 4 + 2} users ({time.perf_counter() - started:.1f} s)"
        )
        return office

    @staticmethod
    def _units():
        from zhengban.org.models import Unit

        return list(Unit.objects.filter(active=True).order_by("pk"))

    @classmethod
    def load(cls):
        from zhengban.accounts.models import User

        units = cls._units()
        users = {u.username: u for u in User.objects.all()}
        heads = {u.pk: users[f"u{u.pk}h"] for u in units if f"u{u.pk}h" in users}
        units = [u for u in units if u.pk in heads]
        staff = {u.pk: [users[f"u{u.pk}s{i}"] for i in range(3)] for u in units}
        leaders = [users["leader0"], users["leader1"]]
        return cls(units, heads, staff, leaders)


# --- bulk generation --------------------------------------------------------------------------


class Inserter:
    """Batched INSERTs (executemany) for a model straight through the cursor: the bulk path
    skips model instances and signals (there are none on these tables), not the database's
    triggers."""

    def __init__(self, cursor, model, fields: list[str]):
        from django.db import connection

        meta = model._meta
        self.cursor = cursor
        self.fields = [meta.get_field(name) for name in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.sql = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))})"
        )
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *values) -> None:
        self.rows.append(values)

    def flush(self) -> None:
        if self.rows:
            self.cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


def generate(n: int, office: Office, batch: int) -> dict:
    import json

    from django.db import connection, transaction
    from django.utils import timezone

    from zhengban.accounts.choices import Clearance
    from zhengban.cases.models import (
        Assignment,
        Case,
        CaseCounter,
        CaseEvent,
        CaseSearchText,
        Task,
    )
    from zhengban.cases.search import tokenize
    from zhengban.workcalendar.calendar import current_calendar
    from zhengban.workcalendar.deadlines import compute_due, get_rule

    rng = random.Random(2026)
    calendar = current_calendar()
    rule = get_rule("office.assigned_task")
    today = timezone.localdate()
    year = today.year
    ops = connection.ops

    def dt(value: datetime.datetime) -> str:
        return ops.adapt_datetimefield_value(value)

    def d(value: datetime.date | None):
        return ops.adapt_datefield_value(value)

    def nine(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))

    # Tokens are computed once per fragment: jieba over 10^6 whole texts would dominate.
    topic_tokens = [tokenize(t) for t in TOPICS]
    verb_tokens = [tokenize(v) for v in VERBS]
    kind_tokens = [tokenize(k) for k in KINDS]
    sentence_tokens = [tokenize(s) for s in SENTENCES]
    # Handling cases were assigned on one of the last 20 working days: due dates run from
    # 10 working days ago to 10 ahead, so some are overdue, some due soon, some later.
    recent = [calendar.add_workdays(today, -k).date for k in range(0, 21)]
    dues = {}
    for start in recent:
        due = compute_due(rule, start, calendar=calendar)
        dues[start] = (due.date, due.basis_text, due.provisional)
    units = office.units
    clock = timezone.now() - datetime.timedelta(days=365)

    first_pk = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    counts = {"cases": 0, "events": 0, "assignments": 0, "tasks": 0, "search": 0}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")  # bulk load only; restored below
            cursor.execute("PRAGMA cache_size=-200000")
        cases = Inserter(
            cursor,
            Case,
            [
                "id", "case_type", "number", "year", "title", "body", "state", "closed",
                "sensitivity", "urgency", "owner_unit", "creator", "assignee", "version",
                "deadline_rule", "deadline_start", "deadline_extensions", "deadline_state",
                "due_date", "due_provisional", "deadline_basis", "created_at", "updated_at",
                "closed_at",
            ],
        )  # fmt: skip
        texts = Inserter(cursor, CaseSearchText, ["case", "tokens"])
        events = Inserter(
            cursor,
            CaseEvent,
            ["case", "seq", "time", "actor", "action", "from_state", "to_state", "comment", "data"],
        )
        assignments = Inserter(
            cursor,
            Assignment,
            [
                "case", "unit", "role", "status", "instructions", "due_date", "report",
                "reported_at", "reported_by", "status_reason", "created_at",
            ],
        )  # fmt: skip
        tasks = Inserter(
            cursor,
            Task,
            [
                "case", "kind", "state", "assignee", "requested_by", "event_seq", "note",
                "due_date", "opinion", "opinion_text", "read_at", "created_at",
            ],
        )  # fmt: skip
        for batch_start in range(0, n, batch):
            with transaction.atomic():
                for index in range(batch_start, min(n, batch_start + batch)):
                    pk = first_pk + index
                    number_n = index + 1
                    owner = units[rng.randrange(len(units))]
                    creator = office.staff[owner.pk][rng.randrange(3)]
                    head = office.heads[owner.pk]
                    t, v, k = (
                        rng.randrange(len(TOPICS)),
                        rng.randrange(len(VERBS)),
                        rng.randrange(len(KINDS)),
                    )
                    s1, s2 = rng.randrange(len(SENTENCES)), rng.randrange(len(SENTENCES))
                    title = f"关于{VERBS[v]}{TOPICS[t]}工作的{KINDS[k]}"
                    body = SENTENCES[s1] + SENTENCES[s2]
                    number = f"交办〔{year}〕{number_n}号"
                    tokens = (
                        ["交办", str(year), str(number_n), "号", "关于"]
                        + verb_tokens[v]
                        + topic_tokens[t]
                        + ["工作", "的"]
                        + kind_tokens[k]
                        + sentence_tokens[s1]
                        + sentence_tokens[s2]
                    )
                    sensitivity = Clearance.PUBLIC if rng.random() < 0.2 else Clearance.INTERNAL
                    urgency = rng.choices(("normal", "urgent", "extra_urgent"), (90, 8, 2))[0]
                    r = rng.random()
                    created = clock + datetime.timedelta(seconds=rng.randrange(365 * 86400))
                    lead = units[rng.randrange(len(units))]
                    co = units[rng.randrange(len(units))] if rng.random() < 0.3 else None
                    if co is not None and co.pk == lead.pk:
                        co = None
                    deadline = ("", None, "none", None, False, "")
                    closed_at = None
                    assigned = True
                    if r < 0.85:
                        state, closed = "closed", True
                        start = created.date()
                        due = calendar.add_workdays(start, 10).date
                        closed_at = created + datetime.timedelta(days=rng.randrange(1, 20))
                        deadline = ("office.assigned_task", start, "stopped", due, False, "")
                    elif r < 0.88:
                        state, closed, assigned = "cancelled", True, False
                        closed_at = created + datetime.timedelta(days=1)
                    elif r < 0.99:
                        state, closed = ("handling" if r < 0.98 else "confirming"), False
                        start = recent[rng.randrange(len(recent))]
                        created = nine(start) - datetime.timedelta(days=rng.randrange(1, 6))
                        due, basis, provisional = dues[start]
                        clock_state = "paused" if rng.random() < 0.01 else "running"
                        deadline = (
                            "office.assigned_task",
                            start,
                            clock_state,
                            due,
                            provisional,
                            basis,
                        )
                    else:
                        state, closed, assigned = rng.choice(("draft", "review")), False, False
                    rule_code, start, clock_state, due, provisional, basis = deadline
                    cases.add(
                        pk, "assigned_task", number, year, title, body, state, closed,
                        sensitivity, urgency, owner.pk, creator.pk, creator.pk, 3,
                        rule_code, d(start), 0, clock_state, d(due), provisional, basis,
                        dt(created), dt(closed_at or created), dt(closed_at) if closed_at else None,
                    )  # fmt: skip
                    texts.add(pk, " ".join(tokens))
                    events.add(pk, 1, dt(created), creator.pk, "create", "", "draft", "", "{}")
                    seq = 1
                    if assigned:
                        when = dt(max(created, nine(start)))
                        data = json.dumps(
                            {"deadline": "start", "lead_unit": lead.name}, ensure_ascii=False
                        )
                        events.add(pk, 2, when, head.pk, "assign", "review", "handling", "", data)
                        seq = 2
                        reported = closed or state == "confirming"
                        report = REPORT
                        status = "reported" if reported else "open"
                        for unit, role in ((lead, "lead"), (co, "co")):
                            if unit is None:
                                continue
                            assignments.add(
                                pk, unit.pk, role, status, "", d(due), report if reported else "",
                                dt(closed_at or created) if reported else None,
                                office.heads[unit.pk].pk if reported else None, "", when,
                            )  # fmt: skip
                        if not closed and rng.random() < 0.1:
                            handler = office.staff[lead.pk][rng.randrange(3)]
                            tasks.add(
                                pk, "handle", "open", handler.pk, head.pk, seq, "请阅办",
                                d(due), "", "", None, when,
                            )  # fmt: skip
                    if closed:
                        events.add(
                            pk, seq + 1, dt(closed_at), head.pk,
                            "confirm" if state == "closed" else "cancel",
                            "confirming" if state == "closed" else "review", state, "", "{}",
                        )  # fmt: skip
                for inserter in (cases, texts, events, assignments, tasks):
                    inserter.flush()
            done = min(n, batch_start + batch)
            if done % 100_000 == 0 or done == n:
                elapsed = time.perf_counter() - started
                print(f"  generated {done:>9,} cases  {elapsed:7.1f} s  {done / elapsed:8,.0f}/s")
        CaseCounter.objects.update_or_create(
            case_type="assigned_task", year=year, defaults={"last": n}
        )
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("ANALYZE")
    counts.update(
        cases=cases.count,
        search=texts.count,
        events=events.count,
        assignments=assignments.count,
        tasks=tasks.count,
    )
    counts["seconds"] = time.perf_counter() - started
    return counts


# --- measuring --------------------------------------------------------------------------------


def timed(fn, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    values = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        values.append((time.perf_counter() - began) * 1000)
    return values


def measure(args, db_path, office: Office, generated: dict | None, setup_seconds: float) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches, include, path

    import zhengban.urls
    from zhengban.audit.models import AuditRecord
    from zhengban.audit.verify import verify_chain
    from zhengban.cases import reminders, services
    from zhengban.cases.models import Case, Notification
    from zhengban.cases.policies import cases_visible_to

    table: list[tuple[str, str]] = []
    total = Case.objects.count()
    print(
        f"\ncase kernel bench: {total:,} cases, SQLite {db_path}, Python {sys.version.split()[0]}"
    )
    if generated:
        rows = sum(v for k, v in generated.items() if k != "seconds")
        table.append(
            (
                "bulk generation",
                f"{generated['cases']:,} cases, {rows:,} rows in {generated['seconds']:.0f} s "
                f"({generated['cases'] / generated['seconds']:,.0f} cases/s, "
                f"{rows / generated['seconds']:,.0f} rows/s)",
            )
        )
    table.append(("setup total", f"{setup_seconds:.0f} s"))

    # 1. The real write path.
    unit = office.units[0]
    staff = office.staff[unit.pk][0]
    began = time.perf_counter()
    for i in range(args.service_cases):
        services.case_create(
            case_type="assigned_task",
            title=f"关于{VERBS[i % len(VERBS)]}{TOPICS[i % len(TOPICS)]}工作的通知",
            body=SENTENCES[i % len(SENTENCES)],
            owner_unit=unit,
            actor=staff,
        )
    seconds = time.perf_counter() - began
    table.append(
        (
            "services.case_create",
            f"{args.service_cases:,} cases in {seconds:.1f} s = {args.service_cases / seconds:,.0f}"
            " cases/s (one transaction each: number, event, search text, audit)",
        )
    )

    # 2. Inbox and search, through the selectors and through the pages.
    try:
        from zhengban.cases import selectors

        inbox_queryset = selectors.inbox_queryset
        search_cases = selectors.search_cases
        source = "cases.selectors"
    except (ImportError, AttributeError):
        inbox_queryset, search_cases = fallback_inbox, fallback_search
        source = "bench's own queries (no cases.selectors inbox yet)"
    leader = office.leaders[0]
    visible = {
        "staff": cases_visible_to(staff).count(),
        "leader": cases_visible_to(leader).count(),
    }
    print(
        f"users: staff of {unit.name} sees {visible['staff']:,} cases; "
        f"office leader sees {visible['leader']:,}"
    )
    selector_rows = [
        ("inbox mine (staff)", lambda: list(inbox_queryset(staff, "mine")[:50])),
        ("inbox unit (staff)", lambda: list(inbox_queryset(staff, "unit")[:50])),
        ("inbox overdue (leader)", lambda: list(inbox_queryset(leader, "overdue")[:50])),
        ("inbox mine (leader)", lambda: list(inbox_queryset(leader, "mine")[:50])),
    ]
    if source == "cases.selectors":
        # The same tab written as a union of two index lookups instead of OR-ed conditions
        # (which make SQLite scan every case): shows what a rewrite of the selector buys.
        selector_rows.append(
            ("inbox mine (staff), union variant", lambda: list(mine_by_union(staff)[:50]))
        )
    for q in SEARCHES:
        selector_rows.append((f"search {q} (staff)", lambda q=q: list(search_cases(staff, q)[:50])))
        selector_rows.append(
            (f"search {q} (leader)", lambda q=q: list(search_cases(leader, q)[:50]))
        )

    module = type(sys)("bench_cases_urls")
    module.urlpatterns = [path("bench/bare/", bare), path("", include(zhengban.urls))]
    settings.ROOT_URLCONF = module
    clear_url_caches()
    pages = [
        ("page /cases/?tab=unit (staff)", staff, "/cases/?tab=unit"),
        ("page /cases/?tab=overdue (leader)", leader, "/cases/?tab=overdue"),
        ("page /cases/search/?q=饮水安全 (staff)", staff, "/cases/search/?q=饮水安全"),
        ("page /cases/search/?q=饮水安全 (leader)", leader, "/cases/search/?q=饮水安全"),
    ]
    clients = {}
    for user in (staff, leader):
        client = Client()
        client.force_login(user)
        clients[user.pk] = client
    pages_ok = all(clients[user.pk].get(url).status_code == 200 for _label, user, url in pages[:1])
    results: list[tuple[str, list[float]]] = []
    bare_values = timed(lambda: clients[staff.pk].get("/bench/bare/"), args.requests, 5)
    results.append(("bare Django view (floor)", bare_values))
    for label, fn in selector_rows:
        results.append((f"{label} [query]", timed(fn, args.requests)))
    if pages_ok:
        for label, user, url in pages:
            client = clients[user.pk]

            def get(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            results.append((label, timed(get, args.requests)))
    floor = percentile(bare_values, 50)

    # 3. The daily sweep over everything (a reused database forgets earlier sweeps first).
    from zhengban.cases.models import CaseEvent

    Notification.objects.filter(dedupe_key__startswith="remind:").delete()
    CaseEvent.objects.filter(action__in=reminders.EVENT_ACTIONS).delete()
    notifications_before = Notification.objects.count()
    today = datetime.date.today()
    sweeps = []
    for label, day in (
        ("tick, first run (backlog)", today),
        ("tick, again the same day", today),
        ("tick, next working day", _next_workday(today)),
    ):
        began = time.perf_counter()
        result = reminders.tick(today=day)
        sweeps.append((label, time.perf_counter() - began, result))

    # 4. Audit verification over every record produced.
    records = AuditRecord.objects.count()
    began = time.perf_counter()
    verified = verify_chain()
    verify_seconds = time.perf_counter() - began

    print()
    print(f"{'measurement':<46} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9} {'p50/bare':>9}")
    print("-" * 86)
    for label, values in results:
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(
            f"{label:<46} {p50:9.2f} {p95:9.2f} {statistics.mean(values):9.2f} {p50 / floor:8.1f}×"
        )
    if not pages_ok:
        print("(pages skipped: /cases/ did not answer 200)")
    print(f"(latency rows: {args.requests} timed runs each after warm-up; queries via {source})")
    print()
    for label, seconds, result in sweeps:
        table.append(
            (
                label,
                f"{seconds:.1f} s — scanned {result.scanned:,} due cases in {result.batches} "
                f"batches; new: {result.stages['soon']:,} soon, {result.stages['today']:,} "
                f"today, {result.stages['overdue']:,} overdue, {result.stages['leader']:,} to "
                f"leaders; {result.notifications:,} notifications, {result.events:,} events",
            )
        )
    table.append(
        (
            "audit verify",
            f"{verified.checked:,} of {records:,} records in {verify_seconds:.2f} s = "
            f"{verified.checked / verify_seconds:,.0f} records/s "
            f"({'intact' if verified.ok else verified.problem})",
        )
    )
    table.append(
        ("notifications", f"{Notification.objects.count() - notifications_before:,} from tick")
    )
    table.append(("database", f"{_size(db_path) / 1e9:.2f} GB on disk"))
    table.append(("whole run", f"{time.perf_counter() - RUN_STARTED:.0f} s"))
    width = max(len(label) for label, _v in table)
    for label, value in table:
        print(f"{label:<{width}}  {value}")
    connection.close()


def _next_workday(day: datetime.date) -> datetime.date:
    from zhengban.workcalendar.calendar import add_workdays

    return add_workdays(day, 1).date


def _size(path: Path) -> int:
    return sum(
        Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def mine_by_union(user):
    from zhengban.cases import selectors
    from zhengban.cases.models import Case, Task
    from zhengban.cases.policies import cases_visible_to, principal_ids

    ids = principal_ids(user)
    mine = (
        Case.objects.filter(closed=False, assignee_id__in=ids)
        .values("pk")
        .union(Task.objects.filter(assignee_id__in=ids, state="open").values("case_id"))
    )
    qs = cases_visible_to(user).filter(pk__in=mine)
    return selectors.annotate_rows(qs, ids).order_by("due_date", "-created_at", "-pk")


def fallback_inbox(user, tab):
    """What an inbox tab shows, built here when `cases.selectors` has no inbox yet."""
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from zhengban.cases.models import Assignment, Task
    from zhengban.cases.policies import cases_visible_to

    qs = cases_visible_to(user).filter(closed=False).select_related("owner_unit", "assignee")
    if tab == "mine":
        task = Task.objects.filter(case=OuterRef("pk"), assignee=user, state="open")
        qs = qs.filter(Q(assignee=user) | Exists(task))
    elif tab == "unit":
        assigned = Assignment.objects.filter(
            case=OuterRef("pk"), unit_id__in=user.unit_ids, status="open"
        )
        qs = qs.filter(Q(owner_unit_id__in=user.unit_ids) | Exists(assigned))
    elif tab == "overdue":
        qs = qs.filter(due_date__lt=timezone.localdate())
    return qs.order_by("due_date", "-pk")


def fallback_search(user, query):
    from zhengban.cases.policies import cases_visible_to
    from zhengban.cases.search import search_filter

    return search_filter(cases_visible_to(user), query).order_by("-created_at", "-pk")


if __name__ == "__main__":
    main()
