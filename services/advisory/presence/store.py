"""The ``case_presence`` table: one row per case and person, renewed by their console."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from shared.db import Conn

RENEW = """
INSERT INTO case_presence (case_id, staff_id, role, activity, seen_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (case_id, staff_id) DO UPDATE
SET role = excluded.role, activity = excluded.activity, seen_at = excluded.seen_at"""
# Gone: every row nobody renewed in time (any case: the table stays as small as the staff).
EXPIRE = "DELETE FROM case_presence WHERE seen_at < $1"
LEAVE = "DELETE FROM case_presence WHERE case_id = $1 AND staff_id = $2"
PRESENT = """
SELECT staff_id, role, activity, seen_at FROM case_presence
WHERE case_id = $1 AND seen_at >= $2 ORDER BY seen_at DESC, staff_id"""


async def renew(
    conn: Conn, case_id: UUID, staff_id: str, role: str, activity: str, now: datetime
) -> None:
    await conn.execute(RENEW, case_id, staff_id, role, activity, now)


async def expire(conn: Conn, before: datetime) -> None:
    await conn.execute(EXPIRE, before)


async def leave(conn: Conn, case_id: UUID, staff_id: str) -> None:
    await conn.execute(LEAVE, case_id, staff_id)


async def present(conn: Conn, case_id: UUID, since: datetime) -> list[asyncpg.Record]:
    return await conn.fetch(PRESENT, case_id, since)
