"""Covering indexes for the case lists at 10^6 cases (`make bench`).

Written as SQL, not `Meta.indexes`: they serve the query plans of the inbox tabs and search,
not the model; `IF NOT EXISTS` lets a bench database that has them already migrate. SQLite
and PostgreSQL both accept the statements (the partial ones test `IS NULL`, a literal, so
SQLite's planner can match the queries' own `IS NULL`).

- cases_case_keys: a case's sort keys and the columns the tabs and the visibility check read
  first (owner unit, creator, holder), by id — a tab's rows are chosen on their keys
  (`selectors.CasePaginator`), and search checks its matches, without reading whole rows.
- cases_case_open_cover: cases by state and due date, newest first within a day (the tabs'
  order), with the same columns — 逾期 and 本周到期 walk it in order and stop at the cap.
- cases_assignment_unit_case: a unit's assignments with their case (本处室).
- cases_task_person_case, cases_task_unit_case: open tasks of a person, and a unit's tasks
  nobody has taken, with their kind and case — 待办 and 待阅 read no task rows (SQLite
  covers a partial index only if it holds the columns of its own condition too).

On SQLite, a database analysed before (sqlite_stat1) gets statistics for the new indexes
too: with statistics for the old ones only, the planner reads rows by rowid rather than the
narrower covering index.
"""

from django.db import migrations

INDEXES = {
    "cases_case_keys": (
        "cases_case",
        "id, sensitivity, closed, due_date, created_at, updated_at, urgency, owner_unit_id, "
        "creator_id, assignee_id",
        "",
    ),
    "cases_case_open_cover": (
        "cases_case",
        "closed, due_date, created_at DESC, sensitivity, owner_unit_id, creator_id, assignee_id",
        "",
    ),
    "cases_assignment_unit_case": ("cases_assignment", "unit_id, status, case_id", ""),
    "cases_task_person_case": ("cases_task", "assignee_id, state, kind, case_id", ""),
    "cases_task_unit_case": (
        "cases_task",
        "unit_id, state, heads_only, kind, case_id, assignee_id",
        " WHERE assignee_id IS NULL",
    ),
}


def analyze(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return
        for name in INDEXES:
            cursor.execute(f"ANALYZE {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_task_kinds_approve_sign")]

    operations = [
        *(
            migrations.RunSQL(
                sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns}){where}",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for name, (table, columns, where) in INDEXES.items()
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
