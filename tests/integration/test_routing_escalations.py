"""routing sends escalations to the support team: once per escalation, and even when a replay
reads the escalation before the request that created the case."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from shared.consumer import BatchConsumer
from shared.db import PoolHolder
from shared.events import ESCALATED, REQUEST_RECEIVED
from tests.integration.conftest import ScratchFactory
from tests.support import routing_live
from tests.support.lifecycles import as_records, logs, moved


async def consume(pool: asyncpg.Pool, records: list[Any]) -> None:
    holder = PoolHolder()
    holder.pool = pool
    for topic, apply in (
        (REQUEST_RECEIVED, routing_live.on_request_received),
        (ESCALATED, routing_live.on_case_escalated),
    ):
        batch = [r for r in records if r.topic == topic]
        if batch:
            consumer = BatchConsumer(holder, service="routing", group="routing", apply=apply)
            await consumer.process(batch)


async def routed(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT value FROM outbox WHERE topic = 'routed' ORDER BY id")
    return [orjson.loads(r["value"]) for r in rows]


async def test_each_escalation_is_routed_to_support_once(scratch_schema: ScratchFactory) -> None:
    pool = await scratch_schema("routing")
    records = [
        r for r in as_records(logs(16, seed=120)) if r.topic in (REQUEST_RECEIVED, ESCALATED)
    ]
    escalations = {orjson.loads(r.value)["event_id"] for r in records if r.topic == ESCALATED}
    # Given the requests and their escalations, delivered twice
    await consume(pool, [r for r in records if r.topic == REQUEST_RECEIVED])
    await consume(pool, [r for r in records if r.topic == ESCALATED])
    await consume(pool, moved(records, 500))
    # Then each escalation got one CaseRouted to the support team, caused by it
    support = [e for e in await routed(pool) if e["tier"] == "support"]
    assert sorted(e["causation_id"] for e in support) == sorted(escalations)
    assert {e["queue"] for e in support} == {"support"}
    assert all(e["policy"] == "support-escalation" for e in support)
    moved_cases = await pool.fetchval("SELECT count(*) FROM cases WHERE tier = 'support'")
    assert moved_cases == len({e["case_id"] for e in support})


async def test_an_escalation_read_before_its_request_is_routed_when_the_case_comes(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("routing")
    records = [r for r in as_records(logs(8, seed=130)) if r.topic in (REQUEST_RECEIVED, ESCALATED)]
    # Given a replay that reads `escalated` first: the cases are unknown, nothing is routed yet
    await consume(pool, [r for r in records if r.topic == ESCALATED])
    assert await routed(pool) == []
    assert await pool.fetchval("SELECT count(*) FROM escalations WHERE routed_event_id IS NULL") > 0
    # When the requests arrive
    await consume(pool, [r for r in records if r.topic == REQUEST_RECEIVED])
    # Then every case is routed first-line, and each waiting escalation to support after it
    events = await routed(pool)
    support = [e for e in events if e["tier"] == "support"]
    assert len(support) == sum(r.topic == ESCALATED for r in records)
    for escalation in support:
        first = next(e for e in events if e["case_id"] == escalation["case_id"])
        assert first["tier"] == "first_line"
    assert (
        await pool.fetchval("SELECT count(*) FROM escalations WHERE routed_event_id IS NULL") == 0
    )
