from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    # 紧急程度 (党政机关公文处理工作条例 art. 9): 特急 / 加急; ordinary items are 平件.
    EXTRA_URGENT = "extra_urgent", _("特急")
    URGENT = "urgent", _("加急")
    NORMAL = "normal", _("平件")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class AssignmentStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    REPORTED = "reported", _("已反馈")
    RETURNED = "returned", _("已退回")  # the unit sent it back (退回) with a reason
    REASSIGNED = "reassigned", _("已改派")
    WAIVED = "waived", _("免于反馈")  # a leader allowed closing without this co-unit's report


class TaskKind(models.TextChoices):
    DRAFT = "draft", _("起草")  # the drafter's, also after 退回修改
    REVIEW = "review", _("审核")
    PROPOSE = "propose", _("拟办")  # the clerk proposes leaders and units for a 收文
    INSTRUCT = "instruct", _("批示")
    APPROVE = "approve", _("审批")  # a leader's approval in turn (签报, 呈批件)
    SIGN = "sign", _("签发")
    ATTEND = "attend", _("参会确认")  # a meeting notice's 回执: answered on the meeting's panel
    HANDLE = "handle", _("办理")
    ASSIGNMENT = "assignment", _("承办")  # a unit's part as 主办 or 协办
    CONFIRM = "confirm", _("确认办结")
    COUNTERSIGN = "countersign", _("会签")
    CONSULT = "consult", _("征求意见")  # 加签
    CIRCULATE = "circulate", _("传阅")
    EXTENSION = "extension", _("审批延期")


class TaskState(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已办")
    WITHDRAWN = "withdrawn", _("已撤回")
    CANCELLED = "cancelled", _("已取消")


class Audience(models.TextChoices):
    """Who may read an opinion, comment or attachment."""

    INTERNAL = "internal", _("仅办公厅内部")
    SHARED = "shared", _("承办单位可见")


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("阶段性反馈")
    FINAL = "final", _("办结报告")


class ReportReview(models.TextChoices):
    PENDING = "pending", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    RETURNED = "returned", _("已退回")


class Opinion(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    COMMENT = "comment", _("意见")
    READ = "read", _("已阅")


class RoundMode(models.TextChoices):
    ALL = "all", _("全部同意")
    QUORUM = "quorum", _("多数同意")


class RoundState(models.TextChoices):
    OPEN = "open", _("进行中")
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class DeadlineState(models.TextChoices):
    NONE = "none", _("无期限")
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("暂停计时")
    STOPPED = "stopped", _("已办结")
