"""advisory's view of the administrative tasks (``migrations/0007_admin_tasks.sql``), from
admin's `admin-tasks`: which acts are still open for a case or a member. Openings and closings
write separate columns, so a closing read before its opening (a replay) ends the same; of two
closings of one task, the later (by time, then event_id) is kept, whatever the reading order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.db import Conn
from shared.events import AdminTaskCompleted, AdminTaskEvent, AdminTaskOpened, AdminTaskRejected

Closing = AdminTaskCompleted | AdminTaskRejected

OPENINGS = """
INSERT INTO admin_tasks (task_id, case_id, member_id, act, office, opened_at)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[])
ON CONFLICT (task_id) DO UPDATE SET office = excluded.office, opened_at = excluded.opened_at"""

CLOSINGS = """
INSERT INTO admin_tasks (task_id, case_id, member_id, act, closing, closed_at, closed_by,
                         closing_note, closing_event_id)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::text[], $8::text[], $9::uuid[])
ON CONFLICT (task_id) DO UPDATE SET
    closing = excluded.closing, closed_at = excluded.closed_at, closed_by = excluded.closed_by,
    closing_note = excluded.closing_note, closing_event_id = excluded.closing_event_id
WHERE admin_tasks.closed_at IS NULL
   OR (excluded.closed_at, excluded.closing_event_id)
      > (admin_tasks.closed_at, admin_tasks.closing_event_id)"""

OPEN_OF_MEMBER = """
SELECT * FROM admin_tasks
WHERE member_id = $1 AND closing IS NULL AND opened_at IS NOT NULL
  AND ($2::text IS NULL OR office = $2)
ORDER BY opened_at, task_id"""

OF_CASE = "SELECT * FROM admin_tasks WHERE case_id = $1 ORDER BY opened_at, task_id"


async def record(conn: Conn, events: Sequence[AdminTaskEvent]) -> None:
    """Stores the openings and closings among ``events`` (other facts of the topic are not
    advisory's business); each statement touches a task once, tasks in id order."""
    opened = {e.task_id: e for e in events if isinstance(e, AdminTaskOpened)}
    closed: dict[UUID, Closing] = {}
    for e in events:
        if isinstance(e, AdminTaskCompleted | AdminTaskRejected):
            known = closed.get(e.task_id)
            if known is None or (_at(e), e.event_id) > (_at(known), known.event_id):
                closed[e.task_id] = e
    if opened:
        rows = [opened[t] for t in sorted(opened)]
        await conn.execute(
            OPENINGS,
            [r.task_id for r in rows],
            [r.case_id for r in rows],
            [r.member_id for r in rows],
            [r.act.value for r in rows],
            [r.office for r in rows],
            [r.opened_at for r in rows],
        )
    if closed:
        ends = [closed[t] for t in sorted(closed)]
        await conn.execute(
            CLOSINGS,
            [e.task_id for e in ends],
            [e.case_id for e in ends],
            [e.member_id for e in ends],
            [e.act.value for e in ends],
            ["completed" if isinstance(e, AdminTaskCompleted) else "rejected" for e in ends],
            [_at(e) for e in ends],
            [_by(e) for e in ends],
            [e.note for e in ends],
            [e.event_id for e in ends],
        )


def _at(e: Closing) -> datetime:
    return e.completed_at if isinstance(e, AdminTaskCompleted) else e.rejected_at


def _by(e: Closing) -> str:
    return e.completed_by if isinstance(e, AdminTaskCompleted) else e.rejected_by


async def open_of_member(conn: Conn, member_id: str, office: str | None) -> list[asyncpg.Record]:
    """The member's open tasks, oldest first (of one office only, when given)."""
    return await conn.fetch(OPEN_OF_MEMBER, member_id, office)


async def of_case(conn: Conn, case_id: UUID) -> list[asyncpg.Record]:
    """Every task of the case, open or closed, oldest first."""
    return await conn.fetch(OF_CASE, case_id)
