"""Where the harness sees a case arrive. Pluggable: the pipeline's end is the last end point of
``default_endpoints`` — advisory's projection once advisory exists; until then `routed` on the
log (routing has committed its projection and relayed its decision).

- ``LogEndpoint``: a case is visible when its event is readable on a topic.
- ``ProjectionEndpoint``: a case is visible when a service has committed the projection rows of
  the message carrying it — its stored consumer position (same transaction as the rows, see
  shared/tracking.py) passed the message's offset."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.tracker import Trackers, now
from services.catalog import BUILDERS
from shared.events import PARTITIONS, REQUEST_RECEIVED, ROUTED

POSITIONS = """
SELECT partition, next_offset FROM {schema}.consumer_positions
WHERE consumer_group = $1 AND topic = $2"""
POLL_S = 0.005


Handler = Callable[[list[Any], float], None]


class Tail:
    """One group-less consumer reading, from their current end, every topic the end points
    watch: one fetch request serves them all (the harness shares the machine with the
    pipeline: fewer requests, less CPU taken from it)."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._handlers: dict[str, list[Handler]] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    def on(self, topic: str, handler: Handler) -> None:
        self._handlers.setdefault(topic, []).append(handler)

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
        await consumer.start()
        partitions = [TopicPartition(t, p) for t in self._handlers for p in range(PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end now, not at the first fetch
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._read(consumer), name="bench-tail")

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=100)
            at = now()
            for tp, records in batch.items():
                for handler in self._handlers[tp.topic]:
                    handler(records, at)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()


class Endpoint(Protocol):
    name: str

    def attach(self, tail: Tail, trackers: Trackers) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class LogEndpoint:
    def __init__(self, name: str, topic: str) -> None:
        self.name = name
        self.topic = topic

    def attach(self, tail: Tail, trackers: Trackers) -> None:
        def seen(records: list[Any], at: float) -> None:
            tracker = trackers.by_name(self.name)
            for record in records:
                tracker.seen(record.key, at)

        tail.on(self.topic, seen)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


class ProjectionEndpoint:
    def __init__(self, name: str, pool: asyncpg.Pool, service: str, topic: str) -> None:
        self.name = name
        self.topic = topic
        self._pool = pool
        self._service = service
        self._pending: dict[int, deque[tuple[int, bytes]]] = {}
        self._committed: dict[int, int] = {}
        self._trackers: Trackers | None = None
        self._task: asyncio.Task[None] | None = None

    def attach(self, tail: Tail, trackers: Trackers) -> None:
        self._trackers = trackers

        def read(records: list[Any], _at: float) -> None:
            queue = self._pending.setdefault(records[0].partition, deque())
            queue.extend((r.offset, r.key) for r in records)
            self._release()

        tail.on(self.topic, read)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name=f"bench-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        sql = POSITIONS.format(schema=self._service)
        # One connection held for the run: a pool would add a reset round trip per poll.
        async with self._pool.acquire() as conn:
            while True:
                if any(self._pending.values()):  # idle: no queries (the database is shared)
                    rows = await conn.fetch(sql, self._service, self.topic)
                    self._committed = {r["partition"]: r["next_offset"] for r in rows}
                    self._release()
                await asyncio.sleep(POLL_S)

    def _release(self) -> None:
        assert self._trackers is not None
        at = now()
        tracker = self._trackers.by_name(self.name)
        for partition, queue in self._pending.items():
            committed = self._committed.get(partition, 0)
            while queue and queue[0][0] < committed:
                tracker.seen(queue.popleft()[1], at)


class Endpoints:
    """The end points of a run, sharing one tail consumer; the last is the pipeline's end."""

    def __init__(self, bootstrap: str, endpoints: list[Endpoint]) -> None:
        self.all = endpoints
        self._tail = Tail(bootstrap)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.all]

    async def start(self, trackers: Trackers) -> None:
        for endpoint in self.all:
            endpoint.attach(self._tail, trackers)
        await self._tail.start()
        for endpoint in self.all:
            await endpoint.start()

    async def stop(self) -> None:
        for endpoint in self.all:
            await endpoint.stop()
        await self._tail.stop()


def default_endpoints(bootstrap: str, pool: asyncpg.Pool) -> Endpoints:
    """routing's projection, `routed` on the log, then advisory's projection when it exists."""
    endpoints: list[Endpoint] = [
        ProjectionEndpoint("routing projection", pool, "routing", REQUEST_RECEIVED),
        LogEndpoint("routed on the log", ROUTED),
    ]
    if "advisory" in BUILDERS:
        endpoints.append(ProjectionEndpoint("advisory projection", pool, "advisory", ROUTED))
    return Endpoints(bootstrap, endpoints)
