"""intake's reads for its HTTP API: a request by its Idempotency-Key or by its case."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from shared.db import Conn

BY_KEY = "SELECT case_id, fingerprint FROM requests WHERE idempotency_key = $1"

BY_CASE = """
SELECT r.case_id, r.member_id, r.channel, r.topic_family, r.event, r.received_at,
       NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = $2) AS published
FROM requests r WHERE r.case_id = $1"""


@dataclass(frozen=True)
class Existing:
    case_id: UUID
    fingerprint: str


async def by_key(conn: Conn, idempotency_key: str) -> Existing | None:
    row = await conn.fetchrow(BY_KEY, idempotency_key)
    return Existing(row["case_id"], row["fingerprint"]) if row else None


async def by_case(conn: Conn, case_id: UUID) -> asyncpg.Record | None:
    """The request and whether its event has left the outbox (its key is the case id)."""
    return await conn.fetchrow(BY_CASE, case_id, str(case_id).encode())
