"""The outbox relay publishes every row once, on the partition Kafka's default partitioner picks
for its key, in order per key, with its headers — and empties the outbox. A relay whose lock's
session ends stops: the instance that takes over is the only one publishing. A commit on an
instance that does not hold the lock wakes the relay that does (NOTIFY), not its next poll."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.partitioner import DefaultPartitioner

from ops.relay_pause import PauseRefused, relay_paused
from shared import db as shared_db
from shared import outbox
from shared.events import PARTITIONS
from shared.kafka import new_producer
from shared.settings import Settings
from tests.support.kafka import collect, end_offsets
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


# The relay's lock, as pg_locks shows it: hashtext() is an int4 key, stored as two oids.
LOCK_HOLDER = """
SELECT l.pid FROM pg_locks l, (SELECT hashtext($1)::bigint AS k) x
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid::bigint = ((x.k >> 32) & 4294967295) AND l.objid::bigint = (x.k & 4294967295)"""


class HeldProducer:
    """A real producer whose relay is held, once, after it fetched rows and before it sends
    them: where a relay whose lock's session is ended meanwhile must not publish."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def partitions_for(self, topic: str) -> set[int]:
        if not self.release.is_set():
            self.holding.set()
            await self.release.wait()
        partitions: set[int] = await self._producer.partitions_for(topic)
        return partitions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._producer, name)


def numbered(topic: str, start: int, count: int) -> list[outbox.OutgoingMessage]:
    """Messages on 20 keys, each with its own event_id header."""
    return [
        outbox.OutgoingMessage(
            topic, f"case-{n % 20}".encode(), f"#{n}".encode(), {"event_id": str(uuid.uuid4())}
        )
        for n in range(start, start + count)
    ]


async def test_a_relay_whose_lock_session_ends_publishes_nothing_more(
    pool: asyncpg.Pool, db: asyncpg.Pool, topic: str, settings: Settings, bootstrap: str
) -> None:
    first_batch = numbered(topic, 0, 300)
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue(conn, first_batch)
    # Given a relay holding the lock, with rows fetched and about to send them
    held = HeldProducer(new_producer(settings))
    first = outbox.OutboxRelay(pool, SCHEMA, lambda: held, batch=50)
    second = outbox.OutboxRelay(pool, SCHEMA, lambda: new_producer(settings), batch=50)
    tasks = [asyncio.create_task(first.run())]
    try:
        await asyncio.wait_for(held.holding.wait(), timeout=30)
        # When its lock's session is ended (pg_terminate_backend), another relay starts
        holder = await db.fetchval(LOCK_HOLDER, f"outbox:{SCHEMA}")
        assert holder is not None
        assert await db.fetchval("SELECT pg_terminate_backend($1)", holder)
        tasks.append(asyncio.create_task(second.run()))
        await until(lambda: pool.fetchval("SELECT count(*) FROM outbox"), lambda n: n == 0)
        # And the first goes on (its rows fetched), and more rows come
        held.release.set()
        more = numbered(topic, 300, 100)
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, more)
        left = await until(
            lambda: pool.fetchval("SELECT count(*) FROM outbox"), lambda n: n == 0, timeout=15
        )
        await asyncio.sleep(1.5)  # time for a stale relay to publish, were it to
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    # Then every row is on the topic exactly once, by the second relay, in order per key
    sent = first_batch + more
    since = {TopicPartition(topic, p): 0 for p in range(PARTITIONS)}
    records = await collect(bootstrap, topic, since, lambda rs: len(rs) > len(sent), timeout=5)
    ids = Counter(dict(r.headers)["event_id"].decode() for r in records)
    assert left == 0
    assert set(ids) == {m.headers["event_id"] for m in sent}
    assert set(ids.values()) == {1}, "no row relayed twice"
    assert (first.published, second.published) == (0, len(sent))
    for n in range(20):
        mine = sorted((r for r in records if r.key == f"case-{n}".encode()), key=lambda r: r.offset)
        numbers = [int(r.value[1:]) for r in mine]
        assert numbers == sorted(numbers)


async def test_a_commit_on_an_instance_not_holding_the_lock_is_relayed_at_once(
    pool: asyncpg.Pool, db: asyncpg.Pool, topic: str, settings: Settings, bootstrap: str
) -> None:
    # Given two instances of one service (a pool each, on one outbox), their relays polling
    # only every 10 s: the first holds the lock, the second stands by
    dsn = f"postgresql://relais:relais@{settings.pg_host}:{settings.pg_port}/{settings.pg_database}"
    other = await shared_db.connect(dsn, SCHEMA, min_size=1, max_size=2)
    holder = outbox.OutboxRelay(pool, SCHEMA, lambda: new_producer(settings), poll=10.0)
    standby = outbox.OutboxRelay(other, SCHEMA, lambda: new_producer(settings), poll=10.0)
    tasks = [asyncio.create_task(holder.run())]

    async def published() -> int:
        return holder.published

    async def waiting() -> int:
        return int(await pool.fetchval("SELECT count(*) FROM outbox"))

    try:
        assert await until(lambda: db.fetchval(LOCK_HOLDER, f"outbox:{SCHEMA}"), bool)
        tasks.append(asyncio.create_task(standby.run()))
        # (a first message from the holder's own instance: its producer started, the topic known)
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, numbered(topic, 0, 1))
        holder.notify()
        assert await until(published, lambda n: n == 1, timeout=15) == 1
        # The holder's next fetch deleted the row and found nothing: it is waiting
        assert await until(waiting, lambda n: n == 0, timeout=5) == 0
        # When the other instance commits a message and notifies, as after every commit
        loop = asyncio.get_running_loop()
        committed = loop.time()
        async with other.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, numbered(topic, 1, 1))
        standby.notify()
        count = await until(published, lambda n: n == 2, timeout=15)
        took = loop.time() - committed
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await other.close()
    # Then the holder publishes it at once, well within its 10 s poll (0.1 s measured; the
    # margin is a loaded machine's)
    assert count == 2
    assert took < 3.0, f"published {took:.2f} s after the commit: at the poll, not woken"
    assert (standby.published, standby.woke_holder) == (0, 1)
    since = {TopicPartition(topic, p): 0 for p in range(PARTITIONS)}
    records = await collect(bootstrap, topic, since, lambda rs: len(rs) >= 2)
    assert sorted(r.value for r in records) == [b"#0", b"#1"]


async def test_a_paused_relay_publishes_nothing_until_the_pause_ends(
    pool: asyncpg.Pool, topic: str, settings: Settings, bootstrap: str
) -> None:
    # Given two instances' relays, one of them relaying
    relays = [outbox.OutboxRelay(pool, SCHEMA, lambda: new_producer(settings)) for _ in "ab"]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    ops = await asyncpg.connect(settings.ops_dsn())
    before, during = numbered(topic, 0, 200), numbered(topic, 200, 100)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, before)
        await until(lambda: pool.fetchval("SELECT count(*) FROM outbox"), lambda n: n == 0)
        # When ops pause it (it hands its lock over at its next round), and rows come meanwhile
        started = asyncio.get_running_loop().time()
        async with relay_paused(ops, SCHEMA, timeout_s=10):
            took = asyncio.get_running_loop().time() - started
            ends = await end_offsets(bootstrap, topic)
            async with pool.acquire() as conn, conn.transaction():
                await outbox.enqueue(conn, during)
            await asyncio.sleep(2.5)  # two of the stand-by instances' lock attempts
            # Then nothing is published while paused: the rows wait in the outbox
            assert await end_offsets(bootstrap, topic) == ends
            assert await pool.fetchval("SELECT count(*) FROM outbox") == len(during)
        # And once the pause ends an instance relays them
        left = await until(
            lambda: pool.fetchval("SELECT count(*) FROM outbox"), lambda n: n == 0, timeout=15
        )
    finally:
        await ops.close()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert took < 5
    assert left == 0
    sent = before + during
    since = {TopicPartition(topic, p): 0 for p in range(PARTITIONS)}
    records = await collect(bootstrap, topic, since, lambda rs: len(rs) > len(sent), timeout=5)
    ids = Counter(dict(r.headers)["event_id"].decode() for r in records)
    assert set(ids) == {m.headers["event_id"] for m in sent}
    assert set(ids.values()) == {1}, "no row relayed twice"
    for n in range(20):
        mine = sorted((r for r in records if r.key == f"case-{n}".encode()), key=lambda r: r.offset)
        numbers = [int(r.value[1:]) for r in mine]
        assert numbers == sorted(numbers)


async def test_a_relay_that_does_not_hand_over_refuses_the_pause_and_keeps_nothing(
    pool: asyncpg.Pool, settings: Settings
) -> None:
    # Given the relay lock held by a session that never looks at pauses (an older version)
    holder = await asyncpg.connect(settings.ops_dsn())
    ops = await asyncpg.connect(settings.ops_dsn())
    try:
        assert await holder.fetchval(outbox.TRY_LOCK, outbox.channel(SCHEMA))
        # When ops try to pause it, they give up in time, saying why
        with pytest.raises(PauseRefused, match="did not pause within 1s"):
            async with relay_paused(ops, SCHEMA, timeout_s=1):
                pytest.fail("paused while another session holds the relay lock")
        # Then they hold no lock: once the holder is gone, a relay takes over at once
        await holder.close()
        assert await pool.fetchval(outbox.TRY_LOCK, outbox.channel(SCHEMA))
        assert await pool.fetchval(outbox.PAUSED, outbox.pause_lock(SCHEMA)) is False
    finally:
        await ops.close()
        if not holder.is_closed():
            await holder.close()
