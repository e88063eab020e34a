"""Audit event codes of the security app."""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

register(
    "security.rotate_key", _("{actor} 轮换个人信息加密密钥：{summary}"), label=_("轮换加密密钥")
)
register(
    "security.rotate_digest_key_start",
    _("{actor} 开始轮换个人信息检索摘要密钥：{summary}"),
    label=_("开始轮换摘要密钥"),
)
register(
    "security.rotate_digest_key",
    _("{actor} 完成个人信息检索摘要密钥轮换：{summary}"),
    label=_("完成摘要密钥轮换"),
)
