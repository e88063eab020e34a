"""Audit event codes of the 签报 app and their display templates."""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

register(
    "approvals.category_save",
    _("{actor} 保存请示事项类别 {object}"),
    label=_("保存请示事项类别"),
)
