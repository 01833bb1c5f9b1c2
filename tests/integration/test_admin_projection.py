"""admin's projection on the real PostgreSQL: members, cases and tasks from the log alone, the
same rows whatever the redeliveries and the interleaving, a task opened (and published) once,
and closing commands that either write one fact or nothing."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

import asyncpg
import orjson
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.admin import commands, handlers
from services.admin.decisions import CompleteTask, RejectTask
from services.admin.due_dates import DEFAULT_DUE
from shared.consumer import Apply, BatchConsumer
from shared.db import PoolHolder
from shared.events import ADMIN_TASKS, REQUEST_RECEIVED, RESOLVED
from shared.identity import Principal, Role
from shared.refusals import Conflict
from shared.service import then
from tests.integration.conftest import ScratchFactory
from tests.support.lifecycles import as_records, interleaved, logs, moved

# A rebuild applies only; live, a resolution is also decided on (its task opened).
APPLY: dict[str, Apply] = {
    REQUEST_RECEIVED: handlers.apply_request_received,
    RESOLVED: handlers.apply_case_resolved,
    ADMIN_TASKS: handlers.apply_admin_task_events,
}
LIVE: dict[str, Apply] = {
    **APPLY,
    RESOLVED: then(
        handlers.apply_case_resolved, partial(handlers.decide_case_resolved, due=DEFAULT_DUE)
    ),
}
TABLES = ("members", "cases", "tasks", "task_history", "opening_traces")
ADA = Principal("ada", Role.ADMIN_TEAM)


def holder_of(pool: asyncpg.Pool) -> PoolHolder:
    holder = PoolHolder()
    holder.pool = pool
    return holder


async def apply(pool: asyncpg.Pool, records: list[Any], handlers: dict[str, Apply] = LIVE) -> None:
    """Each record through its topic's consumer, in the order given, in small batches (live,
    or as a rebuild with ``APPLY``)."""
    for i in range(0, len(records), 5):
        for topic, handler in handlers.items():
            batch = [r for r in records[i : i + 5] if r.topic == topic]
            if batch:
                consumer = BatchConsumer(
                    holder_of(pool), service="admin", group="admin", apply=handler
                )
                await consumer.process(batch)


async def rows(pool: asyncpg.Pool) -> dict[str, list[asyncpg.Record]]:
    return {t: await pool.fetch(f"SELECT * FROM {t} ORDER BY 1") for t in TABLES}


def admin_records(count: int, seed: int) -> list[Any]:
    return [r for r in as_records(logs(count, seed)) if r.topic in APPLY]


async def published_tasks(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", ADMIN_TASKS))


async def test_applying_every_message_twice_gives_the_same_rows(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("admin")
    records = admin_records(24, seed=71)
    opened = sum(r.topic == ADMIN_TASKS for r in records)
    # Given the log applied once: `resolved` before `admin-tasks`, so admin opens the tasks
    await apply(pool, [r for r in records if r.topic != ADMIN_TASKS])
    assert await published_tasks(pool) == opened > 0
    await apply(pool, [r for r in records if r.topic == ADMIN_TASKS])
    once = await rows(pool)
    # When every message comes again, redelivered and re-published
    await apply(pool, records)
    await apply(pool, moved(records, 1000))
    # Then the rows are the same, and no task was opened or published twice
    assert await rows(pool) == once
    assert await published_tasks(pool) == opened
    assert len(once["tasks"]) == opened
    assert {t["status"] for t in once["tasks"]} == {"open"}
    assert once["opening_traces"] == []  # each opening took its resolution's trace


async def test_any_interleaving_of_the_topics_gives_the_same_rows(
    scratch_schema: ScratchFactory,
) -> None:
    live, replay = await scratch_schema("admin"), await scratch_schema("admin")
    records = admin_records(24, seed=83)
    await apply(live, records)
    await apply(replay, interleaved(records, seed=9), APPLY)
    assert await rows(replay) == await rows(live)


def traced(records: list[Any]) -> list[Any]:
    """The records as traced producers send them: a trace context of their own in the headers."""
    return [
        dataclasses.replace(r, headers=[*r.headers, ("traceparent", traceparent())])
        for r in records
    ]


def traceparent() -> bytes:
    return f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01".encode()


async def test_with_tracing_on_the_stored_trace_contexts_come_from_the_log_whatever_the_order(
    scratch_schema: ScratchFactory, spans: InMemorySpanExporter
) -> None:
    live, replay = await scratch_schema("admin"), await scratch_schema("admin")
    records = traced(admin_records(24, seed=97))
    # Given admin live: resolutions open tasks (publishing them in spans of their own), then
    # reads its openings back
    await apply(live, records)
    assert spans.get_finished_spans(), "tracing is on"
    # When a rebuild reads the openings first, then the rest
    await apply(replay, [r for r in records if r.topic == ADMIN_TASKS], APPLY)
    await apply(replay, [r for r in records if r.topic != ADMIN_TASKS], APPLY)
    # Then both hold the same rows, trace contexts included: an opening keeps its resolution's
    assert await rows(replay) == await rows(live)
    assert (await rows(replay))["opening_traces"] == []
    history = (await rows(live))["task_history"]
    resolutions = {dict(r.headers)["traceparent"] for r in records if r.topic == RESOLVED}
    assert history
    assert {h["traceparent"].encode() for h in history} <= resolutions


async def test_a_task_is_closed_once_and_a_refusal_writes_nothing(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("admin")
    await apply(pool, admin_records(8, seed=90))
    task_id = await pool.fetchval("SELECT task_id FROM tasks LIMIT 1")
    holder = holder_of(pool)
    before_outbox = await published_tasks(pool)
    # When the team completes the task
    event, after = await commands.execute(
        holder,
        task_id,
        CompleteTask(note="registered"),
        ADA,
        event_id=uuid.uuid4(),
        now=datetime.now(UTC),
    )
    # Then it is completed, in the projection and on the way to `admin-tasks`
    assert (event.type, after.status) == ("AdminTaskCompleted", "completed")
    assert (
        await pool.fetchval("SELECT status FROM tasks WHERE task_id = $1", task_id) == "completed"
    )
    assert await published_tasks(pool) == before_outbox + 1
    snapshot = await rows(pool)
    # And completing or rejecting it again is refused, with nothing written or published
    for command in (CompleteTask(note="again"), RejectTask(note="too late")):
        with pytest.raises(Conflict, match="already completed"):
            await commands.execute(
                holder, task_id, command, ADA, event_id=uuid.uuid4(), now=datetime.now(UTC)
            )
    assert await rows(pool) == snapshot
    assert await published_tasks(pool) == before_outbox + 1


async def test_the_member_view_comes_from_requests_and_resolutions(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("admin")
    records = admin_records(16, seed=100)
    await apply(pool, records)
    # Every member who asked is known; every case knows its request; resolved ones their end
    members = await pool.fetchval("SELECT count(DISTINCT member_id) FROM cases")
    assert await pool.fetchval("SELECT count(*) FROM members") == members
    assert await pool.fetchval("SELECT count(*) FROM cases WHERE received_at IS NULL") == 0
    # a reopened case is resolved again: one case, two resolutions
    resolved = len({orjson.loads(r.value)["case_id"] for r in records if r.topic == RESOLVED})
    assert await pool.fetchval("SELECT count(*) FROM cases WHERE outcome IS NOT NULL") == resolved
