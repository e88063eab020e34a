"""Audit event codes of the meetings app and how the case timeline names them.

The meeting case's own events are audited under the case type's namespace ("meeting.<code>"),
the app's other rows under "meetings.<code>"."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

# Events appended to the meeting case besides its workflow's actions: (code, timeline label).
CASE_EVENTS = (
    ("participants", _("确定参会人员")),
    ("agenda_order", _("调整议题顺序")),
    ("attendance", _("参会回执")),
    ("minutes", _("起草会议纪要")),
    ("decision", _("记录议定事项")),
    ("decision_remove", _("删除议定事项")),
    ("decision_supervise", _("议定事项转督办")),
)
for code, label in CASE_EVENTS:
    register(f"meeting.{code}", format_lazy("{}{}", _("{actor} 就 {object} "), label), label=label)

register("meetings.type_save", _("{actor} 维护会议类型 {object}"), label=_("维护会议类型"))
register("meetings.activity_create", _("{actor} 安排领导活动 {object}"), label=_("安排领导活动"))
register("meetings.activity_delete", _("{actor} 删除领导活动 {object}"), label=_("删除领导活动"))
