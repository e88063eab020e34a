"""Registry of audit event codes and their Chinese display templates.

Each app declares its codes in its own `events.py` (imported at start-up by the audit
app), e.g. `register("cases.assign", _("{actor} 将 {object} 交办给 {unit}"), label=_("交办"),
fields=lambda r: {"unit": r.changes.get("unit", "")})`. A code is stable and never reused
for another meaning. Templates may use {actor}, {object}, {summary}, {summary_part} (the
summary in full-width parentheses, or nothing) and the keys `fields` returns.
Unknown codes display as the code itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengban.accounts.choices import Role

from .choices import ProblemKind


@dataclass(frozen=True)
class EventType:
    code: str
    template: str
    label: str
    fields: Callable | None = None


_registry: dict[str, EventType] = {}
# Codes the audit app describes on behalf of apps that have no events.py yet; the
# owning app's own registration replaces them, whichever module is imported first.
_defaults: dict[str, EventType] = {}


def register(code: str, template, *, label="", fields: Callable | None = None) -> None:
    event = EventType(code, template, label or code, fields)
    existing = _registry.get(code)
    if existing is not None and existing != event:
        raise ImproperlyConfigured(f"audit event code {code!r} is registered twice")
    _registry[code] = event


def register_default(code: str, template, *, label="", fields: Callable | None = None) -> None:
    _defaults[code] = EventType(code, template, label or code, fields)


def get(code: str) -> EventType | None:
    return _registry.get(code) or _defaults.get(code)


def label(code: str) -> str:
    event = get(code)
    return str(event.label) if event else code


def all_events() -> list[EventType]:
    merged = {**_defaults, **_registry}
    return [merged[code] for code in sorted(merged)]


class _Blank(dict):
    def __missing__(self, key):
        return ""


def describe(record) -> str:
    """One line of Chinese for an audit record (anything with the AuditRecord fields)."""
    event = get(record.action)
    if event is None:
        return record.action
    actor = record.actor_name or gettext("系统")
    if record.on_behalf_of_name:
        actor = gettext("%(actor)s（代%(principal)s）") % {
            "actor": actor,
            "principal": record.on_behalf_of_name,
        }
    values = _Blank(
        actor=actor,
        object=record.object_repr or record.object_id,
        summary=record.summary,
        summary_part=gettext("（%(s)s）") % {"s": record.summary} if record.summary else "",
    )
    changes = record.changes if isinstance(record.changes, dict) else {}
    try:
        if event.fields is not None:
            values.update(event.fields(record, changes))
        return str(event.template).format_map(values).strip()
    except (KeyError, IndexError, AttributeError, TypeError, ValueError):
        # A template that does not fit an old record must not break the audit page.
        return f"{record.action} {record.summary}".strip()


def _role(record, changes) -> dict:
    try:
        return {"role": Role(record.summary).label}
    except ValueError:
        return {"role": record.summary}


def _attempted(record, changes) -> dict:
    return {"attempted": label(changes.get("attempted", ""))}


def _verify(record, changes) -> dict:
    if changes.get("ok"):
        return {"result": gettext("完整，已校验至第 %(n)s 条") % {"n": changes.get("last_seq")}}
    problem = changes.get("problem") or {}
    try:
        kind = ProblemKind(problem.get("kind")).label
    except ValueError:
        kind = problem.get("kind", "")
    return {"result": gettext("第 %(seq)s 条%(kind)s") % {"seq": problem.get("seq"), "kind": kind}}


# accounts (until accounts has its own events.py)
register_default("accounts.login", _("{actor} 登录"), label=_("登录"))
register_default("accounts.login_failed", _("{actor} 登录失败{summary_part}"), label=_("登录失败"))
register_default(
    "accounts.login_locked", _("{actor} 登录被拒绝：账号已锁定"), label=_("锁定账号登录")
)
register_default("accounts.logout", _("{actor} 退出登录"), label=_("退出登录"))
register_default("accounts.user_create", _("{actor} 创建用户 {object}"), label=_("创建用户"))
register_default(
    "accounts.role_grant", _("{actor} 授予 {object} {role}角色"), label=_("授予角色"), fields=_role
)
register_default(
    "accounts.role_revoke",
    _("{actor} 撤销 {object} 的{role}角色"),
    label=_("撤销角色"),
    fields=_role,
)

# audit
register("audit.view", _("{actor} 查看审计日志"), label=_("查看审计日志"))
register("audit.read", _("{actor} 查阅 {object}{summary_part}"), label=_("查阅内部内容"))
register(
    "audit.denied",
    _("{actor} 无权{attempted} {object}"),
    label=_("越权访问被拒绝"),
    fields=_attempted,
)
register(
    "audit.export",
    _("{actor} 导出审计记录 {rows} 条"),
    label=_("导出审计记录"),
    fields=lambda record, changes: {"rows": changes.get("rows", "")},
)
register("audit.verify", _("{actor} 校验审计链：{result}"), label=_("校验审计链"), fields=_verify)
register("audit.head_restored", _("{summary}"), label=_("重建链头"))
register(
    "audit.alert_ack",
    _("{actor} 确认审计告警 {object}{summary_part}"),
    label=_("确认审计告警"),
)
# Only ever the attempted action of an audit.denied record.
register("audit.alerts", _("{actor} 查看审计告警"), label=_("查看审计告警"))
