"""Phase 2: what the bare tools do on this machine, in this run — raw aiokafka produce and
`getmany` drain of ~500-byte messages, asyncpg COPY and batched upsert of projection-like rows.
Every pipeline figure is reported as a ratio to these."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench import pgload
from bench.context import Bench
from bench.drivers import DirectDriver, raw_producer
from bench.endpoint import Endpoints, LogEndpoint
from bench.steps import run_step
from bench.tracker import Trackers
from shared.events import PARTITIONS

SEND_WINDOW = 20_000  # futures gathered per window: bounded memory, many batches in flight


async def with_topic(bootstrap: str, name: str, create: bool) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-bench")
    await admin.start()
    try:
        if create:
            await admin.create_topics([NewTopic(name, PARTITIONS, 1)])
        else:
            await admin.delete_topics([name])
    finally:
        await admin.close()


async def produce(bootstrap: str, topic: str, count: int, size: int) -> dict[str, Any]:
    """Sends ``count`` keyed messages of ``size`` bytes; the rate counts up to the last ack."""
    payload = os.urandom(size)
    keys = [str(uuid.uuid4()).encode() for _ in range(1024)]
    producer = raw_producer(bootstrap)
    await producer.start()
    try:
        started = time.perf_counter()
        for window in range(0, count, SEND_WINDOW):
            futures = [
                await producer.send(topic, payload, key=keys[i % len(keys)])
                for i in range(window, min(count, window + SEND_WINDOW))
            ]
            await asyncio.gather(*futures)
        seconds = time.perf_counter() - started
    finally:
        await producer.stop()
    return figure(count, size, seconds)


async def drain(bootstrap: str, topic: str, count: int, size: int) -> dict[str, Any]:
    """Reads the topic from the start with `getmany` and no processing, until ``count``."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen = 0
        started = time.perf_counter()
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000)
            seen += sum(len(records) for records in batch.values())
        seconds = time.perf_counter() - started
    finally:
        await consumer.stop()
    return figure(seen, size, seconds)


def figure(count: int, size: int, seconds: float) -> dict[str, Any]:
    return {
        "messages": count,
        "bytes_each": size,
        "seconds": round(seconds, 3),
        "rate_per_s": round(count / seconds, 1),
        "mb_per_s": round(count * size / seconds / 1e6, 2),
    }


async def latency(bench: Bench, topic: str) -> dict[str, Any]:
    """One raw hop: an event produced open-loop (relay settings) until a tail consumer reads it.
    The pipeline's latency is a chain of such hops plus the services' work."""
    config = bench.config
    trackers = Trackers(["raw kafka"])
    endpoint = Endpoints(bench.bootstrap, [LogEndpoint("raw kafka", topic)])
    driver = DirectDriver(bench.bootstrap, config.members, config.seed, topic=topic)
    await endpoint.start(trackers)
    await driver.start()
    try:
        step = await run_step(
            driver, trackers, config.hop_rate, config.hop_seconds, config, bench.resources
        )
    finally:
        await driver.stop()
        await endpoint.stop()
    return {"rate_per_s": step["target_per_s"], **step["latency"]["raw kafka"]}


async def kafka(bench: Bench) -> dict[str, Any]:
    """Produce then drain the same fresh topic (deleted afterwards: it is not part of the log)."""
    config = bench.config
    topic = f"bench.raw-{uuid.uuid4().hex[:8]}"
    await with_topic(bench.bootstrap, topic, create=True)
    try:
        produced = await produce(
            bench.bootstrap, topic, config.kafka_messages, config.message_bytes
        )
        drained = await drain(bench.bootstrap, topic, config.kafka_messages, config.message_bytes)
        hop = await latency(bench, topic)
    finally:
        await with_topic(bench.bootstrap, topic, create=False)
    return {"kafka_produce": produced, "kafka_drain": drained, "kafka_hop_latency": hop}


async def run(bench: Bench) -> dict[str, Any]:
    results = await kafka(bench)
    results.update(await pgload.run(bench.pool, bench.config))
    return results
