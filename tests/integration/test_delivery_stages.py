"""Whatever fails while a batch is delivered (FastStream's parser, its decoder, a middleware,
the handler's database), no consumer position passes a record that was neither applied nor
dead-lettered: on the real broker, every record of the topic ends up applied exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream import BaseMiddleware
from faststream.message import StreamMessage

from shared import db as database
from shared import dead_letters, stalls
from shared.batch import Delivery
from shared.before_handlers import Rescuers, parse_batch
from shared.codec import encode
from shared.consumer import BatchConsumer
from shared.db import Conn, PoolHolder
from shared.events import REQUEST_RECEIVED, RequestReceived
from shared.kafka import consumer_options, log_reader, new_broker
from shared.service import raw_body
from shared.settings import Settings
from tests.support.events import request
from tests.support.polling import until

RECORDS = 60
AS = [(dead_letters.ORIGINAL_TOPIC, REQUEST_RECEIVED.encode())]


class Flaky:
    """Raises on its first ``times`` calls, as a broken stage of the pipeline would."""

    def __init__(self, times: int) -> None:
        self.left = times

    def trip(self) -> None:
        if self.left > 0:
            self.left -= 1
            raise RuntimeError("this stage failed")


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    schema = f"it_stages_{uuid.uuid4().hex[:8]}"
    test_pool = await database.connect(settings.ops_dsn(), schema, min_size=1, max_size=3)
    await database.migrate(test_pool, schema, [database.PLUMBING_MIGRATIONS])
    await test_pool.execute("CREATE TABLE seen (case_id uuid, n int DEFAULT 1)")
    yield test_pool
    await test_pool.execute(f"DROP SCHEMA {schema} CASCADE")
    await test_pool.close()


@pytest.fixture
async def topic(bootstrap: str) -> AsyncIterator[str]:
    # A redrive topic: its records are read as events of the topic their header names, so a
    # scratch topic can carry contract events (the contract's own topics are the services').
    name = dead_letters.redrive_topic_for(f"it-stages-{uuid.uuid4().hex[:8]}")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(name, 3, 1)])
    yield name
    await admin.delete_topics([name])
    await admin.close()


async def store(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    cases = [d.event.case_id for d in deliveries if isinstance(d.event, RequestReceived)]
    await conn.execute("INSERT INTO seen (case_id) SELECT unnest($1::uuid[])", cases)


def stage_faults(stage: str, flaky: Flaky) -> dict[str, Any]:
    """The subscriber's options with ``stage`` made to fail ``flaky``'s number of times."""

    async def parser(records: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
        flaky.trip()
        return await parse_batch(records, original)

    async def decoder(message: StreamMessage[Any]) -> Any:
        flaky.trip()
        return await raw_body(message)

    class Middleware(BaseMiddleware):
        async def on_receive(self) -> None:
            flaky.trip()

    faults: dict[str, dict[str, Any]] = {
        "parser": {"parser": parser},
        "decoder": {"decoder": decoder},
        "middleware": {"middlewares": [Middleware]},
    }
    return faults[stage]


@pytest.mark.parametrize("stage", ["parser", "decoder", "middleware"])
@pytest.mark.parametrize("guards", ["rescue-and-rereads", "rereads-alone"])
async def test_a_failure_before_the_handler_loses_no_record(
    stage: str, guards: str, settings: Settings, bootstrap: str, pool: asyncpg.Pool, topic: str
) -> None:
    """Each guard holds alone: the rescue takes the failed batch at once; without it, the
    next batch skips offsets the log holds and the partition is read again, or, when no
    batch follows, the stall watch reads it again."""
    group = f"stages-{uuid.uuid4().hex[:8]}"
    holder = PoolHolder()
    holder.pool = pool
    consumer = BatchConsumer(
        holder,
        service="stages",
        group=group,
        apply=store,
        holds_records=log_reader(bootstrap),
    )
    rescuers = Rescuers()
    flaky = Flaky(times=3)
    faults = stage_faults(stage, flaky)
    broker = new_broker(settings, "stages", rescuers)
    for middleware in faults.pop("middlewares", []):
        broker.add_middleware(middleware)  # inside the rescue, as any other middleware
    options = {**consumer_options(group, settings), "max_records": 7, "decoder": raw_body}
    options.update(faults)
    subscriber = broker.subscriber(topic, **options)

    async def handler(events: list[Any]) -> None:
        await consumer.handle(broker.context.get_local("message"))

    subscriber(handler)
    if guards == "rescue-and-rereads":
        rescuers.register(subscriber, consumer.handle_records)
    # Given a topic of valid requests over three partitions
    events = [request(800 + i) for i in range(RECORDS)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await asyncio.gather(
            *[
                await producer.send(topic, encode(e), key=str(e.case_id).encode(), headers=AS)
                for e in events
            ]
        )
    finally:
        await producer.stop()
    # When the consumer reads it while one stage of the delivery fails now and then
    await broker.start()
    watching = asyncio.create_task(stalls.watch(group, pool, lambda: [subscriber.consumer]))
    try:
        await until(
            lambda: pool.fetchval("SELECT count(*) FROM seen"), lambda n: n >= RECORDS, timeout=60
        )
        await asyncio.sleep(1)  # anything read again would show up by now
    finally:
        watching.cancel()
        await broker.stop()
    # Then the stage did fail, and every record was applied exactly once
    assert flaky.left == 0
    rows = await pool.fetch("SELECT case_id, count(*) AS n FROM seen GROUP BY case_id")
    assert {r["case_id"] for r in rows} == {e.case_id for e in events}
    assert {r["n"] for r in rows} == {1}
    # And each partition's stored position is the end of the partition: nothing skipped
    positions = await pool.fetch(
        "SELECT partition, next_offset FROM consumer_positions WHERE consumer_group = $1", group
    )
    assert sum(r["next_offset"] for r in positions) == RECORDS
