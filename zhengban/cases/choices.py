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
    HANDLE = "handle", _("办理")
    COUNTERSIGN = "countersign", _("会签")
    CONSULT = "consult", _("加签征求意见")
    CIRCULATE = "circulate", _("传阅")


class TaskState(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已办")
    WITHDRAWN = "withdrawn", _("已撤回")
    CANCELLED = "cancelled", _("已取消")


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
