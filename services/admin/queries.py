"""admin's reads: open tasks, a task's history, the administrative view of members and cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.db import Conn

TASKS = """
SELECT * FROM tasks
WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
  AND ($2::text IS NULL OR act = $2)
  AND ($3::text IS NULL OR office = $3)
  AND ($4::text IS NULL OR assignee = $4)
  AND ($5::timestamptz IS NULL OR opened_at <= $5)
ORDER BY opened_at, task_id
LIMIT $6"""

TASK = "SELECT * FROM tasks WHERE task_id = $1"

TASK_HISTORY = """
SELECT event_id, occurred_at, type, actor, event FROM task_history
WHERE task_id = $1 ORDER BY occurred_at, event_id"""

MEMBER = "SELECT * FROM members WHERE member_id = $1"

# Last contact: the latest time the member asked, or a case of theirs was answered (resolved).
MEMBER_CASES = """
SELECT *, greatest(received_at, resolved_at) AS last_contact_at FROM cases
WHERE member_id = $1 ORDER BY coalesce(received_at, resolved_at), case_id"""

CASE = "SELECT * FROM cases WHERE case_id = $1"

TASKS_OF_MEMBER = "SELECT * FROM tasks WHERE member_id = $1 ORDER BY opened_at, task_id"

TASKS_OF_CASE = "SELECT * FROM tasks WHERE case_id = $1 ORDER BY opened_at, task_id"


@dataclass(frozen=True)
class TaskFilter:
    """What a task list asks for; None: any."""

    statuses: list[str] | None = None
    act: str | None = None
    office: str | None = None
    assignee: str | None = None
    opened_before: datetime | None = None


async def tasks(conn: Conn, f: TaskFilter, limit: int) -> list[asyncpg.Record]:
    """Tasks matching every given filter, oldest first."""
    return await conn.fetch(TASKS, f.statuses, f.act, f.office, f.assignee, f.opened_before, limit)


async def task(conn: Conn, task_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(TASK, task_id)


async def task_history(conn: Conn, task_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(TASK_HISTORY, task_id)


async def member(
    conn: Conn, member_id: str
) -> tuple[asyncpg.Record | None, list[asyncpg.Record], list[asyncpg.Record]]:
    """The member's snapshot, cases and tasks."""
    return (
        await conn.fetchrow(MEMBER, member_id),
        await conn.fetch(MEMBER_CASES, member_id),
        await conn.fetch(TASKS_OF_MEMBER, member_id),
    )


async def case(conn: Conn, case_id: UUID) -> tuple[asyncpg.Record | None, list[asyncpg.Record]]:
    """The case's administrative view and its tasks."""
    return await conn.fetchrow(CASE, case_id), await conn.fetch(TASKS_OF_CASE, case_id)
