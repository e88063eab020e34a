"""Excel export of audit records: write-only workbook fed in keyset batches, so memory
stays flat for any number of rows; the file goes to a temporary file, not to memory."""

import json

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .events import describe

# One sheet holds 1,048,576 rows in Excel, the header included.
MAX_ROWS = 1_048_575
BATCH_SIZE = 2000


def _headers():
    return [
        _("序号"),
        _("时间"),
        _("操作人"),
        _("被代理人"),
        _("操作代码"),
        _("操作说明"),
        _("对象类型"),
        _("对象编号"),
        _("对象"),
        _("摘要"),
        _("变更内容"),
        _("客户端地址"),
        _("请求编号"),
        _("SM3 哈希"),
    ]


def write_xlsx(records, fileobj, *, max_rows: int = MAX_ROWS) -> tuple[int, bool]:
    """Write `records` (a queryset) newest first into `fileobj`; return (rows, truncated)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("审计记录"))
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["F"].width = 40
    sheet.append(_headers())
    rows = 0
    before = None
    while rows < max_rows:
        batch_qs = records if before is None else records.filter(seq__lt=before)
        batch = list(batch_qs.order_by("-seq")[: min(BATCH_SIZE, max_rows - rows)])
        if not batch:
            break
        for record in batch:
            sheet.append([_cell(sheet, value) for value in _row(record)])
        rows += len(batch)
        before = batch[-1].seq
    truncated = rows >= max_rows and (
        records.filter(seq__lt=before).exists() if before is not None else False
    )
    workbook.save(fileobj)
    return rows, truncated


def _row(record) -> list:
    return [
        record.seq,
        # Excel has no time zones: write the office's local time.
        timezone.localtime(record.time).replace(tzinfo=None),
        record.actor_name,
        record.on_behalf_of_name,
        record.action,
        describe(record),
        record.object_type,
        record.object_id,
        record.object_repr,
        record.summary,
        json.dumps(record.changes, ensure_ascii=False, sort_keys=True) if record.changes else "",
        record.client_address,
        record.request_id,
        record.hash,
    ]


def _cell(sheet, value):
    if not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        if hasattr(value, "hour"):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    # Text typed by users must stay text: no control characters (invalid in XML) and no
    # "=…" read as a formula when the file is opened (spreadsheet formula injection).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell
