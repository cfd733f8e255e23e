"""Finer planner statistics for the columns member search reads as prefix ranges.

With the default (100 histogram buckets, each ≈ 1 % of the table) PostgreSQL cannot tell how
many names a surname's range holds — under a C.UTF-8 collation it does not interpolate inside a
bucket — and guessed 43 rows for 肖 where 10 million members hold 63,572: it then read the whole
range and sorted it (440 ms) instead of reading the index in order until the page was full
(0.7 ms). 1,000 buckets (≈ 0.1 % each) bound every common surname; measured on the 10 M city.
"""

from django.db import migrations

COLUMNS = ("name", "name_initials", "name_pinyin")


def set_statistics(target):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite has no per-column statistics target
        table = schema_editor.quote_name(apps.get_model("members", "Member")._meta.db_table)
        alters = ", ".join(f"ALTER COLUMN {schema_editor.quote_name(c)} SET STATISTICS {target}" for c in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {table} {alters}")

    return run


class Migration(migrations.Migration):
    dependencies = [("members", "0005_search_order_indexes")]

    operations = [migrations.RunPython(set_statistics(1000), set_statistics(-1))]
