"""The venue terminal's statements, written out once instead of built by the ORM per call.

Card verification is the busiest write of the platform — every scan at every partner venue —
and its cost was the ORM's, not the database's: building and compiling a queryset costs about
0.45 ms of CPU, executing a fixed statement through the same connection about 0.04 ms
(docs/performance.md, "Card verify"). A verify call makes six statements; here they are plain
SQL that runs unchanged on PostgreSQL and SQLite, returning model instances (``Model.from_db``)
with only the columns verification uses, so the services above keep working with models.

Nothing here decides anything: the rules stay in ``services.card_verify_and_redeem``. These
reads are deliberately outside organisation scoping — a venue is not a person in the tree and
sees a card only through the checks the service makes.
"""

import datetime as dt

from django.db import connection

from gonghui.cards.models import Benefit, Card, Redemption, Venue
from gonghui.members.models import Member


def _columns(model, names: set[str]) -> tuple[str, ...]:
    """The named columns in the model's field order: ``from_db`` reads a partial row in
    that order and defers the rest."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


VENUE_COLUMNS = _columns(Venue, {"id", "name", "unit_id", "service_point_id", "is_active"})
CARD_COLUMNS = _columns(Card, {"id", "member_id", "number", "status", "token_version"})
HOLDER_COLUMNS = _columns(
    Member,
    {"id", "name", "status", "unit_id", "phone_masked", "is_new_form_worker", "is_model_worker", "in_hardship"},
)
BENEFIT_COLUMNS = tuple(f.attname for f in Benefit._meta.concrete_fields)


def _select(columns, alias=""):
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + c for c in columns)


_VENUE_BY_TOKEN = f"SELECT {_select(VENUE_COLUMNS)} FROM {Venue._meta.db_table} WHERE token_digest = %s AND is_active"
_CARD_AND_HOLDER = (
    f"SELECT {_select(CARD_COLUMNS, 'c')}, {_select(HOLDER_COLUMNS, 'm')}"
    f" FROM {Card._meta.db_table} c JOIN {Member._meta.db_table} m ON m.id = c.member_id WHERE c.{{key}} = %s"
)
_CARD_BY_ID = _CARD_AND_HOLDER.format(key="id")
_CARD_BY_NUMBER = _CARD_AND_HOLDER.format(key="number")
_BENEFIT = f"SELECT {_select(BENEFIT_COLUMNS)} FROM {Benefit._meta.db_table} WHERE id = %s"
# The member's uses of one benefit since New Year, counted for today, this month and the year
# in one pass over the (member, benefit, on_date) index.
_PERIOD_COUNTS = (
    "SELECT COUNT(CASE WHEN on_date = %s THEN 1 END), COUNT(CASE WHEN on_date >= %s THEN 1 END), COUNT(*)"
    f" FROM {Redemption._meta.db_table} WHERE member_id = %s AND benefit_id = %s AND on_date >= %s"
)
# The unique (venue, idempotency key) decides a repeated request: the second insert of a key
# writes nothing and returns no row, also when the first is still in flight (it waits for it).
_INSERT_REDEMPTION = (
    f"INSERT INTO {Redemption._meta.db_table} (benefit_id, venue_id, card_id, member_id, idempotency_key, on_date, at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (venue_id, idempotency_key) DO NOTHING RETURNING id"
)
_COUNT_USE = f"UPDATE {Benefit._meta.db_table} SET redeemed = redeemed + 1 WHERE id = %s"
_RECORDED = (
    f"SELECT r.id, b.name, m.name FROM {Redemption._meta.db_table} r"
    f" JOIN {Benefit._meta.db_table} b ON b.id = r.benefit_id JOIN {Member._meta.db_table} m ON m.id = r.member_id"
    " WHERE r.venue_id = %s AND r.idempotency_key = %s"
)


def _fetchone(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def venue_by_token_digest(digest: str) -> Venue | None:
    row = _fetchone(_VENUE_BY_TOKEN, [digest])
    return Venue.from_db(connection.alias, VENUE_COLUMNS, row) if row else None


def card_with_holder(*, card_id: int | None = None, number: str | None = None) -> Card | None:
    """The card and its holder, by id (from a QR token) or by the printed number."""
    row = _fetchone(_CARD_BY_ID, [card_id]) if number is None else _fetchone(_CARD_BY_NUMBER, [number])
    if row is None:
        return None
    card = Card.from_db(connection.alias, CARD_COLUMNS, row[: len(CARD_COLUMNS)])
    card.member = Member.from_db(connection.alias, HOLDER_COLUMNS, row[len(CARD_COLUMNS) :])
    return card


def benefit_locked(benefit_id: int) -> Benefit | None:
    """The benefit, its row locked until the transaction ends (SQLite locks the whole
    database for a write transaction instead, so the clause is PostgreSQL's only)."""
    sql = _BENEFIT + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    row = _fetchone(sql, [benefit_id])
    return Benefit.from_db(connection.alias, BENEFIT_COLUMNS, row) if row else None


def period_counts(member_id: int, benefit_id: int, today: dt.date) -> dict:
    ops = connection.ops
    periods = (today, today.replace(day=1), today.replace(month=1, day=1))
    day, month, year = (ops.adapt_datefield_value(d) for d in periods)
    counted = _fetchone(_PERIOD_COUNTS, [day, month, member_id, benefit_id, year])
    return dict(zip(("day", "month", "year"), counted, strict=True))


def redemption_insert(*, benefit_id, venue_id, card_id, member_id, key: str, on_date: dt.date, at: dt.datetime):
    """Record the use and count it on the benefit; the new redemption's id, or None when the
    key was recorded before (nothing is written then)."""
    ops = connection.ops
    params = [benefit_id, venue_id, card_id, member_id, key, ops.adapt_datefield_value(on_date)]
    row = _fetchone(_INSERT_REDEMPTION, [*params, ops.adapt_datetimefield_value(at)])
    if row is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_USE, [benefit_id])
    return row[0]


def recorded(venue_id: int, key: str) -> tuple[int, str, str] | None:
    """(redemption id, benefit name, member name) of the use recorded under the key."""
    return _fetchone(_RECORDED, [venue_id, key])
