"""The 批示件台账 as Excel: the rows the page lists (the same selector, so the same policy),
written in batches."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors

MAX_ROWS = 50_000
BATCH_SIZE = 2000


def _text(value) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


def write_ledger_xlsx(queryset, fileobj, *, user, max_rows: int = MAX_ROWS) -> tuple[int, bool]:
    """The rows of `queryset` (the ledger's, ordered); a case `user` may not read is named
    by its number only, as on the page."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("批示件台账"))
    sheet.append(
        [
            _("批示日期"),
            _("批示领导"),
            _("所批事项"),
            _("事项编号/呈批件编号"),
            _("批示内容"),
            _("牵头单位"),
            _("涉及单位"),
            _("办理时限"),
            _("列入督办"),
            _("督办事项"),
            _("办理状态"),
            _("当前环节"),
            _("代录人"),
        ]
    )
    rows = 0
    for start in range(0, max_rows, BATCH_SIZE):
        batch = selectors.decorate(queryset[start : min(start + BATCH_SIZE, max_rows)], user)
        for i in batch:
            sheet.append(
                [
                    _text(v)
                    for v in (
                        i.given_on.isoformat(),
                        i.leader,
                        i.subject if i.case_readable else _("（无权查看该事项）"),
                        i.case.number if i.case_id else i.source_number,
                        i.text,
                        i.lead_unit.name if i.lead_unit_id else "",
                        "、".join(u.name for u in i.units.all()),
                        i.due_date.isoformat() if i.due_date else "",
                        _("是") if i.supervise else _("否"),
                        i.item.number if i.item_id else "",
                        i.status_label,
                        i.state_label,
                        i.recorded_by or "",
                    )
                ]
            )
        rows += len(batch)
        if len(batch) < BATCH_SIZE:
            break
    truncated = rows >= max_rows and queryset[max_rows : max_rows + 1].exists()
    workbook.save(fileobj)
    return rows, truncated
