"""routing's reads of the organisation for its HTTP API: offices with their model history and
desks, advisers with their availability and open load now."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Conn

MODEL_CHANGES = """
SELECT office, model, effective_at, occurred_at, event_id, changed_by FROM office_models
WHERE ($1::text IS NULL OR office = $1)
ORDER BY office, effective_at, occurred_at, event_id"""

DESKS = """
SELECT office, desk, kind, topic_families FROM desks
WHERE ($1::text IS NULL OR office = $1) ORDER BY office, desk"""

SHADOW = "SELECT model FROM office_shadows WHERE office = $1"

ADVISERS = """
SELECT a.adviser_id, a.office, a.team, a.desk, a.languages, a.skills, a.capacity, a.active,
       a.active AND NOT EXISTS (
           SELECT 1 FROM absences b WHERE b.adviser_id = a.adviser_id AND NOT b.cancelled
              AND b.starts_at <= $5 AND $5 < b.ends_at) AS available,
       (SELECT count(*) FROM workload w
        WHERE w.holder = a.adviser_id AND NOT w.closed) AS open_cases
FROM advisers a
WHERE ($1::text IS NULL OR a.office = $1)
  AND ($2::text IS NULL OR a.team = $2)
  AND ($3::text IS NULL OR a.desk = $3)
  AND ($4::text IS NULL OR a.adviser_id = $4)
ORDER BY a.adviser_id"""

ABSENCES = """
SELECT absence_id, adviser_id, starts_at, ends_at FROM absences
WHERE adviser_id = ANY($1::text[]) AND NOT cancelled AND starts_at IS NOT NULL
  AND ends_at > $2
ORDER BY starts_at, absence_id"""

ABSENCE = "SELECT adviser_id, cancelled FROM absences WHERE absence_id = $1"


async def model_changes(conn: Conn, office: str | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(MODEL_CHANGES, office)


async def desks(conn: Conn, office: str | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(DESKS, office)


async def shadow(conn: Conn, office: str) -> str | None:
    """The candidate model shadowing the office, if any."""
    found: str | None = await conn.fetchval(SHADOW, office)
    return found


async def advisers(
    conn: Conn,
    now: datetime,
    *,
    office: str | None = None,
    team: str | None = None,
    desk: str | None = None,
    adviser_id: str | None = None,
) -> list[asyncpg.Record]:
    """Advisers matching every given filter, with their availability and open load at ``now``."""
    return await conn.fetch(ADVISERS, office, team, desk, adviser_id, now)


async def absences(conn: Conn, adviser_ids: list[str], now: datetime) -> list[asyncpg.Record]:
    """The absences of these advisers that are not over at ``now``."""
    return await conn.fetch(ABSENCES, adviser_ids, now)


async def absence(conn: Conn, absence_id: object) -> asyncpg.Record | None:
    return await conn.fetchrow(ABSENCE, absence_id)
