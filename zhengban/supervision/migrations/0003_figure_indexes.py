"""Covering indexes for the board and the statistics: each holds every column the figures
read, so their GROUP BYs scan an index in group order and never read the rows. The
(source_kind, source_label) index is the prefix of the new one by source and goes.

On SQLite, a database analysed before (sqlite_stat1) gets statistics for the new indexes
too, so the planner does not prefer the older, narrower ones it has figures for."""

from django.db import migrations, models

FIGURES = [
    "closed",
    "due_date",
    "next_report_due",
    "on_time",
    "escalation",
    "days_taken",
    "case",
]
NEW = ("supervision_unit_figures", "supervision_source_figures")


def analyze(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return
        for name in NEW:
            cursor.execute(f"ANALYZE {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_item_case_facts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="supervisionitem",
            name="supervision_source__b79ab3_idx",
        ),
        migrations.AddIndex(
            model_name="supervisionitem",
            index=models.Index(
                fields=["lead_unit", "source_kind", "assigned_on", *FIGURES],
                name="supervision_unit_figures",
            ),
        ),
        migrations.AddIndex(
            model_name="supervisionitem",
            index=models.Index(
                fields=["source_kind", "source_label", *FIGURES],
                name="supervision_source_figures",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True),
    ]
