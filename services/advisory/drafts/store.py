"""The ``case_drafts`` table: one draft per case and person."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from shared.db import Conn

SAVE = """
INSERT INTO case_drafts (case_id, staff_id, kind, text, updated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (case_id, staff_id) DO UPDATE
SET kind = excluded.kind, text = excluded.text, updated_at = excluded.updated_at
RETURNING *"""
READ = "SELECT * FROM case_drafts WHERE case_id = $1 AND staff_id = $2"
DISCARD = "DELETE FROM case_drafts WHERE case_id = $1 AND staff_id = $2 RETURNING case_id"
# What a sent reply or note takes away: its author's draft of that kind.
SENT = "DELETE FROM case_drafts WHERE case_id = $1 AND staff_id = $2 AND kind = $3"


async def save(
    conn: Conn, case_id: UUID, staff_id: str, kind: str, text: str, now: datetime
) -> asyncpg.Record:
    row = await conn.fetchrow(SAVE, case_id, staff_id, kind, text, now)
    assert row is not None
    return row


async def read(conn: Conn, case_id: UUID, staff_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(READ, case_id, staff_id)


async def discard(conn: Conn, case_id: UUID, staff_id: str) -> bool:
    """Removes the draft; whether there was one."""
    return await conn.fetchval(DISCARD, case_id, staff_id) is not None


async def sent(conn: Conn, case_id: UUID, staff_id: str, kind: str) -> None:
    await conn.execute(SENT, case_id, staff_id, kind)
