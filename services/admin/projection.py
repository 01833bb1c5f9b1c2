"""admin's tables, written set-based and idempotently: members and cases (upserts that only
ever move forward), and tasks as the fold of their history (refolded only on a new fact)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, TypeAdapter

from services.admin.domain import TaskEvent, TaskState, fold
from shared import locks
from shared.db import Conn
from shared.events import (
    AdminTaskAssigned,
    AdminTaskClaimed,
    AdminTaskCompleted,
    AdminTaskOpened,
    AdminTaskRejected,
    CaseResolved,
    RequestReceived,
)

LOCK_SPACE = 4  # admin's tasks, in shared.locks' two-key space

UPSERT_MEMBERS = """
INSERT INTO members (member_id, name, preferred_language, home_office, activity_type, as_of)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[])
ON CONFLICT (member_id) DO UPDATE
SET name = excluded.name, preferred_language = excluded.preferred_language,
    home_office = excluded.home_office, activity_type = excluded.activity_type,
    as_of = excluded.as_of
WHERE members.as_of < excluded.as_of"""

REQUESTED_CASES = """
INSERT INTO cases (case_id, member_id, office, topic_family, channel, received_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[])
ON CONFLICT (case_id) DO UPDATE
SET office = coalesce(cases.office, excluded.office), topic_family = excluded.topic_family,
    channel = excluded.channel, received_at = excluded.received_at"""

# A resolution's office wins over the request's home office, whichever came first.
RESOLVED_CASES = """
INSERT INTO cases (case_id, member_id, office, resolution_event_id, resolved_at, resolved_by,
                   outcome, admin_act)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[],
                     $6::text[], $7::text[], $8::text[])
ON CONFLICT (case_id) DO UPDATE
SET office = excluded.office, resolution_event_id = excluded.resolution_event_id,
    resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by,
    outcome = excluded.outcome, admin_act = excluded.admin_act"""

INSERT_HISTORY = """
INSERT INTO task_history (event_id, task_id, case_id, occurred_at, type, actor, event,
                          traceparent)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[],
                     $6::text[], $7::jsonb[], $8::text[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id, task_id"""

# A task's opening keeps the trace context of the resolution that opened it. A resolution read
# before its opening (a rebuild, or live: applied, then decided on) leaves it waiting here; the
# opening takes it when recorded, and the row goes: at rest the table is empty.
KEEP_OPENING_TRACES = """
INSERT INTO opening_traces (task_id, traceparent)
SELECT * FROM unnest($1::uuid[], $2::text[])
ON CONFLICT (task_id) DO NOTHING"""

FILL_OPENING_TRACES = """
UPDATE task_history h SET traceparent = o.traceparent
FROM opening_traces o
WHERE h.task_id = o.task_id AND h.type = 'AdminTaskOpened' AND h.traceparent IS NULL
  AND h.task_id = ANY($1::uuid[])"""

TAKEN_OPENING_TRACES = """
DELETE FROM opening_traces o
USING task_history h
WHERE o.task_id = h.task_id AND h.type = 'AdminTaskOpened' AND o.task_id = ANY($1::uuid[])"""

# The trace closing the task continues: that of the resolution that opened it.
TASK_TRACE = """
SELECT traceparent FROM task_history WHERE task_id = $1 AND type = 'AdminTaskOpened'"""

HISTORY = "SELECT task_id, event FROM task_history WHERE task_id = ANY($1::uuid[])"

COLUMNS = tuple(f.name for f in fields(TaskState))
UPSERT_TASKS = f"""
INSERT INTO tasks ({", ".join(COLUMNS)})
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                     $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::int[],
                     $12::timestamptz[], $13::text[], $14::timestamptz[])
ON CONFLICT (task_id) DO UPDATE
SET {", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])}"""

_EVENTS: TypeAdapter[TaskEvent] = TypeAdapter(Annotated[TaskEvent, Field(discriminator="type")])


async def record_requests(conn: Conn, requests: Sequence[RequestReceived]) -> None:
    """The member snapshot (latest by request time) and the request side of each case."""
    latest: dict[str, RequestReceived] = {}
    for r in requests:
        if r.member_id not in latest or latest[r.member_id].received_at < r.received_at:
            latest[r.member_id] = r
    people = list(latest.values())
    await conn.execute(
        UPSERT_MEMBERS,
        [r.member_id for r in people],
        [r.member.name for r in people],
        [r.member.preferred_language.value for r in people],
        [r.member.home_office for r in people],
        [r.member.activity_type for r in people],
        [r.received_at for r in people],
    )
    cases = list({r.case_id: r for r in requests}.values())
    await conn.execute(
        REQUESTED_CASES,
        [r.case_id for r in cases],
        [r.member_id for r in cases],
        [r.member.home_office for r in cases],
        [r.topic_family for r in cases],
        [r.channel.value for r in cases],
        [r.received_at for r in cases],
    )


async def record_resolutions(conn: Conn, resolutions: Sequence[CaseResolved]) -> None:
    """The resolution side of each case (a case is resolved once)."""
    cases = list({r.case_id: r for r in resolutions}.values())
    await conn.execute(
        RESOLVED_CASES,
        [r.case_id for r in cases],
        [r.member_id for r in cases],
        [r.office for r in cases],
        [r.event_id for r in cases],
        [r.resolved_at for r in cases],
        [r.resolved_by for r in cases],
        [r.outcome.value for r in cases],
        [r.admin_act.value if r.admin_act else None for r in cases],
    )


def actor_of(event: TaskEvent) -> str:
    match event:
        case AdminTaskClaimed():
            return event.claimed_by
        case AdminTaskAssigned():
            return event.assigned_by
        case AdminTaskCompleted():
            return event.completed_by
        case AdminTaskRejected():
            return event.rejected_by
    return event.producer


async def keep_opening_traces(conn: Conn, traces: Mapping[UUID, str]) -> None:
    """The trace context each task's opening keeps (by task_id): its resolution's."""
    if not traces:
        return
    ids = sorted(traces)
    await conn.execute(KEEP_OPENING_TRACES, ids, [traces[i] for i in ids])
    await _take_opening_traces(conn, ids)


async def record_tasks(
    conn: Conn, events: Sequence[TaskEvent], traces: Mapping[UUID, str | None] | None = None
) -> set[UUID]:
    """Stores the task facts not yet known and refolds their tasks; returns the new event ids.
    ``traces``: the ``traceparent`` each fact keeps, by event_id (when known): a command's
    fact, the one it is published with. An opening keeps its resolution's
    (``keep_opening_traces``), whichever is read first."""
    unique = list({e.event_id: e for e in events}.values())
    if not unique:
        return set()
    traced = (traces or {}).get
    await locks.lock_all(conn, LOCK_SPACE, (e.task_id for e in unique))
    rows = await conn.fetch(
        INSERT_HISTORY,
        [e.event_id for e in unique],
        [e.task_id for e in unique],
        [e.case_id for e in unique],
        [e.occurred_at for e in unique],
        [e.type for e in unique],
        [actor_of(e) for e in unique],
        [e.model_dump_json() for e in unique],
        [traced(e.event_id) for e in unique],
    )
    fresh = {r["event_id"] for r in rows}
    openings = [e.task_id for e in unique if isinstance(e, AdminTaskOpened) and e.event_id in fresh]
    if openings:
        await _take_opening_traces(conn, openings)
    if rows:
        states = await load_tasks(conn, {r["task_id"] for r in rows})
        columns: list[list[Any]] = [
            [getattr(getattr(s, c), "value", getattr(s, c)) for s in states.values()]
            for c in COLUMNS
        ]
        await conn.execute(UPSERT_TASKS, *columns)
    return fresh


async def _take_opening_traces(conn: Conn, task_ids: list[UUID]) -> None:
    """The openings among these tasks take the trace waiting for them (if theirs is unknown)."""
    await conn.execute(FILL_OPENING_TRACES, task_ids)
    await conn.execute(TAKEN_OPENING_TRACES, task_ids)


async def task_trace(conn: Conn, task_id: UUID) -> str | None:
    """The ``traceparent`` of the resolution that opened the task: where closing it joins the
    case's trace."""
    value: str | None = await conn.fetchval(TASK_TRACE, task_id)
    return value


async def load_tasks(conn: Conn, task_ids: set[UUID]) -> dict[UUID, TaskState]:
    """Each task folded from its history (unknown: an empty state)."""
    histories: dict[UUID, list[TaskEvent]] = defaultdict(list)
    for row in await conn.fetch(HISTORY, list(task_ids)):
        histories[row["task_id"]].append(_EVENTS.validate_json(row["event"]))
    return {task_id: fold(task_id, histories[task_id]) for task_id in task_ids}
