"""Case kernel at city scale: generate N cases as the kernel writes them, then measure the
inbox tabs, the case page and search next to the same pages without permission filtering,
plus `zhengban tick` and audit verification.

    .venv/bin/python bench/bench_cases.py [--cases 1000000] [--requests 30] [--reuse]

N defaults to BENCH_CASES or 100,000 (a few minutes; `make bench` passes --cases from
bench/run.py, BENCH_CASES or 10^6 there). The figures of issue 7 are taken at --cases
1000000: 15-30 minutes on two cores, 8-15 of them generating a 4.6 GB database; --reuse
measures again without regenerating.

The database is its own SQLite file, /tmp/zhengban-bench.sqlite3 (WAL, as deployed; --db
for another path), rebuilt on every run unless --reuse finds one with at least N cases
(earlier sweeps' reminders are then deleted first); a lock file next to it makes a second
run wait instead of deleting the database under the first.

The office: the sample 三定 regulation loaded through `org.services.regulation_load`, a head
and three staff per unit, two office leaders. One unit (督查室 where the sample has it) is
three times as busy as the others: its head is the "busy 处长". Another unit's head holds two
delegations (委托) in force, from the heads of two other units.

The N cases (交办事项 of one year) are written with batched inserts the way the kernel's
services leave them: every case has its history (events with their actors, so 已办 has rows)
and its tasks. Open cases have their open tasks — 起草 for drafts to the creator, 审核 and
确认办结 unit tasks for the owner unit's heads, 承办 unit tasks per open assignment (some
handed to a person: 处内分办), 会签 person tasks of an open round (leaders among them), some
传阅 person tasks (half of them read) — with a bell for each; closed and cancelled cases have
only done or cancelled tasks. About 84% are closed, 10% in handling with due dates around
today, the rest cancelled, drafts, in review, 会签 or awaiting confirmation. A rare sentence
(水库除险加固) is in 0.1% of the bodies. One more case is taken through the real services
until its page shows 50 history entries (退回, 会签, 交办 with a co-unit, 处内分办, 阶段性反馈,
催办).

Measured, each next to its baseline in the same run, alternating, p50/p95 and the number of
queries of one run:

- 待办, 本处室 and 逾期 for the busy 处长 and an office leader: the selector as the page runs it
  (its paginator: the count, capped, and the first page) next to a bare queryset of the same
  case ids through the same paginator; and the page
  /cases/?tab=… next to the same view and template given that bare queryset;
- the case page (50 entries) for the user with two delegations, next to a bare case view (the
  same case, history, tasks and assignments in the same base layout, without access, actions
  or forms); its query count also for a user without delegations;
- search for a common (饮水安全) and the rare term as a division's staff and as a leader, next
  to the same full-text query without the visibility filter (query and page);
- insert throughput of `services.case_create`; `zhengban tick` over all cases; audit chain
  verification.

A row over its target prints the slowest SQL statement of one run with its EXPLAIN QUERY PLAN.
"""

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_PATH = Path("/tmp/zhengban-bench.sqlite3")
RUN_STARTED = time.perf_counter()
SAMPLE = ROOT / "zhengban" / "org" / "data" / "shenyang-general-office-2009.txt"
DEFAULT_CASES = int(os.environ.get("BENCH_CASES") or 100_000)

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
    "加强应急值守，严格执行领导带班和24小时值班制度。",
    "确保PM2.5监测站点正常运行，数据真实准确。",
    "认真梳理群众反映的突出问题，逐项研究解决。",
    "涉及资金安排的，请会同市财政局提出意见。",
    "有关情况及时报告市政府总值班室。",
    "请结合本部门职责，研究提出具体贯彻落实意见。",
]
RARE_SENTENCE = "做好水库除险加固和山洪灾害防御工作。"
RARE_SHARE = 0.001
COMMON_TERM, RARE_TERM = "饮水安全", "水库除险加固"
REPORT = "已按要求办结。"
PROGRESS = "已召开专题会议部署，正在逐项推进。"
SHOWCASE_TITLE = "关于开展城市防汛应急演练工作的通知（长流程）"
HISTORY = 50
HOUR = datetime.timedelta(hours=1)
# p50 of a measurement over p50 of its baseline: the targets.
TARGET_INBOX, TARGET_PAGE, TARGET_SEARCH = 1.5, 2.0, 2.0

# Share of each final state of a generated case (cumulative thresholds below).
STATES = [
    ("closed", 0.84),
    ("cancelled", 0.03),
    ("draft", 0.01),
    ("review", 0.01),
    ("countersigning", 0.003),
    ("confirming", 0.01),
    ("handling", 0.097),
]


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
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--service-cases", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30, help="timed runs per row")
    parser.add_argument("--batch", type=int, default=5000, help="cases per insert transaction")
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    parser.add_argument("--db", type=Path, default=DB_PATH, help="SQLite file to (re)build")
    parser.add_argument("--skip-tick", action="store_true", help="leave out the daily sweep")
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
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
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
    showcase = Showcase.get_or_build(people)
    setup_seconds = time.perf_counter() - started
    try:
        measure(args, db_path, people, showcase, generated, setup_seconds)
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
    """The sample organization with a head and three staff per unit and two leaders; the
    busy unit, and the head who holds two delegations."""

    def __init__(self, units, heads, staff, leaders):
        self.units = units  # [Unit]
        self.heads = heads  # unit pk -> user
        self.staff = staff  # unit pk -> [users]
        self.leaders = leaders
        busy = [u for u in units if "督查" in u.name]
        self.busy_unit = busy[0] if busy else units[0]
        others = [u for u in units if u.pk != self.busy_unit.pk]
        # The showcase case: owned by the busy unit, led by `lead`, with `co` as co-unit;
        # the head of `deputy` stands in for the heads of both (two delegations).
        self.lead, self.co, self.deputy, self.search_unit = (
            others[0],
            others[1],
            others[2],
            others[3],
        )

    @property
    def busy_head(self):
        return self.heads[self.busy_unit.pk]

    @property
    def delegate(self):
        return self.heads[self.deputy.pk]

    @classmethod
    def create(cls):
        from django.utils import timezone

        from zhengban.accounts.choices import Clearance, Role
        from zhengban.accounts.services import user_create
        from zhengban.cases.models import Delegation
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
        today = timezone.localdate()
        for unit in (office.lead, office.co):
            # Written as the service leaves them; the bench measures reads, not this write.
            Delegation.objects.create(
                delegator=office.heads[unit.pk],
                delegate=office.delegate,
                start=today - datetime.timedelta(days=3),
                end=today + datetime.timedelta(days=30),
                reason="外出学习期间委托主持工作",
            )
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
    triggers. Columns not named take the model field's default (NULL where nullable), so a
    column the kernel adds with a default does not break the bench; one without a default
    stops it here, by name."""

    def __init__(self, cursor, model, fields: list[str]):
        from django.db import connection

        meta = model._meta
        named = [meta.get_field(name) for name in fields]
        rest = []
        for f in meta.concrete_fields:
            if f in named or f.primary_key or f.null:
                continue
            default = f.get_default()
            if default is None:
                raise SystemExit(f"bench: {meta.label}.{f.name} has no default; generate it")
            rest.append((f, f.get_db_prep_save(default, connection)))
        self.cursor = cursor
        columns = [f.column for f in named] + [f.column for f, _v in rest]
        self.defaults = tuple(v for _f, v in rest)
        self.sql = (
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
            f"({', '.join(connection.ops.quote_name(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *values) -> None:
        self.rows.append(values + self.defaults)

    def flush(self) -> None:
        if self.rows:
            self.cursor.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


def _next_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _number_series() -> str:
    try:
        from zhengban.cases.casetypes import case_type_or_none
    except ImportError:
        return "assigned_task"
    case_type = case_type_or_none("assigned_task")
    return case_type.series if case_type else "assigned_task"


class Generator:
    """Writes N cases with their history, tasks, assignments and bells in batched inserts,
    shaped as the kernel's services leave them. One method per step of the flow."""

    def __init__(self, cursor, office: Office, seed: int = 2026):
        from django.db import connection
        from django.utils import timezone

        from zhengban.cases import models as m
        from zhengban.cases.search import tokenize
        from zhengban.workcalendar.calendar import current_calendar
        from zhengban.workcalendar.deadlines import compute_due, get_rule

        self.office = office
        self.rng = random.Random(seed)
        self.ops = connection.ops
        self.calendar = current_calendar()
        self.today = timezone.localdate()
        self.year = self.today.year
        self.now = timezone.now()
        self.clock = self.now - datetime.timedelta(days=365)
        # Tokens are computed once per fragment: jieba over 10^6 whole texts would dominate.
        self.topic_tokens = [tokenize(t) for t in TOPICS]
        self.verb_tokens = [tokenize(v) for v in VERBS]
        self.kind_tokens = [tokenize(k) for k in KINDS]
        self.sentence_tokens = [tokenize(s) for s in SENTENCES]
        self.rare_tokens = tokenize(RARE_SENTENCE)
        # Handling cases were assigned on one of the last 20 working days: due dates run
        # from 10 working days ago to 10 ahead, so some are overdue, some due soon.
        rule = get_rule("office.assigned_task")
        self.recent = [self.calendar.add_workdays(self.today, -k).date for k in range(0, 21)]
        self.dues = {}
        for start in self.recent:
            due = compute_due(rule, start, calendar=self.calendar)
            self.dues[start] = (due.date, due.basis_text, due.provisional)
        self.closed_due: dict[datetime.date, datetime.date] = {}
        self.units = office.units
        # The busy unit owns, and leads, three times its share.
        self.weights = [3 if u.pk == office.busy_unit.pk else 1 for u in self.units]
        self.thresholds, total = [], 0.0
        for state, share in STATES:
            total += share
            self.thresholds.append((total, state))
        self.first_pk = _next_id(m.Case)
        self.next_task, self.next_assignment = _next_id(m.Task), _next_id(m.Assignment)
        self.next_round, self.next_report = _next_id(m.ApprovalRound), _next_id(m.AssignmentReport)
        self.cases = Inserter(
            cursor,
            m.Case,
            [
                "id", "case_type", "number", "year", "title", "body", "state", "closed",
                "sensitivity", "urgency", "owner_unit", "creator", "assignee", "version",
                "deadline_rule", "deadline_start", "deadline_extensions", "deadline_state",
                "due_date", "due_provisional", "deadline_basis", "created_at", "updated_at",
                "closed_at",
            ],
        )  # fmt: skip
        self.texts = Inserter(cursor, m.CaseSearchText, ["case", "tokens"])
        self.events = Inserter(
            cursor,
            m.CaseEvent,
            ["case", "seq", "time", "actor", "action", "from_state", "to_state", "comment", "data"],
        )
        self.assignments = Inserter(
            cursor,
            m.Assignment,
            [
                "id", "case", "unit", "role", "status", "instructions", "due_date", "report",
                "reported_at", "reported_by", "created_at",
            ],
        )  # fmt: skip
        self.reports = Inserter(
            cursor, m.AssignmentReport, ["id", "assignment", "kind", "text", "author", "created_at"]
        )
        self.rounds = Inserter(
            cursor,
            m.ApprovalRound,
            [
                "id", "case", "action", "mode", "veto", "state", "pass_state", "fail_state",
                "opened_by", "opened_at",
            ],
        )  # fmt: skip
        self.tasks = Inserter(
            cursor,
            m.Task,
            [
                "id", "case", "kind", "state", "assignee", "unit", "heads_only", "assignment",
                "state_code", "round", "requested_by", "event_seq", "note", "due_date",
                "opinion", "completed_by", "completed_at", "read_at", "created_at",
            ],
        )  # fmt: skip
        self.bells = Inserter(
            cursor,
            m.Notification,
            ["recipient", "case", "kind", "message", "created_at", "read_at"],
        )
        self.inserters = {
            "cases": self.cases,
            "search": self.texts,
            "events": self.events,
            "assignments": self.assignments,
            "reports": self.reports,
            "rounds": self.rounds,
            "tasks": self.tasks,
            "notifications": self.bells,
        }

    # --- values as the database takes them ---

    def dt(self, value: datetime.datetime | None):
        return self.ops.adapt_datetimefield_value(value) if value else None

    def d(self, value: datetime.date | None):
        return self.ops.adapt_datefield_value(value)

    def nine(self, day: datetime.date) -> datetime.datetime:
        from django.utils import timezone

        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))

    def flush(self) -> None:
        for inserter in self.inserters.values():
            inserter.flush()

    def counts(self) -> dict[str, int]:
        return {name: inserter.count for name, inserter in self.inserters.items()}

    # --- rows of the current case ---

    def event(self, action, actor, when, from_state="", to_state="", data="{}", comment=""):
        self.seq += 1
        self.events.add(
            self.pk, self.seq, self.dt(when), actor.pk, action, from_state, to_state, comment, data
        )
        return self.seq

    def task(self, kind, state, *, when, by, seq, assignee=None, unit=None, heads_only=False,
             assignment=None, state_code="", round_id=None, due=None, done_by=None,
             done_at=None, read_at=None) -> int:  # fmt: skip
        tid = self.next_task
        self.next_task += 1
        self.tasks.add(
            tid, self.pk, kind, state, assignee.pk if assignee else None,
            unit.pk if unit else None, heads_only, assignment, state_code, round_id, by.pk,
            seq, "", self.d(due), "agree" if kind == "countersign" and state == "done" else "",
            done_by.pk if done_by else None, self.dt(done_at), self.dt(read_at), self.dt(when),
        )  # fmt: skip
        if state == "open":
            # The bell rang for the addressee (a unit's task: its people, or its heads); half
            # of them have looked.
            if assignee is not None:
                people = [assignee]
            elif heads_only:
                people = [self.office.heads[unit.pk]]
            else:
                people = [self.office.heads[unit.pk], *self.office.staff[unit.pk]]
            seen = self.dt(when + HOUR) if self.rng.random() < 0.5 else None
            for person in people:
                if person.pk != by.pk:
                    self.bells.add(person.pk, self.pk, "task", self.bell_text, self.dt(when), seen)
        return tid

    def snapshot(self, state: str, running: bool = False) -> str:
        start = json.dumps(self.start.isoformat()) if running else "null"
        rule, clock = ("office.assigned_task", "running") if running else ("", "none")
        return (
            f'"snapshot": {{"state": "{state}", "assignee_id": {self.creator.pk}, '
            f'"deadline_rule": "{rule}", "deadline_start": {start}, "deadline_extensions": 0, '
            f'"deadline_amount": null, "deadline_state": "{clock}"}}'
        )

    # --- one case ---

    def write(self, index: int) -> None:
        rng, office = self.rng, self.office
        self.pk = pk = self.first_pk + index
        self.seq = 0
        number_n = index + 1
        self.owner = rng.choices(self.units, self.weights)[0]
        self.creator = office.staff[self.owner.pk][rng.randrange(3)]
        self.head = office.heads[self.owner.pk]
        t, v, k = rng.randrange(len(TOPICS)), rng.randrange(len(VERBS)), rng.randrange(len(KINDS))
        s1, s2 = rng.randrange(len(SENTENCES)), rng.randrange(len(SENTENCES))
        title = f"关于{VERBS[v]}{TOPICS[t]}工作的{KINDS[k]}"
        self.bell_text = f"您有一件待办：{title}"
        body = SENTENCES[s1] + SENTENCES[s2]
        tokens = (
            ["交办", str(self.year), str(number_n), "号", "关于"]
            + self.verb_tokens[v]
            + self.topic_tokens[t]
            + ["工作", "的"]
            + self.kind_tokens[k]
            + self.sentence_tokens[s1]
            + self.sentence_tokens[s2]
        )
        if rng.random() < RARE_SHARE:
            body += RARE_SENTENCE
            tokens += self.rare_tokens
        sensitivity = 0 if rng.random() < 0.2 else 1  # 公开 / 内部
        urgency = rng.choices(("normal", "urgent", "extra_urgent"), (90, 8, 2))[0]
        r = rng.random()
        state = next((s for limit, s in self.thresholds if r < limit), STATES[-1][0])
        self.state = state
        self.is_open = state not in ("closed", "cancelled")
        self.start = None
        if state in ("handling", "confirming"):
            self.start = self.recent[rng.randrange(len(self.recent))]
            created = self.nine(self.start) - datetime.timedelta(days=rng.randrange(1, 6))
        elif self.is_open:
            created = self.now - datetime.timedelta(seconds=rng.randrange(20 * 86400))
        else:
            created = self.clock + datetime.timedelta(seconds=rng.randrange(360 * 86400))
            self.start = created.date()
        self.deadline = ("", None, "none", None, False, "")
        self.closed_at = None
        self.flow(created)
        rule_code, start, clock_state, due, provisional, basis = self.deadline
        closed_at = self.closed_at
        self.cases.add(
            pk, "assigned_task", f"交办〔{self.year}〕{number_n}号", self.year, title, body,
            state, closed_at is not None, sensitivity, urgency, self.owner.pk, self.creator.pk,
            self.creator.pk, self.seq + 1, rule_code, self.d(start), 0, clock_state,
            self.d(due), provisional, basis, self.dt(created), self.dt(closed_at or created),
            self.dt(closed_at),
        )  # fmt: skip
        self.texts.add(pk, " ".join(tokens))

    def flow(self, created: datetime.datetime) -> None:
        state, creator, head = self.state, self.creator, self.head
        # 起草: the drafter's task, opened by the creation; 提交审核 closes it.
        drafting = state == "draft"
        submitted = created + HOUR
        draft = self.task(
            "draft", "open" if drafting else "done", when=created, by=creator, seq=1,
            assignee=creator, state_code="draft", done_by=None if drafting else creator,
            done_at=None if drafting else submitted,
        )  # fmt: skip
        self.event("create", creator, created, "", "draft", f'{{"task_ids": [{draft}]}}')
        if drafting:
            self.circulate(created)
            return
        # 审核: a task for the owner unit's heads.
        reviewing = state == "review"
        reviewed = submitted + HOUR * self.rng.randrange(1, 30)
        review_state = "open" if reviewing else "cancelled" if state == "cancelled" else "done"
        seq = self.event(
            "submit", creator, submitted, "draft", "review",
            f'{{{self.snapshot("draft")}, "task_ids": [{self.next_task}]}}',
        )  # fmt: skip
        self.task(
            "review", review_state, when=submitted, by=creator, seq=seq, unit=self.owner,
            heads_only=True, state_code="review",
            done_by=head if review_state == "done" else None,
            done_at=None if reviewing else reviewed,
        )  # fmt: skip
        if state == "cancelled":
            self.closed_at = reviewed
            self.event(
                "cancel", head, reviewed, "review", "cancelled",
                f"{{{self.snapshot('review')}}}", "重复交办，予以撤销。",
            )  # fmt: skip
        elif state == "countersigning":
            self.countersign(reviewed)
        elif state != "review":
            self.assign(reviewed)
        self.circulate(created)

    def countersign(self, when) -> None:
        """发起会签: an open round, a 会签 task per participant (a leader, maybe a head)."""
        office, rng = self.office, self.rng
        rid = self.next_round
        self.next_round += 1
        people = {p.pk: p for p in [office.leaders[rng.randrange(2)]]}
        if rng.random() < 0.5:
            other = office.heads[rng.choice(self.units).pk]
            people[other.pk] = other
        ids = json.dumps(list(range(self.next_task, self.next_task + len(people))))
        seq = self.event(
            "countersign", self.head, when, "review", "countersigning",
            f'{{{self.snapshot("review")}, "round_id": {rid}, "task_ids": {ids}, '
            f'"participants": {json.dumps(list(people))}}}',
        )  # fmt: skip
        self.rounds.add(
            rid, self.pk, "countersign", "all", True, "open", "review", "draft", self.head.pk,
            self.dt(when),
        )  # fmt: skip
        for person in people.values():
            self.task("countersign", "open", when=when, by=self.head, seq=seq, assignee=person,
                      round_id=rid)  # fmt: skip

    def assign(self, reviewed) -> None:
        """交办: the deadline starts; a 承办 task per assigned unit; reports; 提请办结; 确认办结."""
        office, rng, state, head = self.office, self.rng, self.state, self.head
        if self.is_open:
            due, basis, provisional = self.dues[self.start]
            clock = "paused" if rng.random() < 0.01 else "running"
        else:
            due = self.closed_due.get(self.start)
            if due is None:
                due = self.calendar.add_workdays(self.start, 10).date
                self.closed_due[self.start] = due
            basis, provisional, clock = "", False, "stopped"
        self.deadline = ("office.assigned_task", self.start, clock, due, provisional, basis)
        assigned = max(reviewed, self.nine(self.start))
        lead = rng.choices(self.units, self.weights)[0]
        co = rng.choice(self.units) if rng.random() < 0.3 else None
        parts = [(lead, "lead")] + ([(co, "co")] if co and co.pk != lead.pk else [])
        aids = list(range(self.next_assignment, self.next_assignment + len(parts)))
        self.next_assignment += len(parts)
        tids = list(range(self.next_task, self.next_task + len(parts)))
        co_names = json.dumps([u.name for u, role in parts if role == "co"], ensure_ascii=False)
        seq = self.event(
            "assign", head, assigned, "review", "handling",
            f'{{{self.snapshot("review")}, "deadline": "start", "task_ids": {json.dumps(tids)}, '
            f'"assignment_ids": {json.dumps(aids)}, "lead_unit": "{lead.name}", '
            f'"co_units": {co_names}}}',
        )  # fmt: skip
        finished = state == "closed"
        done = (
            assigned + datetime.timedelta(days=rng.randrange(1, 14))
            if finished
            else assigned + HOUR * 4
        )
        complete_seq, holder = None, head
        for (unit, role), aid, tid in zip(parts, aids, tids, strict=True):
            unit_head = office.heads[unit.pk]
            person = office.staff[unit.pk][rng.randrange(3)]
            reported = finished or state == "confirming" or (role == "co" and rng.random() < 0.5)
            handed = rng.random() < (0.3 if self.is_open else 0.2)
            actor = person if handed else unit_head
            at = done - HOUR if role == "co" else done
            self.assignments.add(
                aid, self.pk, unit.pk, role, "reported" if reported else "open",
                "请按要求办理并及时反馈。", self.d(due), REPORT if reported else "",
                self.dt(at) if reported else None, actor.pk if reported else None,
                self.dt(assigned),
            )  # fmt: skip
            self.task(
                "assignment", "done" if reported else "open", when=assigned, by=head, seq=seq,
                unit=unit, assignee=person if handed else None, assignment=aid, due=due,
                done_by=actor if reported else None, done_at=at if reported else None,
            )  # fmt: skip
            if handed:  # 处内分办
                self.event(
                    "task.hand", unit_head, assigned + HOUR,
                    data=f'{{"task_id": {tid}, "to": {person.pk}, "unit": "{unit.name}"}}',
                )  # fmt: skip
            if role == "lead" and self.is_open and rng.random() < 0.2:
                self.report(aid, "progress", PROGRESS, actor, assigned + HOUR * 2, event=True)
            if not reported:
                continue
            if role == "co":
                self.report(aid, "final", REPORT, actor, at, event=True)
                continue
            # 提请办结 carries the lead's 办结报告 and opens the owner heads' 确认办结.
            report = self.report(aid, "final", REPORT, actor, at, event=False)
            holder = actor
            complete_seq = self.event(
                "complete", actor, at, "handling", "confirming",
                f'{{{self.snapshot("handling", running=True)}, "final_report": '
                f'{{"assignment_id": {aid}, "report_id": {report}}}, '
                f'"task_ids": [{self.next_task}]}}',
            )  # fmt: skip
        if complete_seq is not None:
            self.task(
                "confirm", "done" if finished else "open", when=done, by=holder,
                seq=complete_seq, unit=self.owner, heads_only=True, state_code="confirming",
                due=due, done_by=head if finished else None,
                done_at=done + HOUR if finished else None,
            )  # fmt: skip
        if finished:
            self.closed_at = done + HOUR
            self.event(
                "confirm", head, self.closed_at, "confirming", "closed",
                f"{{{self.snapshot('confirming', running=True)}}}",
            )  # fmt: skip

    def report(self, aid, kind, text, actor, when, *, event: bool) -> int:
        rid = self.next_report
        self.next_report += 1
        self.reports.add(rid, aid, kind, text, actor.pk, self.dt(when))
        if event:
            self.event(
                "assignment.report", actor, when,
                data=f'{{"assignment_id": {aid}, "kind": "{kind}", "report_id": {rid}}}',
            )  # fmt: skip
        return rid

    def circulate(self, created) -> None:
        """传阅 on 3% of open cases: to a leader and/or another unit's staff; half read."""
        rng, office = self.rng, self.office
        if not self.is_open or rng.random() >= 0.03:
            return
        people = {}
        if rng.random() < 0.7:
            leader = office.leaders[rng.randrange(2)]
            people[leader.pk] = leader
        if not people or rng.random() < 0.5:
            staff = office.staff[rng.choice(self.units).pk][rng.randrange(3)]
            people[staff.pk] = staff
        when = created + HOUR * 3
        ids = json.dumps(list(range(self.next_task, self.next_task + len(people))))
        seq = self.event(
            "circulate", self.head, when,
            data=f'{{"task_ids": {ids}, "users": {json.dumps(list(people))}}}',
        )  # fmt: skip
        for person in people.values():
            read = when + HOUR if rng.random() < 0.5 else None
            self.task("circulate", "open", when=when, by=self.head, seq=seq, assignee=person,
                      read_at=read)  # fmt: skip


def generate(n: int, office: Office, batch: int) -> dict:
    from django.db import connection, transaction

    from zhengban.cases.models import CaseCounter

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")  # bulk load only; restored below
            cursor.execute("PRAGMA cache_size=-400000")
        generator = Generator(cursor, office)
        for batch_start in range(0, n, batch):
            with transaction.atomic():
                for index in range(batch_start, min(n, batch_start + batch)):
                    generator.write(index)
                generator.flush()
            done = min(n, batch_start + batch)
            if done % 100_000 == 0 or done == n:
                elapsed = time.perf_counter() - started
                print(
                    f"  generated {done:>9,} cases  {elapsed:7.1f} s  {done / elapsed:8,.0f}/s",
                    flush=True,
                )
        # The numbers written above are the series' first n (the column was `case_type`
        # before the allocator became public).
        key = "series" if any(f.name == "series" for f in CaseCounter._meta.fields) else "case_type"
        CaseCounter.objects.update_or_create(
            **{key: _number_series(), "year": generator.year}, defaults={"last": n}
        )
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=NORMAL")
            began = time.perf_counter()
            cursor.execute("ANALYZE")
            print(f"  ANALYZE {time.perf_counter() - began:.0f} s", flush=True)
    counts = generator.counts()
    counts["seconds"] = time.perf_counter() - started
    return counts


class Showcase:
    """One case taken through the real services until its page shows HISTORY entries."""

    @staticmethod
    def get_or_build(office: Office):
        from zhengban.cases.models import Case

        case = Case.objects.filter(title=SHOWCASE_TITLE).order_by("pk").first()
        if case is None:
            began = time.perf_counter()
            case = Showcase.build(office)
            print(
                f"showcase case {case.number}: {case.events.count()} history entries through "
                f"the services ({time.perf_counter() - began:.1f} s)",
                flush=True,
            )
        return case

    @staticmethod
    def build(office: Office):
        from zhengban.cases import assignments, comments, services
        from zhengban.cases.models import Assignment, Case, CaseEvent, Task

        owner, lead, co = office.busy_unit, office.lead, office.co
        drafter, head = office.staff[owner.pk][0], office.heads[owner.pk]
        leader = office.leaders[0]
        case = services.case_create(
            case_type="assigned_task",
            title=SHOWCASE_TITLE,
            body=SENTENCES[2] + SENTENCES[3],
            owner_unit=owner,
            actor=drafter,
        )

        def fresh():
            return Case.objects.get(pk=case.pk)

        def perform(code, actor, params=None, comment=""):
            c = fresh()
            services.case_perform(
                case=c,
                action_code=code,
                actor=actor,
                version=c.version,
                params=params or {},
                comment=comment,
            )

        def entries() -> int:
            return CaseEvent.objects.filter(case=case).count()

        for round_ in range(3):
            perform("submit", drafter)
            perform("send_back", head, comment=f"请补充第{round_ + 1}轮修改意见中的责任分工。")
        perform("submit", drafter)
        perform("countersign", head, {"users": [leader.pk, office.heads[lead.pk].pk]})
        for task in Task.objects.filter(case=case, kind="countersign", state="open"):
            services.task_complete(task=task, actor=task.assignee, opinion="agree", text="同意。")
        perform(
            "assign",
            head,
            {"lead_unit": lead, "co_units": [co], "instructions": "请按时反馈办理进展。"},
        )
        lead_task = Task.objects.get(case=case, kind="assignment", unit=lead, state="open")
        lead_staff = office.staff[lead.pk][0]
        services.task_hand(task=lead_task, actor=office.heads[lead.pk], to_user=lead_staff)
        lead_a = Assignment.objects.get(case=case, unit=lead, status="open")
        co_a = Assignment.objects.get(case=case, unit=co, status="open")
        step = 0
        while entries() < HISTORY:
            step += 1
            if step % 3 == 0:
                assignments.case_urge(
                    case=fresh(), actor=head, message=f"请加快办理（第{step}次催办）。"
                )
            elif step % 3 == 1:
                assignments.assignment_report(
                    assignment=lead_a,
                    actor=lead_staff,
                    report=f"第{step}次阶段性进展：已完成演练方案起草。",
                    kind="progress",
                )
            else:
                assignments.assignment_report(
                    assignment=co_a,
                    actor=office.staff[co.pk][0],
                    report=f"第{step}次阶段性进展：协办事项正在推进。",
                    kind="progress",
                )
        for i in range(3):
            comments.comment_add(
                case=fresh(), actor=drafter, text=f"办理留言{i + 1}：请各单位按时反馈。"
            )
        return fresh()


# --- measuring --------------------------------------------------------------------------------


class Row:
    """One measurement next to its baseline: timings in ms and query counts of one run."""

    def __init__(self, group, label, target, fn, bare_fn, rows_text=""):
        self.group, self.label, self.target = group, label, target
        self.fn, self.bare_fn = fn, bare_fn
        self.rows_text = rows_text
        self.values: list[float] = []
        self.bare: list[float] = []
        self.queries = self.bare_queries = 0
        self.captured: list[dict] = []
        self.error = ""

    @property
    def ratio(self) -> float | None:
        if not self.bare:
            return None
        return percentile(self.values, 50) / max(percentile(self.bare, 50), 1e-6)

    def run(self, repeat: int, warmup: int = 2) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(warmup):
            self.fn()
            if self.bare_fn:
                self.bare_fn()
        for _ in range(repeat):  # alternate, so both see the same cache and load
            began = time.perf_counter()
            self.fn()
            self.values.append((time.perf_counter() - began) * 1000)
            if self.bare_fn:
                began = time.perf_counter()
                self.bare_fn()
                self.bare.append((time.perf_counter() - began) * 1000)
        with CaptureQueriesContext(connection) as captured:
            self.fn()
        self.queries = len(captured.captured_queries)
        self.captured = captured.captured_queries
        if self.bare_fn:
            with CaptureQueriesContext(connection) as captured:
                self.bare_fn()
            self.bare_queries = len(captured.captured_queries)

    def over(self) -> bool:
        return (
            not self.error
            and self.target is not None
            and self.ratio is not None
            and self.ratio > self.target
        )


def measure(args, db_path, office: Office, showcase, generated, setup_seconds) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import clear_url_caches, include, path

    import zhengban.urls
    from zhengban.audit.models import AuditRecord
    from zhengban.audit.verify import verify_chain
    from zhengban.cases import reminders, selectors, services, views
    from zhengban.cases.models import Case, Notification
    from zhengban.cases.policies import cases_visible_to

    table: list[tuple[str, str]] = []
    total = Case.objects.count()
    print(
        f"\ncase kernel bench: {total:,} cases, SQLite {db_path}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    )
    if generated:
        rows = sum(v for k, v in generated.items() if k != "seconds")
        detail = ", ".join(f"{v:,} {k}" for k, v in generated.items() if k != "seconds")
        table.append(
            (
                "bulk generation",
                f"{generated['cases']:,} cases, {rows:,} rows in {generated['seconds']:.0f} s "
                f"({generated['cases'] / generated['seconds']:,.0f} cases/s; {detail})",
            )
        )
    table.append(("setup total", f"{setup_seconds:.0f} s"))

    # 1. The real write path.
    unit = office.search_unit
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
    if args.service_cases:
        table.append(
            (
                "services.case_create",
                f"{args.service_cases:,} cases in {seconds:.1f} s = "
                f"{args.service_cases / seconds:,.0f} cases/s (one transaction each: number, "
                "event, 起草 task, search text, audit)",
            )
        )

    head, leader, delegate = office.busy_head, office.leaders[0], office.delegate
    page_size = getattr(views, "PAGE_SIZE", 25)
    print(
        f"users: busy 处长 {head} (head of {office.busy_unit.name}); office leader {leader}; "
        f"staff {staff} ({unit.name}); {delegate} holds delegations from the heads of "
        f"{office.lead.name} and {office.co.name}"
    )
    for who in (head, leader, staff):
        print(f"  {who} sees {cases_visible_to(who).count():,} cases")

    # Baselines: a bare view, and the inbox / search views given an unfiltered queryset.
    bare_sets: dict[str, object] = {}

    def bare_ok(request):
        from django.http import HttpResponse

        return HttpResponse("ok")

    def bare_inbox(request):
        qs = bare_sets[request.GET["key"]]
        original = selectors.inbox_queryset
        selectors.inbox_queryset = lambda user, tab, filters=None: qs.all()
        try:
            return views.inbox(request)
        finally:
            selectors.inbox_queryset = original

    def bare_search(request):
        qs = bare_sets[request.GET["key"]]
        original = selectors.search_cases
        selectors.search_cases = lambda user, query: qs.all()
        try:
            return views.search(request)
        finally:
            selectors.search_cases = original

    def bare_case(request, pk):
        from django.shortcuts import render

        from zhengban.cases.models import Assignment, CaseEvent, Task

        case = Case.objects.select_related("owner_unit", "assignee", "creator").get(pk=pk)
        return render(
            request,
            "bench_bare_case.html",
            {
                "case": case,
                "events": CaseEvent.objects.filter(case=case)
                .select_related("actor", "on_behalf_of")
                .order_by("seq"),
                "tasks": Task.objects.filter(case=case).select_related("assignee", "unit"),
                "assignments": Assignment.objects.filter(case=case).select_related("unit"),
            },
        )

    install_bare_template()
    module = type(sys)("bench_cases_urls")
    module.urlpatterns = [
        path("bench/bare/", bare_ok),
        path("bench/inbox/", bare_inbox),
        path("bench/search/", bare_search),
        path("bench/case/<int:pk>/", bare_case),
        path("", include(zhengban.urls)),
    ]
    settings.ROOT_URLCONF = module
    clear_url_caches()
    clients = {}
    for user in (head, leader, staff, delegate):
        client = Client()
        client.force_login(user)
        clients[user.pk] = client

    def getter(user, url):
        client = clients[user.pk]

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    def first_page(qs, user):
        """What the page's paginator runs (the count, then the first page of rows), the same
        paginator for the measured and the bare queryset."""
        make = getattr(selectors, "paginator", None)

        def run():
            if make is None:  # before the kernel had its own paginator
                qs.count()
                return list(qs[:page_size])
            return list(make(qs, page_size, user=user).get_page(1).object_list)

        return run

    def bare_of(user, qs, rows):
        from zhengban.cases.policies import principal_ids

        ids = [c.pk for c in rows]
        bare = Case.objects.filter(pk__in=ids)
        return selectors.annotate_rows(bare, principal_ids(user), user).order_by(*qs.query.order_by)

    results: list[Row] = []
    floor = Row("floor", 'bare Django view ("ok")', None, getter(staff, "/bench/bare/"), None)
    results.append(floor)

    # 2. Inbox tabs.
    for user, who in ((head, "busy 处长"), (leader, "leader")):
        for tab in ("todo", "unit", "overdue"):
            qs = selectors.inbox_queryset(user, tab)
            count = qs.count()
            rows = list(qs[:page_size])
            bare = bare_of(user, qs, rows)
            key = f"{tab}-{user.pk}"
            bare_sets[key] = bare
            shown = f"{len(rows)} of {count:,}"
            results.append(
                Row(
                    "inbox",
                    f"{tab} ({who}) [query]",
                    TARGET_INBOX,
                    first_page(qs, user),
                    first_page(bare, user),
                    shown,
                )
            )
            results.append(
                Row(
                    "inbox",
                    f"/cases/?tab={tab} ({who})",
                    TARGET_INBOX,
                    getter(user, f"/cases/?tab={tab}"),
                    getter(user, f"/bench/inbox/?tab={tab}&key={key}"),
                    shown,
                )
            )

    # 3. The case page.
    entries = showcase.events.count()
    case_url = f"/cases/{showcase.pk}/"
    bare_url = f"/bench/case/{showcase.pk}/"

    def page_query(user):
        def run():
            case = selectors.case_for_page(user, showcase.pk)
            return selectors.case_page(user, case)

        return run

    def bare_query():
        from zhengban.cases.models import Assignment, CaseEvent, Task

        case = Case.objects.select_related("owner_unit", "assignee", "creator").get(pk=showcase.pk)
        list(CaseEvent.objects.filter(case=case).select_related("actor", "on_behalf_of"))
        list(Task.objects.filter(case=case).select_related("assignee", "unit"))
        list(Assignment.objects.filter(case=case).select_related("unit"))

    shown = f"{entries} entries"
    results.append(
        Row(
            "case",
            "case_page (2 delegations) [query]",
            TARGET_PAGE,
            page_query(delegate),
            bare_query,
            shown,
        )
    )
    results.append(
        Row(
            "case",
            f"{case_url} (2 delegations)",
            TARGET_PAGE,
            getter(delegate, case_url),
            getter(delegate, bare_url),
            shown,
        )
    )
    results.append(
        Row(
            "case",
            f"{case_url} (owner 处长, none)",
            TARGET_PAGE,
            getter(head, case_url),
            getter(head, bare_url),
            shown,
        )
    )

    # 4. Search.
    from zhengban.cases import search

    for user, who in ((staff, "staff"), (leader, "leader")):
        for term in (COMMON_TERM, RARE_TERM):
            qs = selectors.search_cases(user, term)
            count = qs.count()
            bare = selectors.annotate_rows(
                search.search_filter(Case.objects.all(), term), [user.pk], user
            ).order_by(*qs.query.order_by)
            key = f"search-{term}-{user.pk}"
            bare_sets[key] = bare
            shown = f"{min(count, page_size)} of {count:,} (all: {bare.count():,})"
            results.append(
                Row(
                    "search",
                    f"{term} ({who}) [query]",
                    TARGET_SEARCH,
                    first_page(qs, user),
                    first_page(bare, user),
                    shown,
                )
            )
            results.append(
                Row(
                    "search",
                    f"/cases/search/?q={term} ({who})",
                    TARGET_SEARCH,
                    getter(user, f"/cases/search/?q={term}"),
                    getter(user, f"/bench/search/?q={term}&key={key}"),
                    shown,
                )
            )

    for row in results:
        began = time.perf_counter()
        try:
            row.run(args.requests, warmup=5 if row is floor else 2)
        except Exception as error:  # the kernel is someone's work in progress: report, go on
            row.error = f"{type(error).__name__}: {error}"
            print(f"  FAILED {row.label}: {row.error}", flush=True)
            continue
        print(f"  measured {row.label} ({time.perf_counter() - began:.1f} s)", flush=True)
    floor_p50 = percentile(floor.values, 50)

    # 5. The daily sweep over everything (a reused database forgets earlier sweeps first).
    sweeps = []
    notifications_before = Notification.objects.count()
    if not args.skip_tick:
        from zhengban.cases.models import CaseEvent

        Notification.objects.filter(dedupe_key__startswith="remind:").delete()
        CaseEvent.objects.filter(action__in=reminders.EVENT_ACTIONS).delete()
        notifications_before = Notification.objects.count()
        today = datetime.date.today()
        for label, day in (
            ("tick, first run (backlog)", today),
            ("tick, again the same day", today),
            ("tick, next working day", _next_workday(today)),
        ):
            began = time.perf_counter()
            result = reminders.tick(today=day)
            sweeps.append((label, time.perf_counter() - began, result))

    # 6. Audit verification over every record produced.
    records = AuditRecord.objects.count()
    began = time.perf_counter()
    verified = verify_chain()
    verify_seconds = time.perf_counter() - began

    print()
    print(
        f"{pad('measurement', 44)} {pad('rows', 26)} {'p50 ms':>8} {'p95 ms':>8} {'q':>3}"
        f" {'bare p50':>8} {'bare p95':>8} {'q':>3} {'ratio':>6} {'target':>6}"
    )
    print("-" * 132)
    group = None
    for row in results:
        if row.group != group and group is not None:
            print()
        group = row.group
        if row.error or not row.values:
            print(f"{pad(row.label, 44)} {pad(row.rows_text, 26)} failed: {row.error[:120]}")
            continue
        p50, p95 = percentile(row.values, 50), percentile(row.values, 95)
        if row.bare:
            b50, b95 = percentile(row.bare, 50), percentile(row.bare, 95)
            mark = "" if row.target is None else (" ✗" if row.over() else " ✓")
            tail = (
                f" {b50:8.2f} {b95:8.2f} {row.bare_queries:3d} {row.ratio:5.2f}×"
                f" ≤{row.target:.1f}×{mark}"
            )
        else:
            tail = ""
        print(
            f"{pad(row.label, 44)} {pad(row.rows_text, 26)} {p50:8.2f} {p95:8.2f} "
            f"{row.queries:3d}{tail}"
        )
    print(
        f"(ratio: p50 over the baseline's p50, measured alternately in the same run; "
        f"{args.requests} timed runs per row after warm-up; q: queries of one run; "
        f'the bare "ok" view\'s p50 is {floor_p50:.2f} ms)'
    )
    slow = [row for row in results if row.over()]
    for row in slow:
        explain(connection, row)
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
            f"{verified.checked / max(verify_seconds, 1e-6):,.0f} records/s "
            f"({'intact' if verified.ok else verified.problem})",
        )
    )
    if sweeps:
        table.append(
            ("notifications", f"{Notification.objects.count() - notifications_before:,} from tick")
        )
    table.append(("database", f"{_size(db_path) / 1e9:.2f} GB on disk"))
    table.append(("whole run", f"{time.perf_counter() - RUN_STARTED:.0f} s"))
    width = max(len(label) for label, _v in table)
    for label, value in table:
        print(f"{label:<{width}}  {value}")
    connection.close()


def explain(connection, row: Row) -> None:
    """The slowest statement of one run of a row over its target, with its query plan."""
    if not row.captured:
        return
    worst = max(row.captured, key=lambda q: float(q.get("time") or 0))
    sql = worst["sql"]
    in_sql = sum(float(q.get("time") or 0) for q in row.captured) * 1000
    p50 = percentile(row.values, 50)
    where = "mostly Python" if in_sql < p50 / 2 else "mostly SQL"
    print(f"\n{row.label}: {row.ratio:.2f}× over {row.target}×; its {row.queries} queries took "
          f"{in_sql:.0f} ms in one more run, p50 {p50:.0f} ms ({where}); "
          f"the slowest ({float(worst['time']) * 1000:.1f} ms):")  # fmt: skip
    print(f"  {sql[:1500]}{' …' if len(sql) > 1500 else ''}")
    if connection.vendor != "sqlite" or not sql.lstrip().upper().startswith("SELECT"):
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = cursor.fetchall()
    except Exception as error:  # the logged SQL may not round-trip; say so, go on
        print(f"  (EXPLAIN QUERY PLAN failed: {error})")
        return
    depth = {0: 0}
    for node, parent, _unused, detail in plan:
        depth[node] = depth.get(parent, 0) + 1
        print(f"  {'  ' * depth[node]}{detail}")


BARE_CASE_TEMPLATE = """{% extends "cases/_base.html" %}
{% block title %}{{ case.number }} {{ case.title }}{% endblock %}
{% block content %}
<div class="panel"><div class="muted">{{ case.number }}</div><h1>{{ case.title }}</h1>
<dl class="case-meta"><div><dt>主责处室</dt><dd>{{ case.owner_unit.name }}</dd></div>
<div><dt>承办人</dt><dd>{{ case.assignee|default:"—" }}</dd></div>
<div><dt>创建</dt><dd>{{ case.creator }} {{ case.created_at|date:"Y-m-d H:i" }}</dd></div>
<div><dt>办理期限</dt><dd>{{ case.due_date|date:"Y-m-d" }}</dd></div></dl>
<div>{{ case.body|linebreaks }}</div></div>
<section class="panel"><h2>交办</h2><ul>{% for a in assignments %}
<li>{{ a.unit.name }} {{ a.get_role_display }} {{ a.get_status_display }}
 {{ a.due_date|date:"Y-m-d" }}</li>
{% endfor %}</ul></section>
<section class="panel"><h2>待办</h2><ul>{% for t in tasks %}
<li>{{ t.get_kind_display }} {{ t.get_state_display }}
{% if t.assignee %}{{ t.assignee }}{% else %}{{ t.unit.name }}{% endif %}</li>
{% endfor %}</ul></section>
<section class="panel"><h2>办理记录</h2><ol>{% for e in events %}
<li>{{ e.time|date:"Y-m-d H:i" }} {{ e.actor|default:"系统" }}
{% if e.on_behalf_of %}（代{{ e.on_behalf_of }}）{% endif %}
{{ e.action }} {{ e.from_state }} {{ e.to_state }} {{ e.comment }}</li>
{% endfor %}</ol></section>
{% endblock %}
"""


def install_bare_template() -> None:
    """The bare case view's template, from memory: a locmem loader before the others."""
    from django.template import engines
    from django.template.loaders.locmem import Loader

    engine = engines["django"].engine
    loader = Loader(engine, {"bench_bare_case.html": BARE_CASE_TEMPLATE})
    engine.__dict__["template_loaders"] = [loader, *engine.template_loaders]


def _next_workday(day: datetime.date) -> datetime.date:
    from zhengban.workcalendar.calendar import add_workdays

    return add_workdays(day, 1).date


def _size(path: Path) -> int:
    return sum(
        Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


if __name__ == "__main__":
    main()
