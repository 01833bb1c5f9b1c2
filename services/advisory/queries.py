"""advisory's reads: a case and its full history, straight from its tables (the queues are
read in ``queues/``, a member's cases in ``members/``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from shared.db import Conn

CASE = "SELECT * FROM cases WHERE case_id = $1"

HISTORY = """
SELECT event_id, occurred_at, type, actor, event FROM case_history
WHERE case_id = $1 ORDER BY occurred_at, event_id"""


async def case(conn: Conn, case_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(CASE, case_id)


async def history(conn: Conn, case_id: UUID) -> list[asyncpg.Record]:
    """Every fact about the case, in the order its state was folded."""
    return await conn.fetch(HISTORY, case_id)
