"""`relais partitions grow` while events flow: on a topic and a producer of the test's own (an
outbox relay on a scratch schema, as a service runs it) and a consumer group that falls behind,
the topic grows from 2 to 4 partitions; the group applies every key's events once, in the
order they were written, and keys move to the new partitions afterwards. (A contract topic
would grow for every test sharing the stack, for good.)"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ops import growth_records, partitions
from ops.growth_phases import Growth
from shared import db as shared_db
from shared import outbox
from shared.kafka import new_producer
from shared.settings import Settings
from tests.support.polling import until

KEYS = 20


@dataclass
class Scratch:
    topic: str
    schema: str
    pool: asyncpg.Pool


@pytest.fixture
async def scratch(settings: Settings, bootstrap: str) -> AsyncIterator[Scratch]:
    """A topic of 2 partitions and a schema with an outbox, both the test's, removed after."""
    name = f"partgrow_{uuid.uuid4().hex[:8]}"
    topic = f"test.{name}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 2, 1)])
    pool = await shared_db.connect(settings.ops_dsn(), name, min_size=1, max_size=4)
    await shared_db.migrate(pool, name, [shared_db.PLUMBING_MIGRATIONS])
    try:
        yield Scratch(topic, name, pool)
    finally:
        await pool.execute(f"DROP SCHEMA {name} CASCADE")
        await pool.execute("DELETE FROM relais_ops.partition_growths WHERE topic = $1", topic)
        await pool.close()
        await admin.delete_topics([topic])
        await admin.close()


@dataclass
class Reader:
    """A consumer group that applies slowly (so it is behind when the growth starts) and
    commits what it applied, as Relais's consumers do."""

    topic: str
    bootstrap: str
    seen: list[tuple[bytes, int, int]] = field(default_factory=list)  # key, number, partition

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            group_id=self.topic,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            metadata_max_age_ms=1000,
            max_poll_records=10,
            # A few records of each partition a fetch: partitions are read side by side, as
            # by a group of several members.
            max_partition_fetch_bytes=512,
        )
        await consumer.start()
        try:
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for r in records:
                        self.seen.append((r.key, int(r.value[1:]), r.partition))
                if batch:
                    await consumer.commit()
                    await asyncio.sleep(0.1)  # 100 records/s at most: behind the writer
        finally:
            await consumer.stop()


async def write(pool: asyncpg.Pool, topic: str, numbers: range) -> None:
    """Events numbered in the order they are written, on KEYS keys, ten a transaction."""
    for start in range(numbers.start, numbers.stop, 10):
        messages = [
            outbox.OutgoingMessage(topic, f"case-{n % KEYS}".encode(), f"#{n}".encode())
            for n in range(start, min(start + 10, numbers.stop))
        ]
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, messages)
        await asyncio.sleep(0.01)


async def test_a_topic_grown_while_events_flow_keeps_each_keys_order(
    scratch: Scratch, settings: Settings, bootstrap: str
) -> None:
    relay = outbox.OutboxRelay(scratch.pool, scratch.schema, lambda: new_producer(settings))
    reader = Reader(scratch.topic, bootstrap)
    running = [asyncio.create_task(relay.run()), asyncio.create_task(reader.run())]
    said: list[str] = []

    async def read() -> int:
        return len(reader.seen)

    try:
        # Given 600 events written, and a reader far behind them
        await write(scratch.pool, scratch.topic, range(600))
        assert await until(read, lambda n: n > 0) < 300
        # When the topic grows to 4 partitions, and 400 more events are written
        plan = await partitions.plan(settings, scratch.topic, 4, producer=scratch.schema)
        grown = await partitions.grow(settings, plan, timeout_s=20, say=said.append)
        await write(scratch.pool, scratch.topic, range(600, 1000))
        # Then every event reaches the reader
        await until(read, lambda n: n >= 1000, timeout=20)
    finally:
        for task in running:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert [r.group for r in plan.readers] == [scratch.topic]
    assert grown.late == {}, said
    assert 0 < sum(grown.cut.values()) <= 600  # what was on the topic when it paused
    # And the growth is recorded with its cut, for rebuilds (ops/growth_phases.py)
    async with scratch.pool.acquire() as conn:
        recorded = await growth_records.growths(conn, [scratch.topic])
    assert recorded == [Growth(scratch.topic, 2, grown.cut)]
    numbers = [n for _, n, _ in reader.seen]
    assert sorted(numbers) == list(range(1000)), "each event applied once"
    for k in range(KEYS):
        mine = [(n, p) for key, n, p in reader.seen if key == f"case-{k}".encode()]
        assert [n for n, _ in mine] == sorted(n for n, _ in mine), f"case-{k} out of order"
    moved = {key for key, n, p in reader.seen if p >= 2}
    assert moved, "keys went to the new partitions after the growth"
