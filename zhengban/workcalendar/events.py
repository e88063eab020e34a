"""Audit event codes of the working-day calendar (registered with zhengban.audit.events)."""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

register("workcalendar.override_set", _("{actor} 调整工作日历：{summary}"), label=_("调整工作日历"))
register(
    "workcalendar.override_delete", _("{actor} 删除日历调整：{summary}"), label=_("删除日历调整")
)
register("workcalendar.year_set", _("{actor} 设置日历年度：{summary}"), label=_("设置日历年度"))
register("workcalendar.year_delete", _("{actor} 删除日历年度 {summary}"), label=_("删除日历年度"))
register(
    "workcalendar.year_publish",
    _("{actor} 录入节假日安排：{summary}"),
    label=_("录入节假日安排"),
)
