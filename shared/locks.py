"""Per-entity locks for the length of a transaction (PostgreSQL advisory locks).

A command and a consumer batch that touch the same case must not fold its history at the same
time, or the later write would miss the other's event. Locks work for rows that do not exist
yet, and are taken in one sorted order so two transactions never wait on each other in a ring."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from shared.db import Conn

# The two-integer form keeps these keys apart from the single-bigint locks (outbox, migrations).
LOCK = """
SELECT count(pg_advisory_xact_lock($1, k))
FROM (SELECT DISTINCT hashtext(id::text) AS k FROM unnest($2::uuid[]) AS id ORDER BY k) AS keys"""


async def lock_all(conn: Conn, space: int, ids: Iterable[UUID]) -> None:
    """Locks ``ids`` within ``space`` until the caller's transaction ends."""
    keys = sorted(set(ids))
    if keys:
        await conn.fetchval(LOCK, space, keys)
