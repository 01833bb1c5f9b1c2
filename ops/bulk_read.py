"""The reading of a bulk pass (ops.bulk_stage): librdkafka, through confluent-kafka.

Its fetchers decode Kafka's record batches in C threads, beside the interpreter: a record costs
about 1 µs of Python instead of aiokafka's 5, and a first pass is bound by its own checking and
copying rather than by its client. Only this pass uses it: consumers, the handler rounds of a
rebuild and every other ops tool keep aiokafka. It reads exactly what they read (uncommitted
isolation, as aiokafka's default), commits nothing and joins no group."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from confluent_kafka import Consumer, KafkaError, KafkaException, Message
from confluent_kafka import TopicPartition as Partition

from ops.kafka import FETCH, Offsets

# Messages handed over per call (the chunk the stager checks and copies at once).
CHUNK = 8000

CONFIG: dict[str, Any] = {
    "client.id": "relais-ops-bulk",
    # librdkafka wants a group id even for assigned partitions; nothing is ever committed.
    "group.id": "relais-ops-bulk",
    "enable.auto.commit": False,
    "enable.auto.offset.store": False,
    "isolation.level": "read_uncommitted",
    # An end-of-partition event tells a partition whose last offsets are control records apart
    # from one still being fetched.
    "enable.partition.eof": True,
    # A start offset gone (retention deleted it meanwhile) fails the pass: never a silent jump.
    "auto.offset.reset": "error",
    "fetch.max.bytes": FETCH["fetch_max_bytes"],
    "max.partition.fetch.bytes": FETCH["max_partition_fetch_bytes"],
    # Prefetch up to 32 MiB, and fetch again as soon as the stager has taken some: by default a
    # full queue holds the next fetch back for a second, which left the reader idle.
    "queued.max.messages.kbytes": 32 * 1024,
    "fetch.queue.backoff.ms": 5,
    "log_level": 3,  # errors only: librdkafka logs to stderr
}


Chunk = dict[str, list[Message]]
"""Records by Kafka topic, each partition's in its order."""

# The broker out of reach: librdkafka reconnects by itself and reports these meanwhile.
TRANSIENT = frozenset(
    {
        KafkaError._TRANSPORT,
        KafkaError._ALL_BROKERS_DOWN,
        KafkaError._TIMED_OUT,
        KafkaError._RESOLVE,
    }
)
# ...for this long at most without a record: then the pass fails (and can be run again).
STALL_SECONDS = 60.0


async def read(
    bootstrap: str, start: Offsets, stop: Offsets, stall: float = STALL_SECONDS
) -> AsyncIterator[Chunk]:
    """Every record of the partitions of ``stop`` from ``start`` (inclusive) to ``stop``
    (exclusive), in chunks. Raises if no record came for ``stall`` seconds."""
    left = {(tp.topic, tp.partition): end for tp, end in stop.items() if start[tp] < end}
    if not left:
        return
    consumer = Consumer({**CONFIG, "bootstrap.servers": bootstrap})
    try:
        consumer.assign([Partition(t, p, start[TopicPartition(t, p)]) for t, p in left])
        last = time.monotonic()
        while left:
            if time.monotonic() - last > stall:
                raise TimeoutError(
                    f"no record from Kafka ({bootstrap}) for {stall:.0f} s, "
                    f"{len(left)} partitions left to read"
                )
            # What is already fetched is taken at once, in this thread: handing every chunk over
            # from another thread made staging ~8% slower. Only a wait for the next fetch (the
            # GIL released, in C) is left to a thread, off the event loop.
            messages = consumer.consume(CHUNK, 0)
            if not messages:
                messages = await asyncio.to_thread(consumer.consume, CHUNK, 0.5)
            chunk = _wanted(messages, left)
            if chunk:
                last = time.monotonic()
                yield chunk
    finally:
        await asyncio.to_thread(consumer.close)


def _wanted(messages: list[Message], left: dict[tuple[str, int], int]) -> Chunk:
    """The records before their partition's end, by topic; a partition is done (out of
    ``left``) once its last record before the end, or an end-of-partition at or past it, was
    seen. One pass: this runs for every record."""
    chunk: Chunk = {}
    for message in messages:
        topic, partition, offset = message.topic() or "", message.partition(), message.offset()
        key = (topic, partition or 0)
        end = left.get(key)
        if (error := message.error()) is not None:
            if error.code() != KafkaError._PARTITION_EOF:
                _raise_unless_transient(error)
            elif end is not None and (offset or 0) >= end:
                del left[key]
            continue
        if end is None:
            continue  # a partition already done: the rest is the next round's
        if (offset or 0) >= end:
            del left[key]  # past the end (its last offsets held no record): done
            continue
        if (same := chunk.get(topic)) is None:
            chunk[topic] = same = []
        same.append(message)
        if offset == end - 1:
            del left[key]
    return chunk


def _raise_unless_transient(error: KafkaError) -> None:
    """librdkafka recovers from what is transient itself (a broker away a moment: bounded by
    STALL_SECONDS); anything else ends the pass, which the shadow run then reports."""
    if error.fatal() or not (error.retriable() or error.code() in TRANSIENT):
        raise KafkaException(error)


def as_record(message: Message) -> ConsumerRecord[Any, Any]:
    """A record as aiokafka gives it, for the contract and the handlers (what a loader does not
    vouch for, and dead letters)."""
    kind, timestamp = message.timestamp()
    key, value = message.key(), message.value()
    return ConsumerRecord(
        topic=message.topic() or "",
        partition=message.partition() or 0,
        offset=message.offset() or 0,
        timestamp=timestamp,
        timestamp_type=max(kind - 1, 0),  # librdkafka counts "not available" as 0
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key) if key is not None else -1,
        serialized_value_size=len(value) if value is not None else -1,
        headers=tuple(message.headers() or ()),
    )
