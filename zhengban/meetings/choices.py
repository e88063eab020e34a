from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingState(models.TextChoices):
    """The meeting case's states (its workflow in `workflows.py` uses the same codes)."""

    PREPARING = "preparing", _("筹备")
    NOTIFIED = "notified", _("已通知")
    HELD = "held", _("已召开")
    MINUTES_ISSUED = "minutes_issued", _("已印发纪要")
    CANCELLED = "cancelled", _("已取消")


class AttendanceRole(models.TextChoices):
    ATTEND = "attend", _("出席")  # a leader named as an attendee
    OBSERVE = "observe", _("列席")  # a unit invited to sit in


class AttendanceResponse(models.TextChoices):
    PENDING = "pending", _("待确认")
    ATTEND = "attend", _("确认参会")
    SUBSTITUTE = "substitute", _("代会")  # someone else comes in the invitee's place
    ABSENT = "absent", _("请假")
