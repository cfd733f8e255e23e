"""The venue terminal's statements, written out once (see ``core.rawsql`` for why).

Card verification is the busiest write of the platform — every scan at every partner venue —
and its cost was the ORM's, not the database's: a verify call makes six statements, and
compiling them per call was most of its CPU. Here they are plain SQL over the columns
verification uses.

Nothing here decides anything: the rules stay in ``services.card_verify_and_redeem``. These
reads are deliberately outside organisation scoping — a venue is not a person in the tree and
sees a card only through the checks the service makes.
"""

import datetime as dt

from django.db import connection

from gonghui.cards.models import Benefit, Card, Redemption, Venue
from gonghui.core.rawsql import columns, execute, fetchone, instance, select_list
from gonghui.members.models import Member

VENUE_COLUMNS = columns(Venue, {"id", "name", "unit_id", "service_point_id", "is_active"})
CARD_COLUMNS = columns(Card, {"id", "member_id", "number", "status", "token_version"})
HOLDER_COLUMNS = columns(
    Member,
    {"id", "name", "status", "unit_id", "phone_masked", "is_new_form_worker", "is_model_worker", "in_hardship"},
)
BENEFIT_COLUMNS = columns(Benefit)

_VENUE_BY_TOKEN = (
    f"SELECT {select_list(VENUE_COLUMNS, 'v')} FROM {Venue._meta.db_table} v WHERE v.token_digest = %s AND v.is_active"
)
_CARD_AND_HOLDER = (
    f"SELECT {select_list(CARD_COLUMNS, 'c')}, {select_list(HOLDER_COLUMNS, 'm')}"
    f" FROM {Card._meta.db_table} c JOIN {Member._meta.db_table} m ON m.id = c.member_id WHERE c.{{key}} = %s"
)
_CARD_BY_ID = _CARD_AND_HOLDER.format(key="id")
_CARD_BY_NUMBER = _CARD_AND_HOLDER.format(key="number")
_BENEFIT = f"SELECT {select_list(BENEFIT_COLUMNS, 'b')} FROM {Benefit._meta.db_table} b WHERE b.id = %s"
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


def venue_by_token_digest(digest: str) -> Venue | None:
    row = fetchone(_VENUE_BY_TOKEN, [digest])
    return instance(Venue, VENUE_COLUMNS, row) if row else None


def card_with_holder(*, card_id: int | None = None, number: str | None = None) -> Card | None:
    """The card and its holder, by id (from a QR token) or by the printed number."""
    row = fetchone(_CARD_BY_ID, [card_id]) if number is None else fetchone(_CARD_BY_NUMBER, [number])
    if row is None:
        return None
    card = instance(Card, CARD_COLUMNS, row[: len(CARD_COLUMNS)])
    card.member = instance(Member, HOLDER_COLUMNS, row[len(CARD_COLUMNS) :])
    return card


def benefit_locked(benefit_id: int) -> Benefit | None:
    """The benefit, its row locked until the transaction ends (SQLite locks the whole
    database for a write transaction instead, so the clause is PostgreSQL's only)."""
    sql = _BENEFIT + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    row = fetchone(sql, [benefit_id])
    return instance(Benefit, BENEFIT_COLUMNS, row) if row else None


def period_counts(member_id: int, benefit_id: int, today: dt.date) -> dict:
    ops = connection.ops
    periods = (today, today.replace(day=1), today.replace(month=1, day=1))
    day, month, year = (ops.adapt_datefield_value(d) for d in periods)
    counted = fetchone(_PERIOD_COUNTS, [day, month, member_id, benefit_id, year])
    return dict(zip(("day", "month", "year"), counted, strict=True))


def redemption_insert(*, benefit_id, venue_id, card_id, member_id, key: str, on_date: dt.date, at: dt.datetime):
    """Record the use and count it on the benefit; the new redemption's id, or None when the
    key was recorded before (nothing is written then)."""
    ops = connection.ops
    params = [benefit_id, venue_id, card_id, member_id, key, ops.adapt_datefield_value(on_date)]
    row = fetchone(_INSERT_REDEMPTION, [*params, ops.adapt_datetimefield_value(at)])
    if row is None:
        return None
    execute(_COUNT_USE, [benefit_id])
    return row[0]


def recorded(venue_id: int, key: str) -> tuple[int, str, str] | None:
    """(redemption id, benefit name, member name) of the use recorded under the key."""
    return fetchone(_RECORDED, [venue_id, key])
