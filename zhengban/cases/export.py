"""Excel export of an inbox tab: the rows the user sees (the same selector, so the same
policy), with the selected type's own columns, written in batches to a temporary file."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from . import selectors

# An office's export is a working list, not a dump: more rows than this is a filter problem.
MAX_ROWS = 50_000
BATCH_SIZE = 2000


def _text(value) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


def write_cases_xlsx(
    queryset, columns, fileobj, *, user, max_rows: int = MAX_ROWS
) -> tuple[int, bool]:
    """Write the rows of `queryset` (already ordered) into `fileobj`; (rows, truncated)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("事项清单"))
    sheet.append(
        [
            _("编号"),
            _("标题"),
            _("类型"),
            _("状态"),
            _("主责处室"),
            _("主办单位"),
            _("承办人"),
            _("紧急程度"),
            _("密级"),
            _("办理期限"),
            _("是否逾期"),
            *[str(c.label) for c in columns],
        ]
    )
    rows = 0
    for start in range(0, max_rows, BATCH_SIZE):
        page = queryset[start : min(start + BATCH_SIZE, max_rows)]
        batch = selectors.decorate_rows(page, user=user)
        for case in batch:
            sheet.append(
                [
                    _text(v)
                    for v in (
                        case.number,
                        case.title,
                        case.type_label,
                        case.state_label,
                        case.owner_unit.name,
                        case.lead_unit_name,
                        case.assignee,
                        case.get_urgency_display(),
                        case.get_sensitivity_display(),
                        case.due_date.isoformat() if case.due_date else "",
                        _("是") if case.is_overdue else "",
                        *[c.value(case) for c in columns],
                    )
                ]
            )
        rows += len(batch)
        if len(batch) < BATCH_SIZE:
            break
    truncated = rows >= max_rows and queryset[max_rows : max_rows + 1].exists()
    workbook.save(fileobj)
    return rows, truncated
