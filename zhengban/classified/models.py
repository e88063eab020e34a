"""The register of classified paper documents (涉密文件登记簿) an ordinary deployment keeps:
metadata only — no body text, no scan, no attachment (保守国家秘密法 2024, arts. 29–31;
DESIGN.md's security model). The paper itself is in a safe; the register says which copy
it is, who holds it, where it has been, and how it left (退还 or 销毁)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Level(models.IntegerChoices):
    """密级: the classified levels of Clearance (the same numbers)."""

    SECRET = 2, _("秘密")
    CONFIDENTIAL = 3, _("机密")
    TOP_SECRET = 4, _("绝密")


class Status(models.TextChoices):
    HELD = "held", _("在册保管")
    CIRCULATING = "circulating", _("传阅中")
    DESTRUCTION_PENDING = "destruction_pending", _("销毁待审批")
    DESTRUCTION_APPROVED = "destruction_approved", _("已批准销毁")
    RETURNED = "returned", _("已退还")
    DESTROYED = "destroyed", _("已销毁")


# The paper is still here (and may be edited, circulated, returned or destroyed).
IN_CUSTODY = frozenset({Status.HELD, Status.CIRCULATING})


class ClassifiedDocument(models.Model):
    """One classified document received (one register line per copy set)."""

    number = models.CharField(_("登记号"), max_length=40, unique=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记处室")
    )
    sender = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来文机关（名录）"),
    )
    sender_name = models.CharField(_("来文机关"), max_length=200)
    sender_number = models.CharField(_("来文字号"), max_length=60, blank=True)
    title = models.CharField(_("文件标题"), max_length=300, blank=True)
    title_classified = models.BooleanField(_("标题本身涉密"), default=False)
    register_title = models.CharField(_("登记标题"), max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(_("密级"), choices=Level.choices)
    secrecy_period = models.CharField(_("保密期限"), max_length=40)
    copy_number = models.CharField(_("份号"), max_length=40)
    copies = models.PositiveIntegerField(_("份数"), default=1, validators=[MinValueValidator(1)])
    received_on = models.DateField(_("收文日期"))
    holder = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("保管人")
    )
    location = models.CharField(_("存放位置"), max_length=100, blank=True)
    remarks = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.HELD, db_index=True
    )
    returned_on = models.DateField(_("退还日期"), null=True, blank=True)
    returned_to = models.CharField(_("退还至"), max_length=200, blank=True)
    destroyed_on = models.DateField(_("销毁日期"), null=True, blank=True)
    destruction_witness = models.CharField(_("监销人"), max_length=100, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("涉密文件登记")
        verbose_name_plural = _("涉密文件登记")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.display_title}"

    @property
    def display_title(self) -> str:
        """The title lists and logs may show: the 登记标题 when the title itself is secret."""
        if self.title_classified or not self.title:
            return self.register_title
        return self.title

    @property
    def level_mark(self) -> str:
        """GB/T 9704's mark, e.g. 机密★10年."""
        label = self.get_level_display()
        return f"{label}★{self.secrecy_period}" if self.secrecy_period else str(label)


class Circulation(models.Model):
    """传阅: the paper given to someone, and when it came back."""

    document = models.ForeignKey(
        ClassifiedDocument, on_delete=models.CASCADE, related_name="circulations"
    )
    recipient = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(_("传阅对象"), max_length=100)
    given_at = models.DateTimeField(_("送阅时间"))
    given_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    received_back_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["given_at", "pk"]


class DecisionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class DestructionRequest(models.Model):
    """销毁审批: requested by the keeper, decided by the unit's head or a leader."""

    document = models.ForeignKey(
        ClassifiedDocument, on_delete=models.CASCADE, related_name="destruction_requests"
    )
    reason = models.CharField(_("销毁理由"), max_length=300)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        _("审批结果"), max_length=12, choices=DecisionState.choices, default=DecisionState.PENDING
    )
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
