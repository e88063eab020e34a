"""The case kernel: every piece of the office's business is a Case of a declared type.

Business apps add their own fields in a model linked one-to-one to Case; states, actions,
assignment, deadlines, tasks, history and permissions stay here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import Clearance

from .choices import (
    AssignmentRole,
    AssignmentStatus,
    Audience,
    DeadlineState,
    Opinion,
    ReportKind,
    ReportReview,
    RoundMode,
    RoundState,
    TaskKind,
    TaskState,
    Urgency,
)

USER = settings.AUTH_USER_MODEL


class Case(models.Model):
    """One piece of business. `version` is the optimistic lock every action checks."""

    case_type = models.CharField(_("事项类型"), max_length=32)
    number = models.CharField(_("编号"), max_length=40, unique=True)
    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"), blank=True)
    state = models.CharField(_("状态"), max_length=32)
    closed = models.BooleanField(_("已办结"), default=False)
    sensitivity = models.IntegerField(
        _("密级"), choices=Clearance.choices, default=Clearance.PUBLIC
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    owner_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("主责处室")
    )
    creator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="created_cases")
    # A case opened by an action of another (分解交办): the child keeps a link to its origin.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The person currently holding the case (承办人), if any.
    assignee = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="held_cases"
    )
    version = models.PositiveIntegerField(default=1)
    # Deadline: the rule and start are stored; the due date is recomputed from them, the
    # calendar and the pause/extension events in the history.
    deadline_rule = models.CharField(_("期限规则"), max_length=40, blank=True)
    deadline_start = models.DateField(_("起算日"), null=True, blank=True)
    deadline_extensions = models.PositiveIntegerField(_("延期次数"), default=0)
    # Set when a person fixed the period (交办时确定, 批准延期): working days from the start.
    deadline_amount = models.PositiveIntegerField(_("确定期限（工作日）"), null=True, blank=True)
    deadline_state = models.CharField(
        max_length=16, choices=DeadlineState.choices, default=DeadlineState.NONE
    )
    due_date = models.DateField(_("办理期限"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    deadline_basis = models.TextField(_("期限依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事项")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner_unit", "closed", "due_date"]),
            models.Index(fields=["case_type", "state"]),
            # 逾期/本周到期 count from the index alone (sensitivity is the leader's filter).
            models.Index(fields=["closed", "due_date", "sensitivity"]),
            models.Index(fields=["assignee", "closed"]),
            models.Index(fields=["closed_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "year", "number"], name="case_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseCounter(models.Model):
    """The last number of a series in a year (`numbering.number_next`); locked when used.
    Series are case types and business apps' own (文号: "documents:沈政办发")."""

    series = models.CharField(max_length=64)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="case_counter_unique")
        ]


class CaseEvent(models.Model):
    """Append-only history of a case: the timeline, deadline pauses and statistics read it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    time = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    # Set when the actor acted for someone else under a delegation (委托).
    on_behalf_of = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "seq"]
        indexes = [models.Index(fields=["actor", "case"])]  # 已办: what a person acted on
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class Assignment(models.Model):
    """A unit's part in a case: lead (主办) or co-unit (协办), with its own due date and report."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("承办方式"), max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.OPEN
    )
    instructions = models.TextField(_("交办要求"), blank=True)
    due_date = models.DateField(_("反馈期限"), null=True, blank=True)
    report = models.TextField(_("办理情况"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_reason = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("交办")
        ordering = ["case", "role", "pk"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            # `zhengban tick` looks for open assignments due before their case.
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["case", "unit"]),  # the visibility check per case
        ]
        constraints = [
            # One open lead unit per case at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role="lead", status="open"),
                name="case_one_open_lead",
            )
        ]


class ApprovalRound(models.Model):
    """A 会签 step: parallel opinions decided by all-agree or quorum, optionally with veto."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rounds")
    action = models.CharField(max_length=40)
    mode = models.CharField(max_length=8, choices=RoundMode.choices)
    quorum = models.PositiveIntegerField(null=True, blank=True)
    veto = models.BooleanField(default=False)
    state = models.CharField(max_length=12, choices=RoundState.choices, default=RoundState.OPEN)
    pass_state = models.CharField(max_length=32)
    fail_state = models.CharField(max_length=32)
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)


class Task(models.Model):
    """A 待办: work a person or a unit must do on a case. Every step that waits on someone
    opens one (起草, 审核, 批示, 承办, 确认办结, 会签, 加签, 传阅); it closes when the step is
    taken, and every open task closes when the case reaches a closing state.

    A unit's task (`unit` set, `assignee` empty) is in the 待办 of its people (its heads
    only, with `heads_only`) until a head hands it to one of them (处内分办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=TaskKind.choices)
    state = models.CharField(max_length=12, choices=TaskState.choices, default=TaskState.OPEN)
    assignee = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    heads_only = models.BooleanField(default=False)
    assignment = models.ForeignKey(
        "Assignment", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    # Set for a task the case's state opened: it closes when the case leaves that state.
    state_code = models.CharField(max_length=32, blank=True)
    round = models.ForeignKey(
        ApprovalRound, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The event that created the task: a withdraw (撤回) is allowed while its tasks are untouched.
    event_seq = models.PositiveIntegerField()
    note = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(null=True, blank=True)
    requested_due = models.DateField(_("申请期限"), null=True, blank=True)  # 申请延期
    opinion = models.CharField(max_length=12, choices=Opinion.choices, blank=True)
    opinion_text = models.TextField(_("意见"), blank=True)
    completed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["case", "state"]),
            # A unit's tasks nobody has taken yet (its 待办): without it SQLite scans every
            # untaken task through the assignee index.
            models.Index(
                fields=["unit", "state", "heads_only"],
                condition=Q(assignee__isnull=True),
                name="task_untaken_unit",
            ),
            # The visibility check per case answered from the index alone.
            models.Index(fields=["case", "assignee", "unit", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | Q(unit__isnull=False),
                name="task_has_addressee",
            )
        ]


class CaseSlot(models.Model):
    """A named participant of a case (e.g. the leader chosen at 拟办 to give the 批示; an
    ordered list of leaders for 圈阅). Actions are permitted to a slot as "slot:<name>"."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="slots")
    name = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    filled_at = models.DateTimeField(auto_now_add=True)
    # Ordered turns ("turn:<slot>"): set when this person has taken their turn.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "name", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name", "position"], name="case_slot_unique")
        ]


class AssignmentReport(models.Model):
    """A unit's report on its assignment: 阶段性反馈 (several) or the 办结报告 (one, final).
    `recorded_for` marks a report the owner unit recorded on behalf of a unit without
    accounts (代录)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("类别"), max_length=12, choices=ReportKind.choices)
    text = models.TextField(_("办理情况"))
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_for = models.BooleanField(_("代录"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Reviewed by the owner (督查室 采纳/退回) where the case type asks for it.
    review = models.CharField(
        _("审核"), max_length=12, choices=ReportReview.choices, blank=True, default=""
    )
    review_reason = models.TextField(_("退回理由"), blank=True)
    reviewed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "created_at", "pk"]


class Comment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("内容"))
    audience = models.CharField(
        _("可见范围"), max_length=12, choices=Audience.choices, default=Audience.INTERNAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class Attachment(models.Model):
    """A file kept outside the web root under a generated name; served only via the policy."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    audience = models.CharField(
        _("可见范围"), max_length=12, choices=Audience.choices, default=Audience.INTERNAL
    )
    # The document itself as received or issued (原件: a 收文's scan, an issued 发文's sealed
    # PDF), not material added while handling it; listed first and archived with the case.
    original = models.BooleanField(_("原件"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-original", "created_at", "pk"]


class Delegation(models.Model):
    """委托: `delegate` may act for `delegator` between the dates; acts record both."""

    delegator = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="delegations_given")
    delegate = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="delegations_taken")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200)
    # The case types delegated; empty: all of the delegator's work.
    case_types = models.JSONField(_("委托事项类型"), default=list, blank=True)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["delegate", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="delegation_dates"
            ),
            models.CheckConstraint(
                condition=~Q(delegator=models.F("delegate")), name="delegation_not_self"
            ),
        ]


class OpinionPhrase(models.Model):
    """常用意见: a person's own frequent opinion texts, offered in every opinion form."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="opinion_phrases")
    text = models.CharField(_("常用意见"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["user", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "text"], name="opinion_phrase_unique")
        ]


class Notification(models.Model):
    """An in-app message (the bell); `dedupe_key` makes reminder sweeps idempotent."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20)
    message = models.CharField(max_length=300)
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]


class CaseSearchText(models.Model):
    """jieba-tokenized text of a case (title, body, comments) for full-text search.

    On SQLite an FTS5 table mirrors it (rowid = case id); on PostgreSQL a GIN index over
    its tsvector serves the same query. Both are created in this app's migrations.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    tokens = models.TextField()
