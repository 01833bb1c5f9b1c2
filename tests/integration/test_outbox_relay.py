"""The outbox relay publishes what was committed, in order, and empties the outbox."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared import outbox
from shared.kafka import new_producer
from shared.outbox import OutboxRelay, OutgoingMessage
from shared.settings import Settings
from tests.integration.conftest import ScratchFactory
from tests.support.kafka import collect


async def test_committed_messages_are_published_in_order_and_removed(
    scratch_schema: ScratchFactory, settings: Settings, bootstrap: str
) -> None:
    topic = f"it-outbox-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 1, 1)])
    pool = await scratch_schema("intake")
    try:
        # Given messages committed to the outbox, and one rolled back
        messages = [
            OutgoingMessage(topic, b"case-1", f"event-{i}".encode(), {"n": str(i)})
            for i in range(50)
        ]
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue(conn, messages)
        try:
            async with pool.acquire() as conn, conn.transaction():
                await outbox.enqueue(conn, [OutgoingMessage(topic, b"case-1", b"never", {})])
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        # When the relay runs
        relay = OutboxRelay(pool, f"it-{topic}", lambda: new_producer(settings))
        task = asyncio.create_task(relay.run())
        records = await collect(
            bootstrap, topic, {TopicPartition(topic, 0): 0}, lambda rs: len(rs) >= 50
        )
        await asyncio.sleep(0.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # Then exactly the committed messages are on the topic, in order, with their headers
        assert [r.value for r in records] == [m.value for m in messages]
        assert dict(records[7].headers)["n"] == b"7"
        async with pool.acquire() as conn:
            assert await outbox.backlog(conn) == (0, 0.0)
    finally:
        await admin.delete_topics([topic])
        await admin.close()
