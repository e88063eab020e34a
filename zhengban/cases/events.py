"""Audit event codes of the case kernel (registered with zhengban.audit.events).

Workflow actions are audited as `cases.<action code>`; their display uses the action's
declared label, so a new workflow needs no entry here."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register, register_default

from . import workflows  # noqa: F401  (the audit app loads this module before cases is ready)
from .workflow import all_workflows

register("cases.create", _("{actor} 创建事项 {object}"), label=_("创建事项"))
register("cases.derive", _("{actor} 由 {object} 发起派生事项"), label=_("发起派生事项"))
register(
    "cases.report.review", _("{actor} 审核 {object} 的反馈{summary_part}"), label=_("审核反馈")
)
register("cases.update", _("{actor} 修改事项 {object}"), label=_("修改事项"))
register("cases.denied", _("{actor} 被拒绝操作 {object}{summary_part}"), label=_("拒绝操作"))
register("cases.read", _("{actor} 查阅 {object}"), label=_("查阅事项"))
register("cases.comment", _("{actor} 留言 {object}"), label=_("留言"))
register("cases.download", _("{actor} 下载 {object} 的附件{summary_part}"), label=_("下载附件"))
register("cases.attachment.add", _("{actor} 为 {object} 上传附件"), label=_("上传附件"))
register("cases.consult", _("{actor} 就 {object} 加签征求意见"), label=_("加签"))
register("cases.circulate", _("{actor} 传阅 {object}"), label=_("传阅"))
register("cases.transfer", _("{actor} 转办 {object}{summary_part}"), label=_("转办"))
register("cases.withdraw", _("{actor} 撤回 {object} 的上一步操作"), label=_("撤回"))
register("cases.assignment.report", _("{actor} 反馈 {object} 的办理情况"), label=_("反馈"))
register("cases.assignment.return", _("{actor} 退回 {object}{summary_part}"), label=_("退回"))
register("cases.assignment.waive", _("{actor} 免除 {object} 的协办反馈"), label=_("免除反馈"))
register("cases.assignment.reassign", _("{actor} 改派 {object}{summary_part}"), label=_("改派"))
register("cases.tick", _("临期提醒与逾期催办{summary_part}"), label=_("催办扫描"))
register("cases.countersign.passed", _("{object} 会签通过"), label=_("会签通过"))
register("cases.countersign.rejected", _("{object} 会签未通过"), label=_("会签未通过"))
for kind, text in (
    ("countersign", _("会签意见")),
    ("consult", _("加签意见")),
    ("circulate", _("阅知")),
    ("handle", _("办理")),
):
    register(
        f"cases.task.{kind}", format_lazy("{}{}", _("{actor} 对 {object} 提出"), text), label=text
    )

for workflow in all_workflows():
    for action in workflow.actions:
        # Codes are shared across case types; the first declared label stands for all.
        template = format_lazy("{}{}", _("{actor} 对 {object} 执行："), action.label)
        register_default(f"cases.{action.code}", template, label=action.label)
