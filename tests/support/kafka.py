"""Reading and writing the real broker from tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaConnectionError

from shared.events import PARTITIONS

Record = Any  # aiokafka.ConsumerRecord
Client = Any  # an aiokafka consumer or producer (aiokafka ships no types)


async def started(client: Client, timeout: float = 30.0) -> None:
    """Starts a client, retrying while a just-restarted broker is not serving yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await client.start()
            return
        except KafkaConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """Where the topic ends now: read from here to see only what a test caused."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await started(consumer)
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
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
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await started(consumer)
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
    await started(producer)
    try:
        await asyncio.gather(*[await producer.send(topic, v, key=k) for k, v in messages])
    finally:
        await producer.stop()
