"""Locks on things that have no row to lock yet (a phone number asking for its first code,
a client address), for check-then-insert sequences such as rate limits.

On PostgreSQL a transaction-scoped advisory lock, released at commit or rollback. SQLite
lets one writer in at a time for the whole database, and its transactions here start
with the write, so nothing more is needed there.
"""

import hashlib

from django.db import connection


def lock_key(namespace: str, value: str | bytes) -> int:
    """A stable signed 64-bit key for the (namespace, value) pair."""
    raw = value if isinstance(value, bytes) else value.encode()
    digest = hashlib.blake2b(namespace.encode() + b"\0" + raw, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_xact_lock(namespace: str, value: str | bytes) -> None:
    """Wait for and hold the lock until the current transaction ends. Call inside
    ``transaction.atomic()``; always take several locks in the same order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(namespace, value)])
