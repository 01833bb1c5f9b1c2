"""advisory's reads: the queues and a case's full history, straight from its tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.db import Conn

# Every filter is optional: NULL means "any".
QUEUE = """
SELECT * FROM cases
WHERE ($1::text IS NULL OR queue = $1)
  AND ($2::text IS NULL OR office = $2)
  AND ($3::text IS NULL OR tier = $3)
  AND ($4::text IS NULL OR assignee = $4)
  AND ($5::text[] IS NULL OR status = ANY($5::text[]))
  AND ($6::text IS NULL OR language = $6)
  AND ($7::text IS NULL OR topic_family = $7)
  AND ($8::timestamptz IS NULL OR opened_at <= $8)
ORDER BY opened_at, case_id
LIMIT $9"""

CASE = "SELECT * FROM cases WHERE case_id = $1"

HISTORY = """
SELECT event_id, occurred_at, type, actor, event FROM case_history
WHERE case_id = $1 ORDER BY occurred_at, event_id"""


@dataclass(frozen=True)
class QueueFilter:
    queue: str | None = None
    office: str | None = None
    tier: str | None = None
    assignee: str | None = None
    statuses: list[str] | None = None
    language: str | None = None
    topic_family: str | None = None
    opened_before: datetime | None = None
    limit: int = 100


async def queue(conn: Conn, f: QueueFilter) -> list[asyncpg.Record]:
    """Cases matching every given filter, oldest first."""
    return await conn.fetch(
        QUEUE,
        f.queue,
        f.office,
        f.tier,
        f.assignee,
        f.statuses,
        f.language,
        f.topic_family,
        f.opened_before,
        f.limit,
    )


async def case(conn: Conn, case_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(CASE, case_id)


async def history(conn: Conn, case_id: UUID) -> list[asyncpg.Record]:
    """Every fact about the case, in the order its state was folded."""
    return await conn.fetch(HISTORY, case_id)
