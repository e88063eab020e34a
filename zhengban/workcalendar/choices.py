from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    CALENDAR_DAYS = "calendar_days", _("日")
    MONTHS = "months", _("个月")
    # Reporting clocks (突发事件信息报告) run round the clock, holidays included.
    MINUTES = "minutes", _("分钟")


class DeadlineEvent(models.TextChoices):
    """The event a clock starts from; the kernel maps its case history onto these."""

    RECEIPT = "receipt", _("收到之日")
    ACCEPTANCE = "acceptance", _("受理之日")
    ASSIGNMENT = "assignment", _("交办之日")
    FORMATION = "formation", _("信息形成或者变更之日")
    CONSULTATION = "consultation", _("收到征求意见书之日")
    REPLY = "reply", _("收到答复意见之日")
    REVIEW_REQUEST = "review_request", _("收到复查（复核）请求之日")
    KNOWN = "known", _("知悉事件之时")
    ELECTION = "election", _("政府领导人员选举产生之日")


class PauseReason(models.TextChoices):
    # 政府信息公开条例 art. 33 ¶3: time spent consulting is not counted.
    THIRD_PARTY = "third_party", _("征求第三方意见")
    OTHER_ORGAN = "other_organ", _("征求其他机关意见")
    # 政府信息公开条例 art. 30: the clock restarts from receipt of the corrected application.
    CORRECTION = "correction", _("补正")
    # 信访工作条例 art. 36: hearing time is not counted for 复核.
    HEARING = "hearing", _("听证")
    # 12345 practice: waiting for the caller (UNCONFIRMED, local rules).
    AWAITING_CALLER = "awaiting_caller", _("等待诉求人补充材料")


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("休息日")
    HOLIDAY = "holiday", _("节假日")
    MAKEUP = "makeup", _("调休上班")
