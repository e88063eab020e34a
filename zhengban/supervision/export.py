"""Excel exports: the drill-down items and the statistics tables (openpyxl, write-only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .choices import Escalation, Light

MAX_ROWS = 50_000
BATCH_SIZE = 2000


def _text(value) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def write_items_xlsx(queryset, fileobj, *, max_rows: int = MAX_ROWS) -> tuple[int, bool]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("督办事项"))
    sheet.append(
        [
            _("编号"),
            _("标题"),
            _("事项来源"),
            _("来源说明"),
            _("督办单位"),
            _("主办单位"),
            _("交办日期"),
            _("办结期限"),
            _("下次报送"),
            _("状态灯"),
            _("催办等级"),
            _("办结日期"),
            _("按期办结"),
        ]
    )
    lights = dict(Light.choices)
    levels = dict(Escalation.choices)
    rows = 0
    for start in range(0, max_rows, BATCH_SIZE):
        batch = list(queryset[start : min(start + BATCH_SIZE, max_rows)])
        for item in batch:
            case = item.case
            sheet.append(
                [
                    _text(v)
                    for v in (
                        case.number,
                        case.title,
                        item.get_source_kind_display(),
                        item.source_label,
                        case.owner_unit.name,
                        item.lead_unit.name if item.lead_unit else "",
                        item.assigned_on,
                        case.due_date,
                        item.next_report_due,
                        lights.get(item.light, ""),
                        levels.get(item.escalation, ""),
                        item.completed_on,
                        "" if item.on_time is None else (_("是") if item.on_time else _("否")),
                    )
                ]
            )
        rows += len(batch)
        if len(batch) < BATCH_SIZE:
            break
    truncated = rows >= max_rows and queryset[max_rows : max_rows + 1].exists()
    workbook.save(fileobj)
    return rows, truncated


def write_statistics_xlsx(rows: list[dict], title: str, fileobj) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("督查统计"))
    sheet.append([title])
    sheet.append(
        [
            _("统计对象"),
            _("事项数"),
            _("已办结"),
            _("按期办结"),
            _("按期办结率（%）"),
            _("逾期未办结"),
            _("红灯"),
            _("黄灯"),
            _("平均办理天数"),
            _("退回报告数"),
        ]
    )
    for row in rows:
        sheet.append(
            [
                _text(row["label"]),
                row["items"],
                row["done"],
                row["on_time"],
                row["on_time_rate"],
                row["overdue"],
                row["red"],
                row["yellow"],
                row["avg_days"],
                row["returned"],
            ]
        )
    workbook.save(fileobj)
