"""The replayer: applies a service's sources from the log into a shadow schema, fast.

The handlers that apply each source's facts (``Source.apply``; never the ones that decide, so
nothing is decided again and nothing new is published), through the live consumer's
``shared.batch.settle`` (poison isolation, dead letters, positions). Fetching and decoding
(CPU, in Python) overlap with the writes (PostgreSQL, another process, see ops.pipeline):
decoded chunks are read ahead while the previous are written, each chunk one transaction of
thousands of events with set-based statements. Positions are stored in the shadow with the
rows, as a live consumer does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from ops import kafka
from ops.gc_relaxed import relaxed_gc
from ops.kafka import Offsets
from ops.pipeline import Progress, overlapped
from ops.schemas import Shadow
from ops.services import Service
from shared import dead_letters
from shared.batch import Delivery, Failure, decode_all, settle
from shared.service import Source

DEADLOCK_ATTEMPTS = 5  # a chunk failed by PostgreSQL's deadlock detector, tried again


@dataclass
class Part:
    """Records of one source in a chunk, decoded."""

    source: Source
    records: list[ConsumerRecord[Any, Any]]
    deliveries: list[Delivery] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: int = 0


@dataclass
class Counts:
    applied: int = 0
    dead_lettered: int = 0
    skipped: int = 0
    in_bulk: int = 0  # of the applied, those a bulk loader staged (ops.bulk)

    @property
    def read(self) -> int:
        return self.applied + self.dead_lettered + self.skipped


def claimed_by(record: ConsumerRecord[Any, Any], service: str) -> bool:
    """Whether a record's value names ``service`` as its producer, however else it is wrong."""
    try:
        envelope = orjson.loads(record.value or b"")
    except orjson.JSONDecodeError:
        return False
    return isinstance(envelope, dict) and envelope.get("producer") == service


class Replayer:
    def __init__(
        self,
        service: Service,
        shadow: Shadow,
        bootstrap: str,
        *,
        topic_names: Mapping[str, str] | None = None,
        batch: int = 8000,
    ) -> None:
        self.service = service
        self.shadow = shadow
        self._pool = shadow.pool
        self.bootstrap = bootstrap
        self.topic_names = dict(topic_names or {})
        self._sources = {self.topic_names.get(s.topic, s.topic): s for s in service.sources}
        self._batch = batch
        self.positions: Offsets = {}
        self.counts = Counts()
        # Records the service dead-lettered live (dead_letters.record_id): skipped, as live.
        self.skip: frozenset[str] = frozenset()

    @property
    def kafka_topics(self) -> list[str]:
        return list(self._sources)

    def source(self, topic: str) -> Source:
        """The source read from a Kafka topic (a bench or test may rename the contract's)."""
        return self._sources[topic]

    def remaining(self, stop: Mapping[TopicPartition, int]) -> int:
        return sum(max(0, end - self.positions.get(tp, end)) for tp, end in stop.items())

    async def run(self, stop: Mapping[TopicPartition, int], progress: Progress) -> None:
        """Reads each partition from its position up to ``stop`` (exclusive) and applies it."""
        todo = {tp: end for tp, end in stop.items() if self.positions.get(tp, end) < end}
        if not todo:
            return

        async def write(parts: list[Part]) -> None:
            await self._apply(parts, track=True)
            progress(sum(len(p.records) for p in parts))

        with relaxed_gc():
            async with kafka.reader(self.bootstrap) as consumer:
                consumer.assign(list(todo))
                for tp in todo:
                    consumer.seek(tp, self.positions[tp])
                await overlapped(self._chunks(consumer, todo), write)

    async def apply_pending(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        """Applies own facts still waiting in the live outbox (they have no offset yet)."""
        by_source: dict[str, list[ConsumerRecord[Any, Any]]] = {}
        for record in records:
            by_source.setdefault(record.topic, []).append(record)
        parts = [self.decode(self._sources[t], rs) for t, rs in by_source.items()]
        await self._apply(parts, track=False)

    async def _chunks(
        self, consumer: AIOKafkaConsumer, todo: dict[TopicPartition, int]
    ) -> AsyncIterator[list[Part]]:
        while todo:
            batch = await consumer.getmany(timeout_ms=500, max_records=self._batch)
            by_source: dict[str, list[ConsumerRecord[Any, Any]]] = {}
            for tp, records in batch.items():
                end = todo.get(tp)
                if end is None:
                    continue
                if records and records[-1].offset >= end:
                    records = [r for r in records if r.offset < end]
                by_source.setdefault(tp.topic, []).extend(records)
            for tp in list(todo):
                if await consumer.position(tp) >= todo[tp]:
                    consumer.pause(tp)
                    del todo[tp]
            parts = [self.decode(self._sources[t], rs) for t, rs in by_source.items() if rs]
            if parts:
                yield parts

    def wanted(
        self, source: Source, records: list[ConsumerRecord[Any, Any]]
    ) -> list[ConsumerRecord[Any, Any]]:
        """The records but those the service dead-lettered live (skipped, as live)."""
        if not (self.skip and source.live):  # dead letters name records the consumer failed
            return records
        return [
            r
            for r in records
            if dead_letters.record_id(r.topic, r.partition, r.offset) not in self.skip
        ]

    def decode(self, source: Source, records: list[ConsumerRecord[Any, Any]]) -> Part:
        as_topic = None if dead_letters.is_redrive(source.topic) else source.topic
        wanted = self.wanted(source, records)
        deliveries, failures = decode_all(wanted, as_topic)
        if not source.live:  # own facts: only what this service published, not forgeries
            deliveries = [d for d in deliveries if d.event.producer == self.service.name]
            # An unreadable record is a failure of the rebuild only if it says it is the
            # service's own (e.g. a version this code cannot read): anything else on the
            # topic (another producer's poison) was never its fact, live or now.
            failures = [f for f in failures if claimed_by(f.record, self.service.name)]
        return Part(source, records, deliveries, failures, len(records) - len(wanted))

    async def _apply(self, parts: Sequence[Part], *, track: bool) -> None:
        # Replay processes working side by side (ops/parallel.py) update shared rows (a member
        # asks on cases in both processes' partitions) in different orders: PostgreSQL breaks
        # such a deadlock by failing one transaction, rolled back whole, so it is tried again.
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                failed = await self._transaction(parts, track=track)
                break
            except asyncpg.DeadlockDetectedError:
                if attempt == DEADLOCK_ATTEMPTS:
                    raise
                await asyncio.sleep(0.05 * attempt)
        self._count(parts, failed, track=track)

    async def _transaction(self, parts: Sequence[Part], *, track: bool) -> int:
        """Applies the parts in one transaction; the number of records dead-lettered."""
        async with self._pool.acquire() as conn, conn.transaction():
            # A crash loses the last chunks with their positions together: safe to not wait
            # for the disk at each commit. The swap's own commit is synchronous.
            await conn.execute("SET LOCAL synchronous_commit = off")
            failed = 0
            for part in parts:
                failures = await settle(
                    conn,
                    service=self.service.name,
                    group=self.service.group,
                    apply=part.source.apply,
                    records=part.records if track else (),
                    deliveries=part.deliveries,
                    failures=part.failures,
                )
                failed += len(failures)
        return failed

    def _count(self, parts: Sequence[Part], failed: int, *, track: bool) -> None:
        skipped = sum(p.skipped for p in parts)
        self.counts.applied += sum(len(p.records) for p in parts) - failed - skipped
        self.counts.dead_lettered += failed
        self.counts.skipped += skipped
        if track:
            for part in parts:
                for r in part.records:
                    tp = TopicPartition(r.topic, r.partition)
                    self.positions[tp] = max(self.positions.get(tp, 0), r.offset + 1)
