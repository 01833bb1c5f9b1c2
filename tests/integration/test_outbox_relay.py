"""The outbox relay publishes every row once, on the partition Kafka's default partitioner picks
for its key, in order per key, with its headers — and empties the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.partitioner import DefaultPartitioner

from shared import db as shared_db
from shared import outbox
from shared.events import PARTITIONS
from shared.kafka import new_producer
from shared.settings import Settings
from tests.support.kafka import collect
from tests.support.polling import until

SCHEMA = "relay_test"


@pytest.fixture
async def topic(bootstrap: str) -> AsyncIterator[str]:
    name = f"test.relay-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(name, PARTITIONS, 1)])
    yield name
    await admin.delete_topics([name])
    await admin.close()


@pytest.fixture
async def pool(settings: Settings, db: asyncpg.Pool) -> AsyncIterator[asyncpg.Pool]:
    """A throw-away schema holding only the plumbing tables (outbox, positions)."""
    dsn = f"postgresql://relais:relais@{settings.pg_host}:{settings.pg_port}/{settings.pg_database}"
    await db.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    relay_pool = await shared_db.connect(dsn, SCHEMA)
    await shared_db.migrate(relay_pool, SCHEMA, [shared_db.PLUMBING_MIGRATIONS])
    yield relay_pool
    await relay_pool.close()
    await db.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


async def test_rows_are_published_in_order_on_their_keys_partition(
    pool: asyncpg.Pool, topic: str, settings: Settings, bootstrap: str
) -> None:
    # Given 40 keys with 5 messages each in the outbox, interleaved
    keys = [f"case-{i}".encode() for i in range(40)]
    messages = [
        outbox.OutgoingMessage(topic, key, f"{key.decode()}#{n}".encode(), {"n": str(n)})
        for n in range(5)
        for key in keys
    ]
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, messages)
    # When the relay runs (small batches: several fetches, several record batches)
    relay = outbox.OutboxRelay(pool, SCHEMA, lambda: new_producer(settings), batch=64)
    running = asyncio.create_task(relay.run())
    try:
        since = {TopicPartition(topic, p): 0 for p in range(PARTITIONS)}
        records = await collect(bootstrap, topic, since, lambda rs: len(rs) >= len(messages))
        # The relay deletes what Kafka acknowledged in its next fetch: give it that fetch
        # before stopping it (rows left by a stop are published again, and absorbed).
        left = await until(
            lambda: pool.fetchval("SELECT count(*) FROM outbox"), lambda n: n == 0, timeout=10
        )
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    # Then every message is on Kafka once, on its key's partition, in order, with its headers
    assert sorted(r.value for r in records) == sorted(m.value for m in messages)
    partitions = list(range(PARTITIONS))
    for record in records:
        assert record.partition == DefaultPartitioner()(record.key, partitions, partitions)
        assert dict(record.headers)["n"] == record.value.split(b"#")[1]
    for key in keys:
        mine = sorted((r for r in records if r.key == key), key=lambda r: r.offset)
        assert [r.value for r in mine] == [f"{key.decode()}#{n}".encode() for n in range(5)]
    # And the outbox is empty
    assert left == 0
