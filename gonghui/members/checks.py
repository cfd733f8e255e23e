from django.core.checks import Tags, Warning, register
from django.db import connections

# Member search reads a name or pinyin prefix as a range of an index (selectors._prefix_range),
# which is the same set of names as "starts with" only in code-point order.
CODE_POINT_COLLATIONS = {"c", "posix", "c.utf-8", "c.utf8"}


def collation_is_code_point(name: str) -> bool:
    return (name or "").strip().lower() in CODE_POINT_COLLATIONS


@register(Tags.database)
def database_collation(app_configs, databases=None, **kwargs):
    """Runs with `migrate` and `check --database default`."""
    warnings = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            collation = cursor.fetchone()[0]
        if not collation_is_code_point(collation):
            warnings.append(
                Warning(
                    f"The database {connection.settings_dict['NAME']!r} collates by {collation!r}: member search "
                    "by name or pinyin prefix may miss or add names.",
                    hint="Create the database with the code-point collation: "
                    "createdb --template=template0 --locale=C.UTF-8 <name>.",
                    id="gonghui.W002",
                )
            )
    return warnings
