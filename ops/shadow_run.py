"""What rebuild and verify share: a shadow schema filled from the log and caught up with the
live projection, then brought exactly to a cut taken while the live writers are paused."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from ops import bulk, cut, growth_records, kafka, schemas, skips, swap
from ops.growth_phases import Growth, phases
from ops.kafka import Offsets
from ops.parallel import run_parallel
from ops.progress import Observer
from ops.replayer import Replayer
from ops.services import Service
from shared.settings import Settings

# Close enough to the live projection to pause its writers and replay the rest meanwhile.
CLOSE_ENOUGH = 2000
MAX_ROUNDS = 10
# Below this many events, starting worker processes costs more than it saves.
PARALLEL_ABOVE = 50_000


@dataclass
class ShadowRun:
    service: Service
    ops: asyncpg.Connection
    pool: asyncpg.Pool
    consumer: AIOKafkaConsumer
    replayer: Replayer
    shadow: str
    tables: list[str]
    live_tps: list[TopicPartition]
    own_tps: list[TopicPartition]
    workers: int = 1
    # False for a schema already filled (a kept projection brought up to date on rollback):
    # no bulk pass, its tables and indexes stay as they are.
    fresh: bool = True
    # The growths of the topics replayed (ops/growth_phases.py): replayed in phases.
    growths: list[Growth] = field(default_factory=list)

    async def targets(self, conn: asyncpg.Connection | None = None) -> Offsets:
        return await cut.targets(
            conn or self.ops,
            self.consumer,
            schema=self.service.schema,
            group=self.service.group,
            live=self.live_tps,
            own=self.own_tps,
        )

    async def catch_up(self, observer: Observer) -> None:
        """Replays the log into the empty shadow (see schemas.prepare_bulk; the topics a bulk
        loader takes as COPY + set-based SQL, see ops.bulk), then again through the handlers
        until the shadow is within CLOSE_ENOUGH events of the live projection."""
        first = self.fresh
        if first:
            logged = bulk.filled_in_bulk(self.service.name)
            indexes = await schemas.prepare_bulk(self.ops, self.shadow, logged)
        for round_ in range(MAX_ROUNDS):
            stop = await self.targets()
            remaining = self.replayer.remaining(stop)
            if round_ > 0 and remaining <= CLOSE_ENOUGH:
                return
            observer.phase("replaying the log" if round_ == 0 else "catching up", remaining)
            await self.learn_dead_letters()
            if round_ == 0 and first:
                workers = self.workers if remaining > PARALLEL_ABOVE else 1
                # The bulk pass takes the first phase (all of the log when nothing grew).
                head = self.phases(stop)[0]
                todo = await bulk.load(self.replayer, head, observer.advance, workers)
                await self.replay(todo, observer)
            await self.replay(stop, observer)
            if round_ == 0 and first:
                observer.phase("building indexes, logging tables")
                await schemas.end_bulk(self.pool, self.shadow, indexes)

    def phases(self, stop: Offsets) -> list[Offsets]:
        return phases(stop, self.replayer.positions, self.growths)

    async def replay(self, stop: Offsets, observer: Observer) -> None:
        """Replays to ``stop``, in phases where a topic grew (ops/growth_phases.py)."""
        for part in self.phases(stop):
            remaining = self.replayer.remaining(part)
            if self.workers > 1 and remaining > PARALLEL_ABOVE:
                await run_parallel(self.replayer, part, self.workers, observer.advance)
            else:
                await self.replayer.run(part, observer.advance)

    async def read_cut(self) -> tuple[Offsets, list[ConsumerRecord[Any, Any]]]:
        """While the live writers are paused: where the live projection stands, and the own
        facts still waiting in its outbox. The outbox is read first: the relay keeps
        publishing and deleting, and a row gone from the outbox by then was acknowledged by
        Kafka before, so the log end read next covers it (a row in both is applied twice,
        harmlessly). The other way round, a row could slip between the two reads."""
        own_topics = [s.topic for s in self.service.own_sources]
        pending = await cut.pending_facts(self.ops, self.service.schema, own_topics)
        await self.learn_dead_letters()
        return await self.targets(), pending

    async def learn_dead_letters(self) -> None:
        """The records the service dead-lettered so far: the replay skips them, as live."""
        bootstrap = self.replayer.bootstrap
        self.replayer.skip = frozenset(
            await skips.dead_lettered(self.ops, bootstrap, self.service.name)
        )

    async def replay_to(
        self, stop: Offsets, pending: list[ConsumerRecord[Any, Any]], observer: Observer
    ) -> None:
        """Brings the shadow exactly to a cut."""
        observer.phase("final catch-up", self.replayer.remaining(stop) + len(pending))
        for part in self.phases(stop):
            await self.replayer.run(part, observer.advance)
        await self.replayer.apply_pending(pending)
        observer.advance(len(pending))


@contextlib.asynccontextmanager
async def shadow_run(
    settings: Settings,
    service: Service,
    shadow: str,
    since: datetime | None,
    workers: int = 1,
    *,
    existing: bool = False,
) -> AsyncIterator[ShadowRun]:
    """An empty shadow of the service's schema, ready to replay from ``since`` (or the start);
    or, ``existing``, a kept projection ready to replay from the positions stored in it."""
    dsn = settings.ops_dsn()
    ops = await asyncpg.connect(dsn, server_settings=schemas.STABLE_TEXT)
    try:
        tables = await schemas.projection_tables(ops, service.schema)
        if existing:
            target = await schemas.attach(ops, dsn, live=service.schema, shadow=shadow)
        else:
            target = await schemas.create(
                ops, dsn, live=service.schema, shadow=shadow, migrations=service.migrations
            )
        try:
            bootstrap = settings.kafka_bootstrap_servers
            async with kafka.reader(bootstrap) as consumer:
                replayer = Replayer(service, target, bootstrap)
                live = await kafka.partitions(bootstrap, [s.topic for s in service.live_sources])
                own = await kafka.partitions(bootstrap, [s.topic for s in service.own_sources])
                replayer.positions = await kafka.starts(consumer, live + own, since)
                topics = sorted({tp.topic for tp in live + own})
                if existing:
                    stored = await swap.stored_positions(ops, shadow)
                    replayer.positions.update({tp: stored[tp] for tp in live + own if tp in stored})
                yield ShadowRun(
                    service,
                    ops,
                    target.pool,
                    consumer,
                    replayer,
                    shadow,
                    tables,
                    live,
                    own,
                    workers,
                    fresh=not existing,
                    growths=await growth_records.growths(ops, topics),
                )
        finally:
            await target.pool.close()
    finally:
        await ops.close()
