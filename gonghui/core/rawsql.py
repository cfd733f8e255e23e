"""Fixed statements for the few calls made on every request, instead of querysets compiled
per call.

Building and compiling a queryset costs about 0.45 ms of CPU; executing a fixed statement
through the same Django connection about 0.04 ms (docs/performance.md). For the statements
of the venue terminal's verify call and of every bearer-token API call that difference is
most of the request. The statements are written once at import from the models' own table
and column names, run on PostgreSQL and SQLite alike, and give back model instances
(``Model.from_db``) so the code above them keeps working with models; columns not selected
are deferred, as with ``.only()``.
"""

from django.db import connection


def columns(model, names=None) -> tuple[str, ...]:
    """The model's columns (all, or the named ones) in field order — the order ``from_db``
    reads a row in."""
    fields = model._meta.concrete_fields
    return tuple(f.attname for f in fields if names is None or f.attname in names)


def select_list(cols, alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in cols)


def fetchone(sql: str, params) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetchall(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _converters(model, cols) -> list[tuple[int, list, object]]:
    """What the ORM would apply to each column read (SQLite's dates, booleans and decimals,
    aware datetimes): the backend's converters and the field's, by column position."""
    key = (model, cols, connection.vendor)
    found = _CONVERTERS.get(key)
    if found is None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        found = []
        for i, col in enumerate(cols):
            expression = by_attname[col].cached_col
            funcs = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
            if funcs:
                found.append((i, funcs, expression))
        _CONVERTERS[key] = found
    return found


_CONVERTERS: dict = {}


def instance(model, cols, row):
    """A model instance from a row of ``cols`` (as loaded from the database, converted as the
    ORM converts it)."""
    converters = _converters(model, cols)
    if converters:
        row = list(row)
        for i, funcs, expression in converters:
            for func in funcs:
                row[i] = func(row[i], expression, connection)
    return model.from_db(connection.alias, cols, row)
