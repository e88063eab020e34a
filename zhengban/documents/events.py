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
