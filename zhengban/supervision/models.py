"""督办事项: the supervision item's own fields, one-to-one with its kernel Case.

The case is owned by the supervising unit (督查室, or the sector division for a 分管领导批示件);
its lead and co-units are the kernel's assignments. What the kernel does not know lives
here: the source (which meeting, which leader's 批示), the reporting cadence and its
milestones, the 分管领导, and the figures the board and the statistics read without touching
the history (next report due, escalation level, completion)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Cadence, Escalation, SourceKind

# The columns the figures read (`selectors._measures`, `light_filter`, the visibility's case id).
FIGURES = (
    "closed", "due_date", "next_report_due", "on_time", "escalation", "days_taken", "case",
)  # fmt: skip
FIGURES_BY_UNIT = ("lead_unit", "source_kind", "assigned_on")
FIGURES_BY_SOURCE = ("source_kind", "source_label")


class SupervisionItem(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="supervision", primary_key=True
    )
    source_kind = models.CharField(
        _("事项来源"), max_length=16, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    # Which meeting (“市政府第12次常务会议”), which leader's 批示 (“张市长批示”), which 来文.
    source_label = models.CharField(_("来源说明"), max_length=200, blank=True)
    cadence = models.CharField(
        _("报送频次"), max_length=12, choices=Cadence.choices, default=Cadence.ONCE
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分管领导"),
    )
    # Set at 交办 (the kernel's assignment is the truth; this copy serves the statistics).
    lead_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主办单位"),
    )
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    # The next scheduled progress report not yet made (the status light reads it).
    next_report_due = models.DateField(_("下次报送日期"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("催办等级"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("催办时间"), null=True, blank=True)
    completed_on = models.DateField(_("办结日期"), null=True, blank=True)
    on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    days_taken = models.PositiveIntegerField(_("办理天数"), null=True, blank=True)
    # Copies of the case's due date and closed flag, so the board, the statistics and the
    # lights read this table alone. Written in the same transaction as the case: by the
    # workflow's effects (交办, 办结, 撤销, 归档) and, when the kernel moves them on its own (an
    # approved extension, 撤回), by the type's `sync_case`; the daily sweep re-checks them.
    due_date = models.DateField(_("办结期限"), null=True, blank=True)
    closed = models.BooleanField(_("已办结"), default=False)

    class Meta:
        verbose_name = _("督办事项")
        indexes = [
            models.Index(fields=["lead_unit", "completed_on"]),
            models.Index(fields=["lead_unit", "due_date"]),  # a unit's drill-down, in order
            # Covering the figures: each holds every column the measures, the lights and the
            # visibility read, so the board and the statistics scan an index, never the rows.
            # By unit (and its source kind and 交办 date, for the board's one pass) ...
            models.Index(fields=[*FIGURES_BY_UNIT, *FIGURES], name="supervision_unit_figures"),
            # ... and by source: which meeting, which leader's 批示.
            models.Index(fields=[*FIGURES_BY_SOURCE, *FIGURES], name="supervision_source_figures"),
            models.Index(fields=["next_report_due"]),
            models.Index(fields=["escalation", "closed", "due_date"]),  # the board's red flags
            models.Index(fields=["assigned_on"]),
            models.Index(fields=["closed", "due_date"]),
        ]

    def __str__(self) -> str:
        return str(self.case_id)

    @property
    def supervisor_unit(self):
        """The supervising unit is the case's owner unit."""
        return self.case.owner_unit


class Milestone(models.Model):
    """A dated node of an item reported by milestones (按节点): what is due by when."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    due_date = models.DateField(_("节点日期"))
    title = models.CharField(_("节点要求"), max_length=200)

    class Meta:
        verbose_name = _("办理节点")
        ordering = ["item", "due_date", "position"]
