"""Two instances of a service handed the same records at once (a rebalance moves a partition
while its old owner still applies a batch it fetched): the partition's lock makes the second
wait for the first and skip what it applied — each record applied once, nothing dead-lettered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence

import asyncpg
import pytest

from shared import db as database
from shared.codec import encode
from shared.consumer import BatchConsumer, Delivery
from shared.db import Conn, PoolHolder
from shared.events import RequestReceived
from shared.settings import Settings
from tests.integration.test_batch_consumer import event, record

GROUP = "fencing-test"


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    schema = f"it_fencing_{uuid.uuid4().hex[:8]}"
    test_pool = await database.connect(settings.ops_dsn(), schema, min_size=2, max_size=4)
    await database.migrate(test_pool, schema, [database.PLUMBING_MIGRATIONS])
    # No key: a record applied twice shows as two rows (a unique key would fail the second
    # batch instead, and its redo would hide the double).
    await test_pool.execute("CREATE TABLE seen (case_id uuid NOT NULL)")
    yield test_pool
    await test_pool.execute(f"DROP SCHEMA {schema} CASCADE")
    await test_pool.close()


async def slow_apply(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """Appends each case applied, slowly enough for the other instance's batch to start
    meanwhile."""
    await conn.execute("SELECT pg_sleep(0.3)")
    cases = [d.event.case_id for d in deliveries if isinstance(d.event, RequestReceived)]
    await conn.execute("INSERT INTO seen SELECT unnest($1::uuid[])", cases)


def instance(pool: asyncpg.Pool) -> BatchConsumer:
    holder = PoolHolder()
    holder.pool = pool
    return BatchConsumer(holder, service="test", group=GROUP, apply=slow_apply)


async def test_a_batch_two_instances_hold_at_once_is_applied_once(pool: asyncpg.Pool) -> None:
    records = [record(offset, encode(event(f"case {offset}"))) for offset in range(5)]
    first, second = instance(pool), instance(pool)
    await asyncio.gather(first.process(records), second.process(records))
    assert await pool.fetchval("SELECT count(*) FROM seen") == 5
    assert (first.applied + second.applied, first.dead_lettered + second.dead_lettered) == (5, 0)
    assert sorted([first.applied, second.applied]) == [0, 5]
