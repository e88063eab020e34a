from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """Where a supervision item comes from (its 来源)."""

    MEETING = "meeting", _("会议议定事项")
    INSTRUCTION = "instruction", _("领导批示")
    INCOMING = "incoming", _("收文")
    HIGHER = "higher", _("上级交办件")
    APPROVAL = "approval", _("签报")
    MANUAL = "manual", _("自行立项")


class Cadence(models.TextChoices):
    """How often the lead unit reports (报送频次)."""

    ONCE = "once", _("一次性")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    MILESTONES = "milestones", _("按节点")


class Light(models.TextChoices):
    GREEN = "green", _("正常推进")
    YELLOW = "yellow", _("临期")
    RED = "red", _("逾期")
    DONE = "done", _("已办结")


class Escalation(models.IntegerChoices):
    """催办 steps: a reminder, then a 催办通知单, then a red flag on the leaders' board."""

    NONE = 0, _("未催办")
    REMINDED = 1, _("已催办提醒")
    NOTICE = 2, _("已发催办通知单")
    FLAGGED = 3, _("领导督办（红旗）")
