"""The append-only audit chain (等保 2.0 安全审计): every record carries
SM3(previous hash + canonical record), so an edit, deletion or insertion breaks the chain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(TypeError):
    """Raised when code tries to change or delete an audit record through the ORM."""


class AuditRecordQuerySet(models.QuerySet):
    def delete(self):
        # Records are kept at least AUDIT_RETENTION_DAYS (等保 2.0); the application never
        # deletes them. Removal after that period is an operator's archival step.
        raise AppendOnly("audit records are never deleted by the application")


class AuditRecord(models.Model):
    """One audited event. Never updated or deleted by the application."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    time = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    # Set when the actor acted under a delegation (委托): "X on behalf of Y".
    on_behalf_of_name = models.CharField(_("被代理人"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    client_address = models.CharField(_("客户端地址"), max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Action filters (exact or prefix) and "latest audit.verify" read newest first.
            models.Index(fields=["action", "seq"], name="audit_action_seq_idx"),
            # The actor filter also matches names typed at failed logins (no user row).
            models.Index(fields=["actor_name"], name="audit_actor_name_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit records are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit records are never deleted by the application")


class AuditChainHead(models.Model):
    """A single row holding the chain's tip; appenders lock it so records chain in order."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)


class AlertKind(models.TextChoices):
    """Why the security and audit administrators are alerted (等保 2.0 8.1.4.3 d)."""

    WRITE_FAILED = "write_failed", _("审计记录写入失败")
    CHAIN_BROKEN = "chain_broken", _("审计链被破坏")
    STORAGE = "storage", _("审计存储将满")
    # A role grant or a clearance whose HMAC-SM3 tag fails (accounts.integrity).
    INTEGRITY = "integrity", _("权限数据完整性校验失败")


class AuditAlert(models.Model):
    """An alarm about the audit function itself, shown to the security and audit
    administrators until one of them acknowledges it (the acknowledgement is audited).

    Repeats of one cause (same kind and key) while it is open count on the open alert
    rather than adding rows, so a failing database does not bury the administrators.
    """

    kind = models.CharField(_("类别"), max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=120, blank=True)
    message = models.TextField(_("告警内容"))
    detail = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField(_("首次发生"))
    last_seen = models.DateTimeField(_("最近发生"))
    occurrences = models.PositiveIntegerField(_("次数"), default=1)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledgement = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("审计告警")
        verbose_name_plural = _("审计告警")
        ordering = ["-last_seen", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="audit_alert_one_open_per_cause",
            )
        ]
        indexes = [models.Index(fields=["acknowledged_at"], name="audit_alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.message[:60]}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
