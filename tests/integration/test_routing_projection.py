"""routing's projection through the real consumer pipeline and PostgreSQL: replays change
nothing, poison is isolated, positions move with the rows."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from shared.codec import encode
from shared.consumer import BatchConsumer, Delivery
from shared.db import Conn, PoolHolder
from shared.events import REQUEST_RECEIVED
from tests.integration.conftest import ScratchFactory
from tests.support import routing_live

CASES = "SELECT case_id, member_id, office, queue, tier, policy FROM cases ORDER BY case_id"


def records(count: int, seed: int, start: int = 0) -> list[ConsumerRecord[bytes, bytes]]:
    result = []
    for i, body in enumerate(stream(count, seed=seed)):
        case_id = uuid.uuid4()
        event = request_received(
            SubmitRequest.model_validate(body),
            case_id=case_id,
            event_id=uuid.uuid4(),
            correlation_id=case_id,
            now=datetime(2026, 4, 1, 9, i % 60, tzinfo=UTC),
        )
        value = encode(event)
        result.append(
            ConsumerRecord(
                topic=REQUEST_RECEIVED,
                partition=i % 2,
                offset=start + i // 2,
                timestamp=0,
                timestamp_type=0,
                key=str(case_id).encode(),
                value=value,
                checksum=None,
                serialized_key_size=36,
                serialized_value_size=len(value),
                headers=[],
            )
        )
    return result


def consumer(pool: asyncpg.Pool, apply: Any = routing_live.on_request_received) -> BatchConsumer:
    holder = PoolHolder()
    holder.pool = pool
    return BatchConsumer(holder, service="routing", group="routing", apply=apply)


async def test_a_redelivered_batch_changes_nothing(scratch_schema: ScratchFactory) -> None:
    pool = await scratch_schema("routing")
    batch = records(40, seed=11)
    # Given a batch applied once
    await consumer(pool).process(batch)
    rows, outgoing = await pool.fetch(CASES), await pool.fetchval("SELECT count(*) FROM outbox")
    # When the same batch is delivered again (crash before the Kafka commit)
    await consumer(pool).process(batch)
    # Then the rows, the outgoing events and the positions are as after the first time
    assert await pool.fetch(CASES) == rows
    assert len(rows) == 40
    assert await pool.fetchval("SELECT count(*) FROM outbox") == outgoing == 40
    positions = await pool.fetch("SELECT partition, next_offset FROM consumer_positions ORDER BY 1")
    assert [(p["partition"], p["next_offset"]) for p in positions] == [(0, 20), (1, 20)]


async def test_the_same_events_at_new_offsets_are_absorbed_by_the_handler(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("routing")
    batch = records(10, seed=12)
    await consumer(pool).process(batch)
    # When the outbox relay published the same events twice (a crash after Kafka's ack)
    again = [dataclasses.replace(r, offset=r.offset + 100) for r in batch]
    await consumer(pool).process(again)
    # Then no case is routed twice
    assert await pool.fetchval("SELECT count(*) FROM cases") == 10
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE topic = 'routed'") == 10


async def test_poison_and_handler_bugs_are_dead_lettered_alone(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("routing")
    batch = records(6, seed=13)
    broken = dataclasses.replace(batch[2], value=b"{not json")
    unlucky = batch[4]

    async def flaky_handler(conn: Conn, deliveries: Any) -> None:
        if any(
            isinstance(d, Delivery)
            and d.record.offset == unlucky.offset
            and d.record.partition == unlucky.partition
            for d in deliveries
        ):
            raise ZeroDivisionError("a bug on one message")
        await routing_live.on_request_received(conn, deliveries)

    batch[2] = broken
    worker = consumer(pool, flaky_handler)
    await worker.process(batch)
    assert await pool.fetchval("SELECT count(*) FROM cases") == 4
    letters = await pool.fetch(
        "SELECT headers->>'dlq.reason' AS reason FROM outbox WHERE topic = 'routing.dead-letter'"
    )
    reasons = sorted(r["reason"] for r in letters)
    assert len(reasons) == 2
    assert reasons[0].startswith("handler error: ZeroDivisionError")
    assert reasons[1].startswith("invalid JSON")
    assert worker.dead_lettered == 2
