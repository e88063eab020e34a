"""Audit event codes of the duty router (registered with zhengban.audit.events)."""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

register("routing.confirm", _("{actor} 确认分办：{summary}"), label=_("确认分办"))
register("routing.correct", _("{actor} 改变分办：{summary}"), label=_("改变分办"))
register("routing.correction_undo", _("{actor} 撤销分办纠正：{summary}"), label=_("撤销分办纠正"))
