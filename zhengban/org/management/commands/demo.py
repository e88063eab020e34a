"""`zhengban demo setup`: a working office to try: the sample regulation, a roster within the
approved staffing, external handling units and one login per role. Idempotent: a second run
finds everything in place and changes nothing."""

import csv
import io
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from zhengban.accounts.choices import ADMIN_ROLES, LEADER_ROLES, Role
from zhengban.accounts.models import User
from zhengban.accounts.services import random_password, totp_new_secret, totp_uri, user_create
from zhengban.org import services
from zhengban.org.choices import StaffingCategory, UnitKind
from zhengban.org.models import Appointment, Organization, Person, Unit, UnitContact

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "shenyang-general-office-2009.txt"
SAMPLE_TITLE = "沈阳市人民政府办公厅主要职责内设机构和人员编制规定（2009）"
# No default password: each demo account gets a random one, printed once. Tests (and only
# tests) may fix one with --password or ZHENGBAN_DEMO_PASSWORD.
PASSWORD_ENV = "ZHENGBAN_DEMO_PASSWORD"
STAFF_PREFIX = "SY"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN_MALE = "伟强磊军勇杰涛明超刚鹏辉建国志宏海波宇博浩俊峰立新永胜德福振华东亮斌晨旭阳"
GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞桂英玉兰萍红婷雪琳佳怡欣悦涵雨晴慧颖洁莉蕾倩薇璐"
STAFF_RANKS = ["一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员", "一级科员"]
LOGISTICS_POSITIONS = ["驾驶员", "炊事员", "电工", "维修工", "收发员", "保洁员", "门卫"]
LOGISTICS_UNITS = ["服务处", "行政一处", "行政二处", "保卫处"]

# 市直部门 and 区县政府 with the duties they are usually assigned work under.
EXTERNAL_UNITS = [
    (
        "市发展和改革委员会",
        "市直部门",
        "拟订并组织实施全市国民经济和社会发展战略、中长期规划和年度计划；统筹协调经济社会发展，研究分析经济形势；承担重大建设项目的规划布局和审批核准工作",
        "沈阳市沈河区市府大路260号",
        "周立新",
        "办公室副主任",
    ),
    (
        "市教育局",
        "市直部门",
        "贯彻执行国家教育方针政策，拟订全市教育发展规划；负责各级各类学校的统筹管理和督导评估；负责全市学前教育、义务教育和高中阶段教育的招生考试工作",
        "沈阳市和平区南京南街2号",
        "李晓琳",
        "办公室主任",
    ),
    (
        "市公安局",
        "市直部门",
        "负责全市社会治安管理，预防、制止和侦查违法犯罪活动；负责道路交通安全管理；负责户籍、居民身份证和出入境管理工作",
        "沈阳市和平区南京北街181号",
        "赵振华",
        "警务保障部副主任",
    ),
    (
        "市民政局",
        "市直部门",
        "负责全市社会救助和最低生活保障工作；负责养老服务体系建设和老年人福利工作；负责婚姻登记、殡葬管理和行政区划、地名管理工作",
        "沈阳市沈河区北京街6号",
        "孙佳怡",
        "办公室副主任",
    ),
    (
        "市财政局",
        "市直部门",
        "拟订全市财政发展规划和财税政策；编制年度预决算草案并组织执行；负责政府非税收入和政府债务管理工作",
        "沈阳市沈河区市府大路260号",
        "钱建国",
        "办公室主任",
    ),
    (
        "市人力资源和社会保障局",
        "市直部门",
        "拟订全市人力资源和社会保障事业发展规划；负责促进就业和职业技能培训工作；统筹建立覆盖城乡的社会保障体系；负责劳动人事争议调解仲裁和劳动保障监察工作",
        "沈阳市和平区南京北街206号",
        "吴欣悦",
        "综合处处长",
    ),
    (
        "市自然资源局",
        "市直部门",
        "负责全市自然资源调查监测评价和确权登记工作；负责国土空间规划编制和实施监督；负责耕地保护和土地征收征用管理",
        "沈阳市和平区北二马路1号",
        "郑海波",
        "办公室副主任",
    ),
    (
        "市生态环境局",
        "市直部门",
        "负责全市生态环境监督管理和重大生态环境问题的统筹协调；负责大气、水、土壤污染防治的监督管理；组织开展生态环境保护督察和执法检查",
        "沈阳市沈河区青年大街2号",
        "王雪",
        "办公室主任",
    ),
    (
        "市住房和城乡建设局",
        "市直部门",
        "负责全市住房保障和房地产市场监督管理；负责建筑市场和工程质量安全监督管理；指导城镇老旧小区改造和城市更新工作",
        "沈阳市沈河区青年大街96号",
        "冯志宏",
        "综合处副处长",
    ),
    (
        "市交通运输局",
        "市直部门",
        "负责全市公路、水路、城市公共交通的规划、建设和管理；负责道路运输市场监督管理；承担交通运输领域安全生产和应急保障工作",
        "沈阳市和平区中华路28号",
        "陈浩",
        "办公室副主任",
    ),
    (
        "市农业农村局",
        "市直部门",
        "统筹研究和组织实施全市乡村振兴战略；负责种植业、畜牧业、渔业等农业各产业的监督管理；负责农产品质量安全监督管理和农村宅基地管理",
        "沈阳市沈河区惠工街131号",
        "杨秀霞",
        "办公室主任",
    ),
    (
        "市商务局",
        "市直部门",
        "拟订全市国内外贸易和国际经济合作的发展规划；负责推进流通产业结构调整和消费促进工作；负责外商投资促进和投诉协调工作",
        "沈阳市沈河区市府大路260号",
        "黄俊峰",
        "综合处处长",
    ),
    (
        "市卫生健康委员会",
        "市直部门",
        "拟订全市卫生健康事业发展规划；负责疾病预防控制和突发公共卫生事件应急处置；负责医疗机构和医疗服务行业的监督管理",
        "沈阳市和平区南京南街46号",
        "刘慧",
        "办公室副主任",
    ),
    (
        "市应急管理局",
        "市直部门",
        "负责全市应急管理工作，指导各地区各部门应对安全生产类、自然灾害类突发事件；组织编制全市总体应急预案和安全生产类、自然灾害类专项预案；负责安全生产综合监督管理和工矿商贸行业安全生产监督管理",
        "沈阳市沈河区文艺路19号",
        "徐东",
        "应急值守处处长",
    ),
    (
        "市市场监督管理局",
        "市直部门",
        "负责全市市场综合监督管理和市场主体登记注册；负责食品安全和特种设备安全监督管理；负责消费者权益保护和投诉举报处理工作",
        "沈阳市皇姑区黄河南大街39号",
        "马丽",
        "办公室主任",
    ),
    (
        "和平区人民政府",
        "区县政府",
        "执行本级人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；管理本行政区域内的经济、教育、科学、文化、卫生、城乡建设等行政工作；办理市政府交办的督办事项和人大代表建议、政协提案",
        "沈阳市和平区南京南街215号",
        "朱晨",
        "区政府办公室副主任",
    ),
    (
        "沈河区人民政府",
        "区县政府",
        "执行本级人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；管理本行政区域内的经济、民政、公安、城乡建设等行政工作；办理市政府交办的督办事项和群众来信",
        "沈阳市沈河区青年大街196号",
        "胡桂英",
        "区政府办公室主任",
    ),
    (
        "皇姑区人民政府",
        "区县政府",
        "执行本级人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；管理本行政区域内的经济和社会事务；办理市政府交办的督办事项和人大代表建议、政协提案",
        "沈阳市皇姑区崇山中路43号",
        "林斌",
        "区政府办公室副主任",
    ),
    (
        "浑南区人民政府",
        "区县政府",
        "执行本级人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；管理本行政区域内的经济、科技、城乡建设等行政工作；办理市政府交办的督办事项和投资企业投诉",
        "沈阳市浑南区沈中大街206号",
        "何亮",
        "区政府办公室主任",
    ),
    (
        "新民市人民政府",
        "区县政府",
        "执行本级人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；管理本行政区域内的经济、农业农村和社会事务；办理市政府交办的督办事项和群众来信",
        "新民市新柳街100号",
        "高颖",
        "市政府办公室副主任",
    ),
    (
        "康平县人民政府",
        "区县政府",
        "执行本级人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；管理本行政区域内的经济、农业农村和社会事务；办理市政府交办的督办事项和人大代表建议、政协提案",
        "康平县胜利街道康平大街1号",
        "郭旭",
        "县政府办公室主任",
    ),
]


class NameMaker:
    """Plausible Chinese names from surname and given-name lists, deterministic, no repeats."""

    def __init__(self, seed: int = 2009):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def make(self) -> tuple[str, str]:
        while True:
            gender = self.rng.choice("男女")
            chars = GIVEN_MALE if gender == "男" else GIVEN_FEMALE
            given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name, gender


class Command(BaseCommand):
    help = _("演示数据：载入示例三定规定、人员名册、承办单位和各角色演示账号")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["setup"])
        parser.add_argument(
            "--password",
            default=os.environ.get(PASSWORD_ENV, ""),
            help=_("所有新建演示账号使用此密码（仅供测试；默认每个账号随机生成）"),
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        main = self._regulation()
        self._roster(main)
        self._external_units()
        users, secrets = self._accounts(main, options["password"])
        from zhengban.cases.demo import create_demo_cases
        from zhengban.documents.demo import create_demo_series
        from zhengban.meetings.services import meeting_types_setup

        create_demo_series(main)  # 沈政办发/函/纪要 and the office seal
        meeting_types_setup(organization=main)
        created = create_demo_cases()
        if created:
            self.stdout.write(_("演示事项：%(n)d件") % {"n": created})
        self.stdout.write(_("演示账号（新建账号的密码只显示这一次，请记下）："))
        self.stdout.write(_table(users))
        if secrets:
            self.stdout.write(
                _(
                    "领导和三员登录须输入动态口令。请在手机身份验证器中添加以下密钥（只显示这一次）："
                )
            )
            self.stdout.write(_table(secrets))
        self.stdout.write(_("完成，用时%(s).1f秒。") % {"s": time.monotonic() - started})

    # --- regulation ---------------------------------------------------------------------------

    def _regulation(self) -> Organization:
        main = Organization.objects.filter(parent__isnull=True, active=True).first()
        if main is not None:
            return main
        if not SAMPLE.exists():
            raise CommandError(_("缺少示例三定规定：%(f)s") % {"f": SAMPLE}, returncode=2)
        result = services.regulation_load(
            text=SAMPLE.read_text(encoding="utf-8"), title=SAMPLE_TITLE, actor=None
        )
        self.stdout.write(result.lines()[0])
        return result.organization

    # --- roster -------------------------------------------------------------------------------

    def _roster(self, main: Organization) -> None:
        if Person.objects.filter(staff_number__startswith=STAFF_PREFIX).exists():
            return
        names = NameMaker()
        rng = random.Random(26)
        plan: list[dict] = []
        organizations = [main, *main.attached.filter(active=True).order_by("order", "pk")]
        for organization in organizations:
            plan += _organization_plan(organization, rng)
        with transaction.atomic():
            people = []
            for number, item in enumerate(plan, start=1):
                name, gender = names.make()
                senior = item["post"] is not None
                people.append(
                    Person(
                        name=name,
                        staff_number=f"{STAFF_PREFIX}{number:04d}",
                        gender=gender,
                        birth_year=rng.randint(1964, 1978) if senior else rng.randint(1968, 1998),
                        phone=f"024-2272{rng.randint(0, 9999):04d}",
                    )
                )
            Person.objects.bulk_create(people)
            for person, item in zip(people, plan, strict=True):
                services.appointment_create(person=person, actor=None, **item)
        self.stdout.write(_("人员名册：%(n)d人") % {"n": len(plan)})

    # --- external units -----------------------------------------------------------------------

    def _external_units(self) -> None:
        existing = set(Unit.objects.filter(kind=UnitKind.EXTERNAL).values_list("name", flat=True))
        missing = [row for row in EXTERNAL_UNITS if row[0] not in existing]
        if not missing:
            return
        rng = random.Random(12345)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["名称", "类别", "主要职责", "地址", "联络员", "职务", "电话", "电子邮箱"])
        for name, kind, duties, address, contact, position in missing:
            phone = f"024-{rng.randint(22000000, 88999999)}"
            email = f"lly{rng.randint(100, 999)}@shenyang.gov.cn"
            writer.writerow([name, kind, duties, address, contact, position, phone, email])
        result = services.external_units_import(file=buffer.getvalue().encode("utf-8"), actor=None)
        self.stdout.write(_("承办单位：新增%(n)d个") % {"n": result.created})

    # --- accounts -----------------------------------------------------------------------------

    def _accounts(self, main: Organization, fixed_password: str = "") -> tuple[list, list]:
        units = {u.name: u for u in Unit.objects.filter(active=True).select_related("organization")}
        duty_unit = next((u for n, u in units.items() if n.startswith("指挥联络处")), None)
        duty_unit = duty_unit or units.get("文电处")
        supervision = next((u for n, u in units.items() if "督查室" in n), None)
        education = units.get("市教育局")
        specs = [
            ("clerk", Role.CLERK, units.get("文电处"), "staff"),
            ("staff", Role.STAFF, supervision, "staff"),
            ("division_head", Role.DIVISION_HEAD, supervision, "head"),
            ("office_leader", Role.OFFICE_LEADER, None, "director"),
            ("city_leader", Role.CITY_LEADER, None, None),
            ("unit_contact", Role.UNIT_CONTACT, education, "contact"),
            ("duty_officer", Role.DUTY_OFFICER, duty_unit, "staff"),
            ("sysadmin", Role.SYSTEM_ADMIN, units.get("电子政务处"), "staff"),
            ("secadmin", Role.SECURITY_ADMIN, units.get("保卫处"), "staff"),
            ("auditadmin", Role.AUDIT_ADMIN, units.get("监察处") or units.get("财务处"), "leader"),
        ]
        existing = set(User.objects.values_list("username", flat=True))
        taken = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        new = [spec for spec in specs if spec[0] not in existing]
        passwords = {name: fixed_password or random_password() for name, *_rest in new}
        # Hashing costs ~0.3 s per account; the hash function releases the GIL, so the ten
        # accounts hash side by side.
        with ThreadPoolExecutor(max_workers=min(len(new), os.cpu_count() or 1) or 1) as pool:
            hashes = dict(zip(passwords, pool.map(make_password, passwords.values()), strict=True))
        table, secrets = [], []
        with transaction.atomic():
            for username, role, unit, link in specs:
                password = "—"
                if username not in existing:
                    person, display = _account_person(main, unit, link, taken)
                    user = user_create(
                        username=username,
                        password=None,
                        display_name=display,
                        roles=(role,),
                        units=(unit,) if unit is not None else (),
                        head_of=(unit,) if link == "head" else (),
                        person=person,
                        validate_password=False,
                    )
                    update = {"password": hashes[username]}
                    if role in LEADER_ROLES | ADMIN_ROLES:
                        update["totp_secret"] = totp_new_secret()
                        secrets.append((username, update["totp_secret"]))
                        secrets.append(("", totp_uri(user, update["totp_secret"])))
                    User.objects.filter(pk=user.pk).update(**update)
                    password = passwords[username]
                table.append(
                    (username, str(Role(role).label), unit.name if unit else "—", password)
                )
        header = (_("用户名"), _("角色"), _("单位"), _("密码"))
        return [header, *table], ([(_("用户名"), _("密钥")), *secrets] if secrets else [])


def _organization_plan(organization: Organization, rng: random.Random) -> list[dict]:
    """Appointments for one organization: leaders on every post (a few left vacant), then staff
    and logistics within the approved numbers, each kept below the quota."""
    quotas = {q.category: q.approved for q in organization.quotas.all()}
    units = list(organization.units.filter(active=True).order_by("order", "pk"))
    counted = [u for u in units if u.kind == UnitKind.INTERNAL]
    plan: list[dict] = []
    start = date(2010, 3, 1)

    def add(unit, position, category=StaffingCategory.ADMINISTRATIVE, post=None):
        plan.append(
            {
                "organization": organization,
                "unit": unit,
                "category": category,
                "post": post,
                "position": position,
                "start": date(start.year + rng.randint(0, 14), rng.randint(1, 12), 1),
            }
        )

    heads = [u for u in units if "纪检组" not in u.name]
    for post in organization.posts.order_by("order", "pk"):
        text = post.title + post.grade
        fill = post.count - (2 if post.count >= 10 else 0)
        if "处" in text or "科" in text:
            deputy = "副" in text and "正" not in text
            targets = heads[:fill] if not deputy else counted[:fill]
            for unit in targets:
                add(unit, _division_title(unit.name, deputy), post=post)
        else:
            title = post.title.replace("领导职数", "").replace("职数", "") or post.title
            unit = next((u for u in units if "纪检" in u.name), None) if "纪检" in title else None
            for _n in range(fill):
                add(unit, title, post=post)
    admin_left = quotas.get(StaffingCategory.ADMINISTRATIVE, 0) - len(plan)
    staff = max(admin_left - max(2, admin_left // 12), 0)
    pool = counted or units
    for index in range(staff if pool else 0):
        add(pool[index % len(pool)], STAFF_RANKS[rng.randrange(len(STAFF_RANKS))])
    logistics = quotas.get(StaffingCategory.LOGISTICS, 0)
    logistics_units = [u for u in units if u.name in LOGISTICS_UNITS] or pool
    for index in range(logistics - logistics // 10 if logistics_units else 0):
        add(
            logistics_units[index % len(logistics_units)],
            LOGISTICS_POSITIONS[rng.randrange(len(LOGISTICS_POSITIONS))],
            category=StaffingCategory.LOGISTICS,
        )
    return plan


def _division_title(unit_name: str, deputy: bool) -> str:
    if unit_name == "机关党委":
        return "专职副书记"
    head = "主任" if unit_name.endswith("室") else "处长"
    return "副" + head if deputy else head


def _account_person(main, unit, link, taken: set[int]) -> tuple[Person | None, str]:
    """The roster person a demo account belongs to, and the display name."""
    if link == "contact":
        contact = UnitContact.objects.filter(unit=unit).first() if unit else None
        return None, contact.name if contact else "联络员"
    if link is None:
        return None, "市政府领导"
    appointments = Appointment.objects.filter(end__isnull=True).select_related("person")
    if link == "director":
        appointments = appointments.filter(organization=main, unit=None, post__isnull=False)
    elif link in ("head", "leader"):
        appointments = appointments.filter(unit=unit, post__isnull=False)
    else:
        appointments = appointments.filter(unit=unit, post__isnull=True)
    for appointment in appointments.order_by("post__order", "pk"):
        if appointment.person_id not in taken:
            taken.add(appointment.person_id)
            return appointment.person, appointment.person.name
    return None, str(Role.STAFF.label)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _table(rows) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(str(c) + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip()
        for row in rows
    )
