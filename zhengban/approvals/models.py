"""签报 (呈批件): a division's request for the office's leaders to approve a matter. The
detail row of the kernel's case of type "approval" (`casetype.py`): the case carries the
事由 (title), the 正文 (body), 紧急程度, 密级, the drafting division (owner unit) and person
(creator); this row adds the category, the division's 拟办意见 and the outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Outcome(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


class ApprovalCategory(models.Model):
    """请示事项类别 (经费、人事、工作部署 …): the office keeps its own list; the defaults come
    with the first migration."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("请示事项类别")
        verbose_name_plural = _("请示事项类别")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class ApprovalRequest(models.Model):
    """The 签报's own fields; the outcome is written by the leaders' last 审批 or a 不予批准."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="approval", verbose_name=_("事项")
    )
    category = models.ForeignKey(
        ApprovalCategory,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("请示事项类别"),
    )
    proposal = models.TextField(_("拟办意见"), max_length=4000)
    outcome = models.CharField(
        _("审批结果"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    outcome_note = models.TextField(_("审批意见"), blank=True)
    # Set by 归档 (the 签报单 as one 件, DA/T 22), never by a form.
    archive_item = models.ForeignKey(
        "documents.ArchiveItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("签报")
        verbose_name_plural = _("签报")
        indexes = [models.Index(fields=["outcome"]), models.Index(fields=["category"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_outcome_display()}"

    @property
    def outcome_label(self) -> str:
        """For the inbox column (the kernel prints what a path reads)."""
        return str(self.get_outcome_display())
