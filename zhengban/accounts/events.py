"""Audit event codes of accounts and their display (zhengban.audit.events)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

from .choices import Clearance, role_label


def _reason(changes) -> str:
    reason = changes.get("reason", "") if isinstance(changes, dict) else ""
    return gettext("（理由：%(r)s）") % {"r": reason} if reason else ""


def _role(record, changes) -> dict:
    return {"role": role_label(record.summary), "reason_part": _reason(changes)}


def _with_reason(record, changes) -> dict:
    return {"reason_part": _reason(changes)}


def _clearance(record, changes) -> dict:
    try:
        level = Clearance(changes.get("clearance", [None, None])[1]).label
    except (ValueError, TypeError, IndexError):
        level = record.summary
    return {"level": level, "reason_part": _reason(changes)}


def _policy(record, changes) -> dict:
    fields = [key for key in changes if key != "reason"]
    return {"fields": "、".join(fields), "reason_part": _reason(changes)}


register("accounts.login", _("{actor} 登录"), label=_("登录"))
register("accounts.login_failed", _("{actor} 登录失败{summary_part}"), label=_("登录失败"))
register(
    "accounts.login_locked", _("{actor} 登录被拒绝：已锁定{summary_part}"), label=_("锁定期间登录")
)
register("accounts.logout", _("{actor} 退出登录"), label=_("退出登录"))
register(
    "accounts.session_replaced", _("{actor} 在别处登录，原会话结束"), label=_("会话被新登录取代")
)
register("accounts.user_create", _("{actor} 创建用户 {object}"), label=_("创建用户"))
register("accounts.user_update", _("{actor} 修改用户 {object}"), label=_("修改用户"))
register("accounts.password_change", _("{actor} 修改密码"), label=_("修改密码"))
register("accounts.password_reset", _("{actor} 重置 {object} 的密码"), label=_("重置密码"))
register("accounts.totp_enrol", _("{actor} 绑定身份验证器"), label=_("绑定身份验证器"))
register(
    "accounts.recovery_code_used",
    _("{actor} 使用恢复码登录{summary_part}"),
    label=_("使用恢复码"),
)
register(
    "accounts.totp_reset",
    _("{actor} 重置 {object} 的身份验证器{reason_part}"),
    label=_("重置身份验证器"),
    fields=_with_reason,
)
register(
    "accounts.role_grant",
    _("{actor} 授予 {object} {role}角色{reason_part}"),
    label=_("授予角色"),
    fields=_role,
)
register(
    "accounts.role_revoke",
    _("{actor} 撤销 {object} 的{role}角色{reason_part}"),
    label=_("撤销角色"),
    fields=_role,
)
register(
    "accounts.clearance_set",
    _("{actor} 将 {object} 的知悉范围设为{level}{reason_part}"),
    label=_("设定知悉范围"),
    fields=_clearance,
)
register(
    "accounts.unlock",
    _("{actor} 解除 {object} 的登录锁定{reason_part}"),
    label=_("解除锁定"),
    fields=_with_reason,
)
register(
    "accounts.address_unblock",
    _("{actor} 解除地址 {summary} 的登录限制{reason_part}"),
    label=_("解除地址限制"),
    fields=_with_reason,
)
register(
    "accounts.security_policy",
    _("{actor} 修改安全策略：{fields}{reason_part}"),
    label=_("修改安全策略"),
    fields=_policy,
)


def _dormant(record, changes) -> dict:
    days = changes.get("days", record.summary) if isinstance(changes, dict) else record.summary
    return {"days": days, "role": role_label(record.summary)}


register(
    "accounts.dormant_disable",
    _("{actor} 停用长期未登录的账号 {object}（连续{days}天未登录）"),
    label=_("停用长期未登录账号"),
    fields=_dormant,
)
register(
    "accounts.dormant_kept",
    _("{object} 已长期未登录，但是{role}最后一个可用账号，未停用"),
    label=_("保留长期未登录的管理员账号"),
    fields=_dormant,
)
