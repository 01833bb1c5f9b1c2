"""Reading and writing the real broker from tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError

from shared.events import PARTITIONS
from shared.kafka_reads import partitions

Record = Any  # aiokafka.ConsumerRecord


async def connected(bootstrap: str, attempts: int = 30) -> AIOKafkaConsumer:
    """A started consumer. A broker that was just restarted (the outage test) can refuse
    connections for a few seconds after it logged that it started, more so on a busy machine."""
    for _ in range(attempts - 1):
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        try:
            await consumer.start()
            return consumer
        except KafkaConnectionError:
            await consumer.stop()
            await asyncio.sleep(1.0)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    return consumer


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """Where the topic ends now: read from here to see only what a test caused."""
    consumer = await connected(bootstrap)
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(
            await partitions(bootstrap, [topic])
        )
        return ends
    finally:
        await consumer.stop()


async def collect(
    bootstrap: str,
    topic: str,
    since: dict[TopicPartition, int],
    done: Callable[[list[Record]], bool],
    timeout: float = 30.0,
) -> list[Record]:
    """Reads ``topic`` from ``since`` until ``done(records)`` or the timeout; returns them all."""
    consumer = await connected(bootstrap)
    records: list[Record] = []
    try:
        consumer.assign(list(since))
        for tp, offset in since.items():
            consumer.seek(tp, offset)
        deadline = time.monotonic() + timeout
        while not done(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for msgs in batch.values():
                records.extend(msgs)
        return records
    finally:
        await consumer.stop()


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, v, key=k) for k, v in messages])
    finally:
        await producer.stop()


@asynccontextmanager
async def scratch_topics(bootstrap: str, names: list[str]) -> AsyncIterator[list[str]]:
    """Topics of a test's own, with the contract's partition count, deleted afterwards: what a
    test writes, moves or deletes there touches nothing a service or another test relies on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, PARTITIONS, 1) for n in names])
        try:
            yield names
        finally:
            await admin.delete_topics(names)
    finally:
        await admin.close()
