"""What advisers read in advisory, on the real PostgreSQL: the request and the administrative
tasks kept beside each case reach the same rows whatever order the topics are read in, however
often a message is delivered, and an administrative task's closing read before its opening."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import asyncpg

from ops.services import load
from services.advisory import task_store
from shared.batch import Apply
from shared.consumer import BatchConsumer, Delivery
from shared.db import Conn, PoolHolder
from shared.events import (
    ADMIN_TASKS,
    REQUEST_RECEIVED,
    AdminTaskCompleted,
    AdminTaskOpened,
    AdminTaskRejected,
)
from shared.settings import Settings
from tests.integration.conftest import ScratchFactory
from tests.support.events import T0
from tests.support.lifecycles import as_records, interleaved, logs, moved

SOURCES: dict[str, Apply] = {s.topic: s.apply for s in load("advisory", Settings()).sources}
TABLES = ("requests", "admin_tasks", "cases")


async def by_topic(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """What a rebuild runs: each delivery through the handler advisory declares for its topic."""
    for topic in sorted({d.record.topic for d in deliveries}):
        await SOURCES[topic](conn, [d for d in deliveries if d.record.topic == topic])


def consumer(pool: asyncpg.Pool) -> BatchConsumer:
    holder = PoolHolder()
    holder.pool = pool
    return BatchConsumer(holder, service="advisory", group="advisory", apply=by_topic)


async def rows(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    return {
        t: [tuple(r) for r in await pool.fetch(f"SELECT * FROM {t} ORDER BY 1")] for t in TABLES
    }


async def test_the_request_and_the_tasks_are_the_same_in_any_reading_order(
    scratch_schema: ScratchFactory,
) -> None:
    live, replay = await scratch_schema("advisory"), await scratch_schema("advisory")
    records = [r for r in as_records(logs(24, seed=71)) if r.topic in SOURCES]
    assert {REQUEST_RECEIVED, ADMIN_TASKS} <= {r.topic for r in records}
    # Given one projection fed in log order, then every message again at new offsets
    await consumer(live).process(records)
    once = await rows(live)
    await consumer(live).process(moved(records, 1000))
    assert await rows(live) == once
    # When another reads the records mixed across topics, in small batches
    shuffled = interleaved(records, seed=9)
    for i in range(0, len(shuffled), 5):
        await consumer(replay).process(shuffled[i : i + 5])
    # Then both hold the same requests, tasks and cases
    assert await rows(replay) == once
    assert len(once["requests"]) == 24
    assert once["admin_tasks"], "some lifecycles resolve with an act"
    subjects = await live.fetch("SELECT subject, body, member_name FROM requests")
    assert all(r["subject"] and r["body"] and r["member_name"] for r in subjects)


def _task(kind: str, task_id: uuid.UUID, case_id: uuid.UUID, minutes: int) -> Any:
    at = T0 + timedelta(minutes=minutes)
    common: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "occurred_at": at,
        "case_id": case_id,
        "member_id": "M-7",
        "correlation_id": case_id,
        "causation_id": None,
        "producer": "admin",
        "schema_version": 1,
        "task_id": task_id,
        "act": "payment",
    }
    if kind == "open":
        return AdminTaskOpened(
            type="AdminTaskOpened",
            **{**common, "schema_version": 2},
            office="liege",
            resolution_event_id=uuid.uuid4(),
            opened_at=at,
            due_at=None,
            due_business_days=None,
        )
    if kind == "reject":
        return AdminTaskRejected(
            type="AdminTaskRejected", **common, rejected_by="adm-1", note="no id", rejected_at=at
        )
    return AdminTaskCompleted(
        type="AdminTaskCompleted", **common, completed_by="adm-2", note="done", completed_at=at
    )


async def test_a_closing_read_first_or_twice_ends_the_same(scratch_schema: ScratchFactory) -> None:
    forward, backward = await scratch_schema("advisory"), await scratch_schema("advisory")
    task_id, case_id = uuid.uuid4(), uuid.uuid4()
    facts = [_task("open", task_id, case_id, 0), _task("reject", task_id, case_id, 5)]
    later = _task("complete", task_id, case_id, 9)
    # Given the opening then its closings, and the same facts read last to first
    for fact in [*facts, later]:
        async with forward.acquire() as conn:
            await task_store.record(conn, [fact])
    async with backward.acquire() as conn:
        await task_store.record(conn, [later])
        await task_store.record(conn, list(reversed(facts)))
        await task_store.record(conn, [facts[1]])  # the earlier closing, read again
    # Then the task is closed by the later fact, and not open for its member
    one = await forward.fetch("SELECT * FROM admin_tasks")
    assert [tuple(r) for r in one] == [
        tuple(r) for r in await backward.fetch("SELECT * FROM admin_tasks")
    ]
    assert one[0]["closing"] == "completed"
    assert one[0]["office"] == "liege"
    async with forward.acquire() as conn:
        assert await task_store.open_of_member(conn, "M-7", None) == []
