"""Covering indexes for the case lists at 10^6 cases (`make bench`).

Written as SQL, not `Meta.indexes`: they serve the query plans of the inbox tabs and search,
not the model; `IF NOT EXISTS` lets a bench database that has them already migrate. Both
SQLite and PostgreSQL accept the statements.

- cases_case_keys: a case's sort keys and the columns the tabs filter on, by id — a tab's
  rows are chosen on their keys (`selectors.CasePaginator`) without reading whole rows.
- cases_case_open_cover: open cases by due date with the columns visibility reads first
  (owner unit, creator, holder) — 逾期 and 本周到期 walk it without reading rows.
- cases_assignment_unit_case: a unit's assignments with their case (本处室, visibility).
"""

from django.db import migrations

INDEXES = {
    "cases_case_keys": (
        "cases_case",
        "id, sensitivity, closed, due_date, created_at, updated_at, urgency",
    ),
    "cases_case_open_cover": (
        "cases_case",
        "closed, due_date, sensitivity, owner_unit_id, creator_id, assignee_id, created_at",
    ),
    "cases_assignment_unit_case": ("cases_assignment", "unit_id, status, case_id"),
}


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_task_kinds_approve_sign")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, (table, columns) in INDEXES.items()
    ]
