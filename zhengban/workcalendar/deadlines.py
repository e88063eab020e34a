"""Statutory deadline rules, declared as data, and the due-date computation.

The case kernel stores a rule code, the start date, the number of extensions and derives
pause intervals from the case history; `compute_due` turns them into a due date on the
working-day calendar, with the legal basis to show next to it. Nothing here writes.

Rules taken from regs.md §4. Figures marked UNCONFIRMED there (local practice, or texts not
read) carry `unconfirmed=True`, which is shown with the basis; a deployment sets its own
figures in `settings.WORKCALENDAR_RULE_OVERRIDES`, e.g.
    {"proposal.cppcc_reply": {"amount": 3, "unconfirmed": False, "legal_basis": "…"}}
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from zhengban.accounts.choices import Role

from .calendar import WorkCalendar, current_calendar, shift_months
from .choices import DeadlineEvent, DeadlineUnit, PauseReason

WD = DeadlineUnit.WORKING_DAYS.value
CD = DeadlineUnit.CALENDAR_DAYS.value
MONTHS = DeadlineUnit.MONTHS.value
MINUTES = DeadlineUnit.MINUTES.value

RUNNING = "running"
PAUSED = "paused"


class DeadlineError(ValueError):
    """A deadline request the rule does not allow; the message is for the user."""


class ExtensionNotAllowed(DeadlineError):
    pass


@dataclass(frozen=True)
class ExtensionRule:
    max_times: int
    amount: int
    unit: str
    approver_role: str
    reason_required: bool = True
    # Who approves, in the statute's own words (the role is our nearest equivalent).
    approver_text: str = ""


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    title: str
    unit: str
    amount: int
    from_event: str
    legal_basis: str
    extension: ExtensionRule | None = None
    pausable: bool = False
    # Reasons for which time is not counted (the clock stops, then goes on).
    pause_reasons: frozenset[str] = frozenset()
    # Reasons after which the clock starts again from the end of the interval
    # (政府信息公开条例 art. 30: 答复期限自收到补正的申请之日起计算).
    restart_reasons: frozenset[str] = frozenset()
    # 民法典 art. 203: a period ending on a rest day ends on the next working day.
    roll_to_workday: bool = True
    unconfirmed: bool = False

    def __post_init__(self):
        if self.unit not in DeadlineUnit.values:
            raise ValueError(f"{self.code}: unknown unit {self.unit!r}")
        if self.extension is not None and self.extension.unit not in DeadlineUnit.values:
            raise ValueError(f"{self.code}: unknown extension unit {self.extension.unit!r}")
        if self.extension is not None and (self.unit == MINUTES) != (
            self.extension.unit == MINUTES
        ):
            raise ValueError(f"{self.code}: minute clocks extend in minutes only")
        if self.amount < 0 or len(self.code) > 40:
            raise ValueError(f"{self.code}: bad amount or code longer than 40 characters")
        unknown = (self.pause_reasons | self.restart_reasons) - set(PauseReason.values)
        if unknown:
            raise ValueError(f"{self.code}: unknown pause reasons {sorted(unknown)}")
        if (self.pause_reasons or self.restart_reasons) and not self.pausable:
            raise ValueError(f"{self.code}: pause reasons given but the rule is not pausable")

    @property
    def period_text(self) -> str:
        return period_text(self.amount, self.unit)

    @property
    def from_event_label(self) -> str:
        if self.from_event in DeadlineEvent.values:
            return str(DeadlineEvent(self.from_event).label)
        return self.from_event

    @cached_property
    def basis_text(self) -> str:
        # Basis texts are legal text stored with each case, in Chinese like the statutes
        # they cite; they must not change with the language of whoever triggered a
        # recomputation, so they are not passed through gettext.
        text = self.legal_basis
        if self.unconfirmed:
            text += "〔待核实：该期限未经原文核实或为地方做法，可在系统设置中调整〕"
        return text


def period_text(amount: int, unit: str) -> str:
    """ "20个工作日", "60日", "3个月", "30分钟"; a zero-day period reads "当日"."""
    if unit == CD and amount == 0:
        return _("当日")
    formats = {WD: _("%d个工作日"), CD: _("%d日"), MONTHS: _("%d个月"), MINUTES: _("%d分钟")}
    return formats[unit] % amount


class Pause(NamedTuple):
    """An interval in which the clock did not run: the days after `start_date` up to and
    including `end_date` are not counted. `end_date` None = still paused."""

    start_date: date
    end_date: date | None
    reason: str


class Due(NamedTuple):
    """A computed deadline. (Named tuples: the deadline sweep makes millions of these.)"""

    date: date | None
    provisional: bool
    warnings: list[str]
    basis_text: str
    paused_workdays: int = 0
    state: str = RUNNING
    extensions: int = 0
    # Minute clocks only: the exact moment (they run round the clock).
    at: datetime | None = None
    rule_code: str = ""


# -- the registry ----------------------------------------------------------------------

_OFFICE_HEAD = Role.OFFICE_LEADER.value

_RULE_LIST = [
    # 政府信息公开条例 (国务院令第711号, 2019年修订)
    DeadlineRule(
        code="disclosure.reply",
        title="依申请公开答复",
        unit=WD,
        amount=20,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《中华人民共和国政府信息公开条例》（2019年修订）第三十三条：不能当场答复的，"
            "自收到申请之日起20个工作日内予以答复；需要延长的，经政府信息公开工作机构负责人"
            "同意并告知申请人，延长期限最长不超过20个工作日；征求第三方和其他机关意见所需时间"
            "不计算在内。第三十条：答复期限自收到补正的申请之日起计算。"
        ),
        extension=ExtensionRule(
            max_times=1,
            amount=20,
            unit=WD,
            approver_role=_OFFICE_HEAD,
            approver_text="政府信息公开工作机构负责人（并告知申请人）",
        ),
        pausable=True,
        pause_reasons=frozenset({PauseReason.THIRD_PARTY, PauseReason.OTHER_ORGAN}),
        restart_reasons=frozenset({PauseReason.CORRECTION}),
    ),
    DeadlineRule(
        code="disclosure.correction_notice",
        title="一次性告知补正",
        unit=WD,
        amount=7,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《中华人民共和国政府信息公开条例》（2019年修订）第三十条：申请内容不明确的，"
            "自收到申请之日起7个工作日内一次性告知申请人作出补正。"
        ),
    ),
    DeadlineRule(
        code="disclosure.proactive",
        title="主动公开",
        unit=WD,
        amount=20,
        from_event=DeadlineEvent.FORMATION,
        legal_basis=(
            "《中华人民共和国政府信息公开条例》（2019年修订）第二十六条：属于主动公开范围的"
            "政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开；法律、法规"
            "另有规定的，从其规定。"
        ),
    ),
    DeadlineRule(
        code="disclosure.third_party_opinion",
        title="第三方提出意见",
        unit=WD,
        amount=15,
        from_event=DeadlineEvent.CONSULTATION,
        legal_basis=(
            "《中华人民共和国政府信息公开条例》（2019年修订）第三十二条：第三方应当自收到"
            "征求意见书之日起15个工作日内提出意见；逾期未提出的，由行政机关依法决定。"
        ),
    ),
    DeadlineRule(
        code="disclosure.organ_opinion",
        title="其他机关提出意见",
        unit=WD,
        amount=15,
        from_event=DeadlineEvent.CONSULTATION,
        legal_basis=(
            "《中华人民共和国政府信息公开条例》（2019年修订）第三十四条：被征求意见机关应当"
            "自收到征求意见书之日起15个工作日内提出意见，逾期未提出的视为同意公开。"
        ),
    ),
    # 信访工作条例 (2022). "日" is not defined there; counted as calendar days and moved off
    # rest days per 民法典 art. 203 (regs.md §4.2: that interpretation is UNCONFIRMED).
    DeadlineRule(
        code="petition.triage",
        title="信访事项登记转送交办",
        unit=CD,
        amount=15,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《信访工作条例》（2022年）第二十二条：信访部门收到信访事项，应当予以登记，并区分"
            "情况，在15日内分别按规定转送或者交办。"
        ),
    ),
    DeadlineRule(
        code="petition.receipt_notice",
        title="告知信访人是否受理",
        unit=CD,
        amount=15,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《信访工作条例》（2022年）第二十三条：能够当场告知的当场书面告知；不能当场告知的，"
            "应当自收到信访事项之日起15日内书面告知信访人（姓名、住址不清的除外）。"
        ),
    ),
    DeadlineRule(
        code="petition.objection",
        title="对转送交办事项提出异议",
        unit=WD,
        amount=5,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《信访工作条例》（2022年）第二十三条第三款：对转送、交办的信访事项不属于本机关"
            "职权范围的，应当自收到之日起5个工作日内提出异议，并详细说明理由。"
        ),
    ),
    DeadlineRule(
        code="petition.handle",
        title="信访事项办结",
        unit=CD,
        amount=60,
        from_event=DeadlineEvent.ACCEPTANCE,
        legal_basis=(
            "《信访工作条例》（2022年）第三十四条：信访事项应当自受理之日起60日内办结；情况"
            "复杂的，经本机关负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知"
            "信访人延期理由。"
        ),
        extension=ExtensionRule(
            max_times=1,
            amount=30,
            unit=CD,
            approver_role=_OFFICE_HEAD,
            approver_text="本机关负责人（并告知信访人延期理由）",
        ),
    ),
    DeadlineRule(
        code="petition.review",
        title="信访复查意见",
        unit=CD,
        amount=30,
        from_event=DeadlineEvent.REVIEW_REQUEST,
        legal_basis=(
            "《信访工作条例》（2022年）第三十五条：收到复查请求之日起30日内提出复查意见，"
            "并予以书面答复。"
        ),
    ),
    DeadlineRule(
        code="petition.recheck",
        title="信访复核意见",
        unit=CD,
        amount=30,
        from_event=DeadlineEvent.REVIEW_REQUEST,
        legal_basis=(
            "《信访工作条例》（2022年）第三十六条：收到复核请求之日起30日内提出复核意见；"
            "举行听证的，听证所需时间不计算在内。"
        ),
        pausable=True,
        pause_reasons=frozenset({PauseReason.HEARING}),
    ),
    DeadlineRule(
        code="petition.review_window",
        title="信访人请求复查（复核）期限",
        unit=CD,
        amount=30,
        from_event=DeadlineEvent.REPLY,
        legal_basis=(
            "《信访工作条例》（2022年）第三十五条、第三十六条：信访人可以自收到书面答复（复查"
            "意见）之日起30日内请求复查（复核）。"
        ),
    ),
    # 人大代表建议、政协提案
    DeadlineRule(
        code="proposal.npc_reply",
        title="人大代表建议答复",
        unit=MONTHS,
        amount=3,
        from_event=DeadlineEvent.ASSIGNMENT,
        legal_basis=(
            "《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》（2025年修正）"
            "第五十一条：有关机关、组织应当自交办之日起3个月内答复；涉及面广、处理难度大的，"
            "应当自交办之日起6个月内答复。"
        ),
        extension=ExtensionRule(
            max_times=1,
            amount=3,
            unit=MONTHS,
            approver_role=_OFFICE_HEAD,
            approver_text="交办机关（涉及面广、处理难度大的建议）",
        ),
    ),
    DeadlineRule(
        code="proposal.cppcc_reply",
        title="政协提案答复",
        unit=MONTHS,
        amount=3,
        from_event=DeadlineEvent.ASSIGNMENT,
        legal_basis=(
            "《中国人民政治协商会议全国委员会提案工作条例》（2018年修订）及本地提案办理办法："
            "通常自交办之日起3个月内答复，情况复杂的不超过6个月。"
        ),
        extension=ExtensionRule(
            max_times=1,
            amount=3,
            unit=MONTHS,
            approver_role=_OFFICE_HEAD,
            approver_text="交办单位",
        ),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="proposal.urgent_reply",
        title="建议提案（急件）答复",
        unit=MONTHS,
        amount=1,
        from_event=DeadlineEvent.ASSIGNMENT,
        legal_basis="本办建议提案办理惯例：急件自交办之日起1个月内答复。",
        unconfirmed=True,
    ),
    DeadlineRule(
        code="proposal.wrong_assignee",
        title="建议提案交办有误退回",
        unit=CD,
        amount=10,
        from_event=DeadlineEvent.ASSIGNMENT,
        legal_basis=(
            "地方建议提案办理规定（如浙江省规定第十四条）：认为不属于本单位职责的，应当自收到"
            "之日起10日内向交办机关说明情况。"
        ),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="proposal.co_handler_opinion",
        title="建议提案会办意见",
        unit=MONTHS,
        amount=1,
        from_event=DeadlineEvent.ASSIGNMENT,
        legal_basis=(
            "本市建议提案办理通知：会办单位应当自交办之日起1个月内将会办意见送主办单位"
            "（浙江省规定为2个月）。"
        ),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="proposal.rehandle",
        title="代表委员不满意重新办理",
        unit=MONTHS,
        amount=1,
        from_event=DeadlineEvent.REPLY,
        legal_basis=(
            "地方建议办理规定：代表对办理结果不满意的，应当重新办理并答复（浙江省规定1个月，"
            "北京市条例2个月）。"
        ),
        unconfirmed=True,
    ),
    # 12345 政务服务便民热线: no national deadline; these follow one bureau's published rule.
    DeadlineRule(
        code="hotline.urgent",
        title="12345紧急诉求",
        unit=CD,
        amount=0,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis="12345热线工单地方办理规定：紧急诉求当日答复。",
        unconfirmed=True,
    ),
    DeadlineRule(
        code="hotline.consult",
        title="12345咨询求助",
        unit=WD,
        amount=3,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis="12345热线工单地方办理规定：咨询、求助类当日或3个工作日内答复。",
        extension=ExtensionRule(
            max_times=1,
            amount=3,
            unit=WD,
            approver_role=Role.DIVISION_HEAD.value,
            approver_text="12345热线督查中心",
        ),
        pausable=True,
        pause_reasons=frozenset({PauseReason.AWAITING_CALLER}),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="hotline.complaint",
        title="12345投诉建议举报",
        unit=WD,
        amount=13,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis="12345热线工单地方办理规定：建议、投诉、举报类自受理次日起13个工作日内办结。",
        extension=ExtensionRule(
            max_times=1,
            amount=10,
            unit=WD,
            approver_role=Role.DIVISION_HEAD.value,
            approver_text="12345热线督查中心",
        ),
        pausable=True,
        pause_reasons=frozenset({PauseReason.AWAITING_CALLER}),
        unconfirmed=True,
    ),
    # 突发事件信息报告: minute clocks, holidays included.
    DeadlineRule(
        code="emergency.major_phone",
        title="重特大突发事件电话报告",
        unit=MINUTES,
        amount=30,
        from_event=DeadlineEvent.KNOWN,
        legal_basis=(
            "国务院应急管理办公室《关于切实加强突发事件信息报告工作的通知》（2015年）：重大、"
            "特别重大突发事件力争30分钟内电话报告国务院总值班室。"
        ),
        roll_to_workday=False,
    ),
    DeadlineRule(
        code="emergency.major_written",
        title="重特大突发事件书面报告",
        unit=MINUTES,
        amount=60,
        from_event=DeadlineEvent.KNOWN,
        legal_basis=(
            "国务院应急管理办公室《关于切实加强突发事件信息报告工作的通知》（2015年）：重大、"
            "特别重大突发事件力争1小时内书面报告国务院总值班室。"
        ),
        roll_to_workday=False,
    ),
    DeadlineRule(
        code="emergency.accident_report",
        title="生产安全事故单位报告",
        unit=MINUTES,
        amount=60,
        from_event=DeadlineEvent.KNOWN,
        legal_basis=(
            "《生产安全事故报告和调查处理条例》第九条：单位负责人接到报告后，应当于1小时内向"
            "事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关"
            "部门报告。"
        ),
        roll_to_workday=False,
    ),
    DeadlineRule(
        code="emergency.accident_escalate",
        title="生产安全事故逐级上报",
        unit=MINUTES,
        amount=120,
        from_event=DeadlineEvent.KNOWN,
        legal_basis=("《生产安全事故报告和调查处理条例》第十条：每级上报的时间不得超过2小时。"),
        roll_to_workday=False,
    ),
    DeadlineRule(
        code="emergency.public_health",
        title="突发公共卫生事件报告",
        unit=MINUTES,
        amount=120,
        from_event=DeadlineEvent.KNOWN,
        legal_basis=(
            "《突发公共卫生事件应急条例》第十九条、第二十条：有关单位和地方人民政府应当在"
            "2小时内逐级报告。"
        ),
        roll_to_workday=False,
    ),
    # 公文办理 defaults: art. 24 requires urgent documents to carry a handling deadline but
    # sets no figure; these are the office's own defaults.
    DeadlineRule(
        code="document.handle_extra_urgent",
        title="收文办理（特急）",
        unit=WD,
        amount=1,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《党政机关公文处理工作条例》第二十四条：紧急公文应当明确办理时限。本办默认："
            "特急件1个工作日内办理。"
        ),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="document.handle_urgent",
        title="收文办理（加急）",
        unit=WD,
        amount=3,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《党政机关公文处理工作条例》第二十四条：紧急公文应当明确办理时限。本办默认："
            "加急件3个工作日内办理。"
        ),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="document.handle_normal",
        title="收文办理（平件）",
        unit=WD,
        amount=10,
        from_event=DeadlineEvent.RECEIPT,
        legal_basis=(
            "《党政机关公文处理工作条例》第二十四条：承办单位应当在规定时限内办理完毕。"
            "本办默认：平件10个工作日内办理。"
        ),
        extension=ExtensionRule(
            max_times=1,
            amount=10,
            unit=WD,
            approver_role=_OFFICE_HEAD,
            approver_text="办公厅领导",
        ),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="office.assigned_task",
        title="交办事项办理",
        unit=WD,
        amount=10,
        from_event=DeadlineEvent.ASSIGNMENT,
        legal_basis=(
            "《党政机关公文处理工作条例》第二十四条：承办单位应当在规定时限内办理完毕。"
            "本办默认：交办事项自交办之日起10个工作日内办结；征求其他机关或第三方意见的时间不计入。"
        ),
        extension=ExtensionRule(
            max_times=1,
            amount=10,
            unit=WD,
            approver_role=_OFFICE_HEAD,
            approver_text="办公厅领导",
        ),
        pausable=True,
        pause_reasons=frozenset({PauseReason.THIRD_PARTY.value, PauseReason.OTHER_ORGAN.value}),
        unconfirmed=True,
    ),
    DeadlineRule(
        code="government.nominate",
        title="提名政府秘书长、局长等人选",
        unit=MONTHS,
        amount=2,
        from_event=DeadlineEvent.ELECTION,
        legal_basis=(
            "《中华人民共和国地方各级人民代表大会和地方各级人民政府组织法》（2022年修正）"
            "第七十一条：新的一届人民政府领导人员依法选举产生后，应当在2个月内提请本级人民"
            "代表大会常务委员会任命人民政府秘书长、厅长、局长、委员会主任、科长。"
        ),
    ),
]

DECLARED_RULES: dict[str, DeadlineRule] = {rule.code: rule for rule in _RULE_LIST}
assert len(DECLARED_RULES) == len(_RULE_LIST), "duplicate deadline rule code"


def effective_rules(overrides: dict | None, *, strict: bool = True) -> dict[str, DeadlineRule]:
    """The declared rules with a deployment's changes applied (field name -> value; an
    `extension` given as a dict, or None to forbid extensions). Not strict: skip codes not
    declared yet (business apps register theirs when they start; a system check verifies
    that every override names a rule once all have started)."""
    rules = dict(DECLARED_RULES)
    for code, changes in (overrides or {}).items():
        if code not in rules:
            if not strict:
                continue
            raise ImproperlyConfigured(f"WORKCALENDAR_RULE_OVERRIDES: unknown rule {code!r}")
        changes = dict(changes)
        if isinstance(changes.get("extension"), dict):
            changes["extension"] = ExtensionRule(**changes["extension"])
        for key in ("pause_reasons", "restart_reasons"):
            if key in changes:
                changes[key] = frozenset(changes[key])
        try:
            rules[code] = replace(rules[code], **changes)
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(f"WORKCALENDAR_RULE_OVERRIDES[{code!r}]: {exc}") from exc
    return rules


# The registry the kernel reads: settings are fixed for the life of a process.
RULES: dict[str, DeadlineRule] = effective_rules(
    getattr(settings, "WORKCALENDAR_RULE_OVERRIDES", None), strict=False
)


def register_rule(rule: DeadlineRule) -> DeadlineRule:
    """A business app declares its own rules when it starts (with its case type); the
    deployment's overrides apply to them as to the built-in ones."""
    known = DECLARED_RULES.get(rule.code)
    if known is not None and known != rule:
        raise ImproperlyConfigured(f"deadline rule {rule.code!r} is declared twice")
    DECLARED_RULES[rule.code] = rule
    overrides = getattr(settings, "WORKCALENDAR_RULE_OVERRIDES", None) or {}
    RULES[rule.code] = effective_rules(
        {rule.code: overrides[rule.code]} if rule.code in overrides else None
    )[rule.code]
    return RULES[rule.code]


def get_rule(code: str) -> DeadlineRule:
    try:
        return RULES[code]
    except KeyError:
        raise DeadlineError(_("未定义的期限规则：%(code)s") % {"code": code}) from None


# -- extensions --------------------------------------------------------------------------


def extension_allowed(rule: DeadlineRule, extensions_so_far: int) -> bool:
    return rule.extension is not None and extensions_so_far < rule.extension.max_times


def extension_refusal(rule: DeadlineRule, extensions_so_far: int) -> str:
    """Why one more extension is not allowed ('' when it is)."""
    if rule.extension is None:
        return _("“%(title)s”期限依法不得延长。") % {"title": rule.title}
    if extensions_so_far >= rule.extension.max_times:
        return _(
            "“%(title)s”期限最多可延长%(max)d次（每次不超过%(period)s），已延长%(done)d次，"
            "不能再延长。"
        ) % {
            "title": rule.title,
            "max": rule.extension.max_times,
            "period": period_text(rule.extension.amount, rule.extension.unit),
            "done": extensions_so_far,
        }
    return ""


def check_extension(rule: DeadlineRule, extensions_so_far: int) -> None:
    message = extension_refusal(rule, extensions_so_far)
    if message:
        raise ExtensionNotAllowed(message)


def pause_allowed(rule: DeadlineRule, reason: str) -> bool:
    """Whether the clock of `rule` may be stopped (or restarted) for `reason`; the kernel
    asks before recording a pause, since compute_due refuses other reasons."""
    return reason in rule.pause_reasons or reason in rule.restart_reasons


# -- the computation ---------------------------------------------------------------------


def _take(result, warnings: list[str]) -> date:
    """The date of a WorkdayResult; its warnings (if provisional) are collected."""
    if result.provisional:
        warnings.extend(w for w in result.warnings if w not in warnings)
    return result.date


def _shift(cal: WorkCalendar, warnings: list[str], d: date, amount: int, unit: str) -> date:
    """d moved by amount in unit, without rolling off rest days (done once at the end)."""
    if unit == WD:
        return _take(cal.add_workdays(d, amount), warnings)
    if unit == CD:
        return d + timedelta(days=amount)
    return shift_months(d, amount)


def _merged(pauses: list[Pause]) -> list[Pause]:
    """Overlapping intervals merged; an open interval swallows what follows it."""
    out: list[Pause] = []
    for p in sorted(pauses, key=lambda p: p.start_date):
        if out and (out[-1].end_date is None or p.start_date <= out[-1].end_date):
            last = out[-1]
            if last.end_date is None or p.end_date is None:
                end = None
            else:
                end = max(last.end_date, p.end_date)
            out[-1] = Pause(last.start_date, end, last.reason)
        else:
            out.append(p)
    return out


def _check_pauses(rule: DeadlineRule, pauses) -> None:
    for p in pauses:
        if p.reason not in rule.pause_reasons and p.reason not in rule.restart_reasons:
            raise DeadlineError(
                _("“%(title)s”期限不适用“%(reason)s”暂停计时。")
                % {"title": rule.title, "reason": _reason_label(p.reason)}
            )
        if p.end_date is not None and p.end_date < p.start_date:
            raise DeadlineError(_("暂停计时的结束日期早于开始日期。"))


def compute_due(
    rule: DeadlineRule,
    start: date | datetime,
    *,
    pauses: list[Pause] | tuple[Pause, ...] = (),
    extensions: int = 0,
    calendar: WorkCalendar | None = None,
) -> Due:
    """The due date of `rule` started on `start` (the day of the `from_event`, not counted),
    given the pause intervals from the case history and the number of extensions granted.

    While a pause that began before the due date is still open the clock is stopped: the
    result has state "paused" and no date. A pause that begins after the due date changes
    nothing (the period had already run out).
    """
    ext = rule.extension
    if extensions:
        if extensions < 0:
            raise DeadlineError(_("延期次数不能为负数。"))
        if ext is None or extensions > ext.max_times:
            raise ExtensionNotAllowed(extension_refusal(rule, extensions - 1))
    if pauses:
        _check_pauses(rule, pauses)

    basis = rule.basis_text
    if extensions:
        basis += f"（已延长{extensions}次）"

    if rule.unit == MINUTES:
        if not isinstance(start, datetime):
            raise DeadlineError(_("以分钟计算的期限须提供起算时刻。"))
        at = start + timedelta(minutes=rule.amount + (ext.amount * extensions if ext else 0))
        return Due(at.date(), False, [], basis, 0, RUNNING, extensions, at, rule.code)

    if isinstance(start, datetime):
        start = start.date()
    cal = calendar or current_calendar()

    stops = ()
    if pauses:
        # 补正 and the like: the clock starts over from the end of the last such interval.
        for p in pauses:
            if p.reason in rule.restart_reasons:
                if p.end_date is None:
                    return Due(None, False, [], basis, 0, PAUSED, extensions, None, rule.code)
                start = max(start, p.end_date)
        stops = [
            p
            for p in pauses
            if p.reason in rule.pause_reasons and (p.end_date is None or p.end_date > start)
        ]

    warnings: list[str] = []
    if ext is not None and extensions and ext.unit == rule.unit:
        # One step for the whole period: "6 months from assignment" is Jan 31 → Jul 31,
        # not 3 + 3 months clamped twice (Jul 30).
        due = _shift(cal, warnings, start, rule.amount + ext.amount * extensions, rule.unit)
    else:
        due = _shift(cal, warnings, start, rule.amount, rule.unit)
        for _i in range(extensions):
            due = _shift(cal, warnings, due, ext.amount, ext.unit)

    paused_workdays = paused_days = 0
    if stops:
        for p in _merged(stops):
            begin = max(p.start_date, start)
            if begin >= due:
                break
            if p.end_date is None:
                return Due(
                    None, False, [], basis, paused_workdays, PAUSED, extensions, None, rule.code
                )
            workdays = cal.workdays_between(begin, p.end_date)
            paused_workdays += workdays
            if rule.unit == WD:
                due = _take(cal.add_workdays(due, workdays), warnings)
            else:
                paused_days += (p.end_date - begin).days
                due += p.end_date - begin
        if rule.unit == WD and paused_workdays:
            basis += f"（暂停计时{paused_workdays}个工作日，不计入期限）"
        elif paused_days:
            basis += f"（暂停计时{paused_days}日，不计入期限）"

    if rule.unit != WD and rule.roll_to_workday and due != start:
        due = _take(cal.next_workday(due), warnings)
    return Due(
        due, bool(warnings), warnings, basis, paused_workdays, RUNNING, extensions, None, rule.code
    )


def _reason_label(reason: str) -> str:
    try:
        return str(PauseReason(reason).label)
    except ValueError:
        return reason
