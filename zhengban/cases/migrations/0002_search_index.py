"""Full-text index over CaseSearchText: FTS5 on SQLite, a GIN tsvector index on PostgreSQL."""

from django.db import migrations


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE cases_search_fts USING fts5(tokens, "
    "content='cases_casesearchtext', content_rowid='case_id', tokenize='unicode61')",
    "CREATE TRIGGER cases_search_ai AFTER INSERT ON cases_casesearchtext BEGIN "
    "INSERT INTO cases_search_fts(rowid, tokens) VALUES (new.case_id, new.tokens); END",
    "CREATE TRIGGER cases_search_ad AFTER DELETE ON cases_casesearchtext BEGIN "
    "INSERT INTO cases_search_fts(cases_search_fts, rowid, tokens) "
    "VALUES ('delete', old.case_id, old.tokens); END",
    "CREATE TRIGGER cases_search_au AFTER UPDATE ON cases_casesearchtext BEGIN "
    "INSERT INTO cases_search_fts(cases_search_fts, rowid, tokens) "
    "VALUES ('delete', old.case_id, old.tokens); "
    "INSERT INTO cases_search_fts(rowid, tokens) VALUES (new.case_id, new.tokens); END",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # External-content FTS5 over cases_casesearchtext, kept in step by triggers, so the
        # tokens are stored once and services only write the ordinary table.
        for statement in SQLITE_FTS:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS cases_search_tsv ON cases_casesearchtext "
            "USING GIN (to_tsvector('simple', tokens))"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("cases_search_ai", "cases_search_ad", "cases_search_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute("DROP TABLE IF EXISTS cases_search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_search_tsv")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
