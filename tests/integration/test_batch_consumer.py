"""The batch consumer applies a batch in one transaction without savepoints; when a handler
fails, the batch is redone isolating each delivery, so a handler failure or a bad message
dead-letters only the deliveries at fault; a redelivered batch changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
import pytest
from aiokafka.structs import ConsumerRecord

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from shared import db as database
from shared import dead_letters
from shared.codec import encode
from shared.consumer import BatchConsumer, Delivery
from shared.db import Conn, PoolHolder
from shared.events import REQUEST_RECEIVED, RequestReceived
from shared.settings import Settings

GROUP = "consumer-test"


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A throw-away schema: the plumbing tables and one projection table."""
    schema = f"it_consumer_{uuid.uuid4().hex[:8]}"
    test_pool = await database.connect(settings.ops_dsn(), schema, min_size=1, max_size=2)
    await database.migrate(test_pool, schema, [database.PLUMBING_MIGRATIONS])
    await test_pool.execute("CREATE TABLE seen (case_id uuid PRIMARY KEY)")
    yield test_pool
    await test_pool.execute(f"DROP SCHEMA {schema} CASCADE")
    await test_pool.close()


class Remember:
    """A real handler: stores each case, and refuses the subject 'explode'."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    async def __call__(self, conn: Conn, deliveries: Sequence[Delivery]) -> None:
        self.calls.append(len(deliveries))
        for d in deliveries:
            assert isinstance(d.event, RequestReceived)
            if d.event.subject == "explode":
                raise ValueError("cannot handle this one")
        cases = [d.event.case_id for d in deliveries if isinstance(d.event, RequestReceived)]
        await conn.execute("INSERT INTO seen SELECT unnest($1::uuid[])", cases)


def event(subject: str) -> RequestReceived:
    body = {**stream(1, seed=31)[0], "subject": subject}
    case_id = uuid.uuid4()
    return request_received(
        SubmitRequest.model_validate(body),
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=datetime.now(UTC),
    )


def record(offset: int, value: bytes) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(REQUEST_RECEIVED, 0, offset, 0, 0, None, value, None, 0, len(value), ())


def consumer_of(pool: asyncpg.Pool, handler: Remember) -> BatchConsumer:
    holder = PoolHolder()
    holder.pool = pool
    return BatchConsumer(holder, service="test", group=GROUP, apply=handler)


async def test_a_clean_batch_is_applied_in_one_call(pool: asyncpg.Pool) -> None:
    handler = Remember()
    good = [event(f"question {i}") for i in range(4)]
    await consumer_of(pool, handler).process([record(i, encode(e)) for i, e in enumerate(good)])
    assert handler.calls == [4]
    assert await pool.fetchval("SELECT count(*) FROM seen") == 4


async def test_only_the_deliveries_at_fault_are_dead_lettered(pool: asyncpg.Pool) -> None:
    handler = Remember()
    consumer = consumer_of(pool, handler)
    good = [event(f"question {i}") for i in range(3)]
    values = [encode(good[0]), encode(event("explode")), encode(good[1]), b"{no", encode(good[2])]
    records = [record(100 + i, v) for i, v in enumerate(values)]
    # When a batch with a failing delivery and an undecodable one is processed
    await consumer.process(records)
    # Then the batch was tried whole, then redone one delivery at a time
    assert handler.calls == [4, 1, 1, 1, 1]
    # And the good deliveries are applied, once
    stored = [r["case_id"] for r in await pool.fetch("SELECT case_id FROM seen")]
    assert sorted(stored) == sorted(e.case_id for e in good)
    # And the two others are in the outbox for the dead-letter topic, with why
    dead = await pool.fetch("SELECT topic, headers FROM outbox ORDER BY id")
    assert [r["topic"] for r in dead] == [dead_letters.topic_for("test")] * 2
    reasons = sorted(orjson.loads(r["headers"])[dead_letters.REASON] for r in dead)
    assert reasons[0].startswith("handler error: ValueError: cannot handle this one")
    assert reasons[1].startswith("invalid JSON")
    assert (consumer.applied, consumer.dead_lettered) == (3, 2)
    # And the position moved past the batch
    position = await pool.fetchval(
        "SELECT next_offset FROM consumer_positions WHERE consumer_group = $1", GROUP
    )
    assert position == 105
    # When the same batch is delivered again, nothing changes
    await consumer.process(records)
    assert await pool.fetchval("SELECT count(*) FROM seen") == 3
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 2
