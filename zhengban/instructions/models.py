from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import Clearance

USER = settings.AUTH_USER_MODEL


class Instruction(models.Model):
    """A leader's 批示: given on a case (a 收文, a letter, a supervision item …) or recorded
    stand-alone from a paper 呈批件 (then `source_title`/`source_number` name the paper).

    `recorded_by` is set when a secretary or clerk entered a leader's paper 批示 for them
    (代录); `item` is the supervision item it opened when it was 列入督办. Created only by
    `services.instruction_create`."""

    leader = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="instructions", verbose_name=_("批示领导")
    )
    text = models.TextField(_("批示内容"))
    given_on = models.DateField(_("批示日期"))
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("所批事项"),
    )
    source_title = models.CharField(_("呈批件标题"), max_length=300, blank=True)
    source_number = models.CharField(_("呈批件编号"), max_length=60, blank=True)
    lead_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("牵头单位"),
    )
    # Every unit the 批示 names (the lead unit among them): internal divisions or external
    # handling units (市直部门, 区县政府).
    units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="instructions", verbose_name=_("涉及单位")
    )
    due_date = models.DateField(_("办理时限"), null=True, blank=True)
    supervise = models.BooleanField(_("列入督办"), default=False)
    item = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_instructions",
        verbose_name=_("督办事项"),
    )
    # The case's sensitivity, or the paper's: nobody reads a 批示 above their clearance.
    sensitivity = models.IntegerField(
        _("密级"), choices=Clearance.choices, default=Clearance.PUBLIC
    )
    recorded_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代录人"),
    )
    # The case event of the workflow step the 批示 was given at (收文's 批示), if any.
    event_seq = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("领导批示")
        ordering = ["-given_on", "-pk"]
        indexes = [
            models.Index(fields=["leader", "given_on"]),
            models.Index(fields=["given_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.leader} {self.given_on:%Y-%m-%d} {self.subject}"

    @property
    def subject(self) -> str:
        """What the 批示 is on: the case's title, else the paper's."""
        if self.case_id is not None:
            return self.case.title
        return self.source_title

    @property
    def on_behalf(self) -> bool:
        return self.recorded_by_id is not None

    # What the kernel's `CaseAccess.may_read` asks of content on a case: a 批示 is internal
    # to the office (an external handling unit's contact reads none), written by its leader.
    audience = "internal"

    @property
    def author_id(self) -> int:
        return self.leader_id
