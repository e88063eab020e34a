"""Audit event codes of the classified register."""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register


def _reason(record) -> dict:
    return {"reason": record.changes.get("reason", "")}


register("classified.register", _("{actor} 登记涉密文件 {summary}"), label=_("登记涉密文件"))
register("classified.update", _("{actor} 修改涉密文件登记 {summary}"), label=_("修改涉密文件登记"))
register("classified.read", _("{actor} 查阅涉密文件登记 {summary}"), label=_("查阅涉密文件登记"))
register("classified.circulate", _("{actor} 送阅涉密文件 {summary}"), label=_("涉密文件送阅"))
register(
    "classified.circulation_return",
    _("{actor} 收回传阅的涉密文件 {summary}"),
    label=_("涉密文件收回"),
)
register("classified.return", _("{actor} 退还涉密文件 {summary}"), label=_("退还涉密文件"))
register(
    "classified.destruction_request",
    _("{actor} 申请销毁涉密文件 {summary}（{reason}）"),
    label=_("申请销毁涉密文件"),
    fields=_reason,
)
register(
    "classified.destruction_approve",
    _("{actor} 批准销毁涉密文件 {summary}"),
    label=_("批准销毁涉密文件"),
)
register(
    "classified.destruction_refuse",
    _("{actor} 不批准销毁涉密文件 {summary}（{reason}）"),
    label=_("不批准销毁涉密文件"),
    fields=_reason,
)
register("classified.destroyed", _("{actor} 登记涉密文件已销毁 {summary}"), label=_("涉密文件销毁"))
