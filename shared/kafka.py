"""Kafka clients as Relais uses them: idempotent producers and explicit consumer options."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.before_handlers import Rescuers, parse_batch
from shared.partitioner import partition
from shared.rereads import HoldsRecords
from shared.settings import Settings


def new_producer(settings: Settings) -> AIOKafkaProducer:
    """Idempotent (acks=all, no duplicates from the producer's own retries), batched sends;
    Kafka's default partitioning, computed faster (shared.partitioner)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=256 * 1024,
        request_timeout_ms=10_000,
        client_id="relais-outbox",
        partitioner=partition,
        metadata_max_age_ms=settings.kafka_metadata_max_age_ms,
    )


def new_broker(settings: Settings, service: str, rescuers: Rescuers) -> KafkaBroker:
    """The FastStream broker of a service. Types are not applied by FastStream: handlers decode
    each message themselves so one bad message goes to the dead-letter topic, not the batch.
    ``rescuers``: who takes a batch FastStream fails on before a handler
    (shared.before_handlers)."""
    return KafkaBroker(
        # A list: FastStream takes a comma-separated string for one host (several brokers).
        settings.kafka_bootstrap_servers.split(","),
        middlewares=[rescuers.middleware],
        apply_types=False,
        client_id=f"relais-{service}",
        description=f"Relais {service} service",
        # FastStream logs every message at INFO: far too much at thousands per second.
        log_level=logging.DEBUG,
        # FastStream would otherwise create a missing topic when a subscriber starts, with one
        # partition and the broker's retention: the contract's topics are provisioned
        # explicitly (shared.provision: 6 partitions, kept forever).
        allow_auto_create_topics=False,
        # Its consumers see added partitions within this (shared.settings).
        metadata_max_age_ms=settings.kafka_metadata_max_age_ms,
    )


# With a batch window, a fetch waits for this much data (or the window) before answering.
WINDOW_MIN_BYTES = 256 * 1024


def consumer_options(group: str, settings: Settings, window_ms: int = 0) -> dict[str, Any]:
    """Explicit delivery semantics for every projection consumer.

    MANUAL ack: the offset is committed only after the PostgreSQL transaction that stored the
    rows and the position has committed (FastStream's default commits before the handler
    runs: at most once). Batches amortise one commit over many messages.

    ``window_ms``: for a service off the latency-critical path, the broker holds each fetch
    until it has WINDOW_MIN_BYTES or the window has passed, so batches are large and few
    (every batch costs a transaction and ~a dozen round trips, whatever its size)."""
    window = (
        {"fetch_min_bytes": WINDOW_MIN_BYTES, "fetch_max_wait_ms": window_ms} if window_ms else {}
    )
    return {
        **window,
        "group_id": group,
        "batch": True,
        # Headers are the producers' to set: a record's `reply_to` must not make FastStream
        # publish the handler's result anywhere.
        "no_reply": True,
        "parser": parse_batch,
        "ack_policy": AckPolicy.MANUAL,
        "auto_offset_reset": "earliest",
        "max_records": settings.consumer_max_records,
        # FastStream's batch loop sleeps batch_timeout_ms after an empty getmany, and records
        # arriving meanwhile wait: at 50 ms that added up to 50 ms to a quiet pipeline's
        # latency. Under load getmany is never empty, so this costs no throughput.
        "batch_timeout_ms": 5,
        "max_poll_interval_ms": 300_000,
        "session_timeout_ms": settings.consumer_session_timeout_ms,
        "heartbeat_interval_ms": settings.consumer_heartbeat_interval_ms,
    }


def log_reader(bootstrap_servers: str) -> HoldsRecords:
    """Asks the log whether a partition holds a record in [start, end) (shared.rereads). Only
    called when a batch skipped offsets, which never happens in normal operation."""

    async def holds_records(topic: str, partition: int, start: int, end: int) -> bool:
        reader = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            enable_auto_commit=False,
            # Retention may have deleted ``start``: the log's first record answers then.
            auto_offset_reset="earliest",
        )
        await reader.start()
        try:
            where = TopicPartition(topic, partition)
            reader.assign([where])
            reader.seek(where, start)
            # The partition holds at least the record at ``end``: no answer is a slow broker,
            # not an empty log, and is raised as such (the batch is retried).
            found = await reader.getmany(where, timeout_ms=10_000, max_records=1)
            if not found.get(where):
                raise TimeoutError(f"no answer reading {topic}-{partition} from {start}")
            return bool(found[where][0].offset < end)
        finally:
            await reader.stop()

    return holds_records
