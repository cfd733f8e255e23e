"""The database itself refuses UPDATE and DELETE on posted ledger rows (transactions and
entries), so not even a bug or a hand-typed SQL statement can rewrite the books; a
correction is a reversing transaction. (TRUNCATE, used by test teardown, is not covered.)
PostgreSQL only, like the audit trail's trigger: on SQLite (development and the fast test
pass) test teardown empties tables with DELETE, and the models refuse in Python anyway.
The account balance is not covered: it is the counter ``transaction_post`` moves, and
``balance_check`` compares it with the entries."""

from django.db import migrations

TABLES = ("fund_transaction", "fund_entry")

PG_FORWARD = """
CREATE OR REPLACE FUNCTION fund_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the fund ledger is append-only (% on % refused)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION fund_ledger_append_only();
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
        for table in TABLES:
            schema_editor.execute(PG_TRIGGER.format(table=table), params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS fund_ledger_append_only()", params=None)


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
