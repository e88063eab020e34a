"""Audit event codes of the documents library and their display templates."""

from django.utils.translation import gettext_lazy as _

from zhengban.audit.events import register

register("documents.series_create", _("{actor} 新建文号序列 {object}"), label=_("新建文号序列"))
register("documents.number_allocate", _("{actor} 取号 {object}"), label=_("取号"))
register(
    "documents.number_void",
    _("{actor} 作废文号 {object}（{reason}）"),
    label=_("作废文号"),
    fields=lambda r: {"reason": r.changes.get("reason", "")},
)
register(
    "documents.number_reuse",
    _("{actor} 重新启用已作废的文号 {object}（{reason}）"),
    label=_("重新启用文号"),
    fields=lambda r: {"reason": r.changes.get("reason", "")},
)
register("documents.seal_create", _("{actor} 登记印章 {object}"), label=_("登记印章"))
register("documents.seal_status", _("{actor} 变更印章状态 {object}"), label=_("变更印章状态"))
register("documents.seal_use", _("{actor} 用印 {summary}"), label=_("用印"))
register("documents.archive", _("{actor} 归档 {summary}"), label=_("归档"))
register("documents.file_download", _("{actor} 下载发文文件 {summary}"), label=_("下载发文文件"))
register(
    "documents.file_refused",
    _("{actor} 下载发文文件被拒绝：{summary}"),
    label=_("发文文件校验失败"),
)
register("documents.receipt_open", _("{actor} 打开交换公文 {summary}"), label=_("打开交换公文"))
register("documents.receipt_sign", _("{actor} 签收 {summary}"), label=_("签收公文"))
register(
    "documents.receipt_return",
    _("{actor} 退回 {summary}（{reason}）"),
    label=_("退回公文"),
    fields=lambda r: {"reason": r.changes.get("reason", "")},
)
register("documents.receipt_remind", _("{actor} 催收 {summary}"), label=_("催收"))
register("documents.archive_download", _("{actor} 下载归档文件 {summary}"), label=_("下载归档文件"))
register(
    "documents.archive_refused",
    _("{actor} 下载归档文件被拒绝：{summary}"),
    label=_("归档文件校验失败"),
)
register(
    "documents.archive_package", _("{actor} 导出移交数据包 {summary}"), label=_("导出移交数据包")
)
