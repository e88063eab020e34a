"""Meetings (会议) of the city government and the office: their types with the division that
organises them, the meeting itself (the detail of a "meeting" case), the 议题 submitted to it
(the detail of an "agenda_item" case), the notice's addressees and their answers, the
decisions (议定事项) of the minutes, and leaders' activities (领导活动安排) for the calendar."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AttendanceResponse, AttendanceRole

USER = settings.AUTH_USER_MODEL


class MeetingType(models.Model):
    """A kind of meeting an organization holds (常务会议 …) and the division organising it."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.CASCADE, related_name="meeting_types"
    )
    name = models.CharField(_("会议类型"), max_length=40)
    organiser = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办处室")
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="meetings_type_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One meeting: the detail row of its case (state, history, tasks are the kernel's)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="meeting")
    meeting_type = models.ForeignKey(
        MeetingType, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("会议类型")
    )
    session = models.CharField(_("届次/期次"), max_length=40, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    venue = models.CharField(_("会议地点"), max_length=100)
    chair = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主持人"),
    )
    attendees = models.ManyToManyField(
        USER, blank=True, related_name="meetings_attended", verbose_name=_("出席领导")
    )
    observers = models.ManyToManyField(
        "org.Unit", blank=True, related_name="meetings_observed", verbose_name=_("列席单位")
    )
    notice_text = models.TextField(_("通知事项"), blank=True)
    minutes = models.TextField(_("纪要"), blank=True)
    minutes_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("纪要发文"),
    )

    class Meta:
        indexes = [models.Index(fields=["starts_at"], name="meetings_meeting_starts")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """第12次常务会议 — the name notices, minutes and supervision items use."""
        return f"{self.session}{self.meeting_type.name}"

    @property
    def state_label(self) -> str:
        from .choices import MeetingState

        return str(MeetingState(self.case.state).label)


class AgendaItem(models.Model):
    """A 议题 a unit submits to a meeting: the detail row of its "agenda_item" case."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="agenda_item")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("会议")
    )
    presenter = models.CharField(_("汇报人"), max_length=60, blank=True)
    # Set when the office accepts the item (采纳); the office orders the accepted items.
    position = models.PositiveSmallIntegerField(_("议题顺序"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.case.title


class Attendance(models.Model):
    """One addressee of the notice — a leader (出席) or a unit (列席) — and their answer."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    role = models.CharField(_("参会方式"), max_length=8, choices=AttendanceRole.choices)
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response = models.CharField(
        _("确认情况"),
        max_length=12,
        choices=AttendanceResponse.choices,
        default=AttendanceResponse.PENDING,
    )
    attendee_name = models.CharField(_("参会人"), max_length=60, blank=True)  # a unit's person
    substitute = models.CharField(_("代会人"), max_length=60, blank=True)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    responded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="meetings_attendance_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                condition=models.Q(unit__isnull=False),
                name="meetings_attendance_one_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=True, unit__isnull=False)
                | models.Q(user__isnull=False, unit__isnull=True),
                name="meetings_attendance_user_or_unit",
            ),
        ]

    @property
    def addressee(self) -> str:
        return str(self.user or self.unit)


class Decision(models.Model):
    """An 议定事项 of the minutes: what was decided, who leads, who helps, by when."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("所属议题"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("议定事项"))
    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("牵头单位")
    )
    co_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("配合单位")
    )
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    supervision_case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("督办事项"),
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]


class LeaderActivity(models.Model):
    """领导活动安排: a leader's engagement other than a meeting, for the calendar."""

    leader = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="activities", verbose_name=_("领导")
    )
    title = models.CharField(_("活动内容"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="meetings_activity_starts")]

    def __str__(self) -> str:
        return self.title
