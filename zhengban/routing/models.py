"""What the router learns from people: texts they routed to another unit than suggested."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingCorrection(models.Model):
    """A person routed `text` to another unit than the router's first suggestion.

    Units are stored by router key ("u12" a unit, "o3" an attached office) and name, so a
    correction survives a regulation reload that renumbers units; `chosen_unit` is kept for
    queries by unit. Undone corrections stay for the record but no longer teach the router.
    """

    text = models.TextField(_("文本"))
    tokens = models.JSONField(_("分词"), default=list)
    suggested_key = models.CharField(_("建议单位代码"), max_length=40, blank=True)
    suggested_name = models.CharField(_("建议单位"), max_length=200, blank=True)
    chosen_key = models.CharField(_("选定单位代码"), max_length=40)
    chosen_name = models.CharField(_("选定单位"), max_length=200)
    chosen_unit = models.ForeignKey(
        "org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    # The case the decision was made for, if any (any app's model).
    case_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    undone = models.BooleanField(_("已撤销"), default=False)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("分办纠正")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["undone", "created_at"], name="routing_corr_undone_idx")]

    def __str__(self) -> str:
        return f"{self.text[:30]} → {self.chosen_name}"
