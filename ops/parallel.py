"""Replaying with several processes: decoding and validating events is Python work bound to
one core per process, so a large replay splits the partitions between worker processes
(ops.workers, the same mechanism as the bulk pass's staging).

Worker i takes partition numbers p with p % workers == i, on every topic: a case's events
share a partition number on every topic (the key is the case id), so no two workers ever
write the same case. Each worker opens its own pool on the shadow and its own Kafka reader
and stores positions with its rows, like the single-process replayer, and reports its
progress and counts; if the replay is cancelled or a worker fails, the workers are killed
(their open transactions roll back, so the shadow stays consistent)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiokafka import TopicPartition

from ops import schemas, workers
from ops.kafka import Offsets, split
from ops.pipeline import Progress
from ops.replayer import Counts, Replayer
from ops.services import load
from shared.settings import Settings

POSITIONS = "SELECT topic, partition, next_offset FROM consumer_positions WHERE consumer_group = $1"


@dataclass(frozen=True)
class ReplayJob:
    """A share of the partitions, replayed through the handlers by a worker process."""

    service: str
    dsn: str
    schema: str
    role: str
    bootstrap: str
    topic_names: dict[str, str]
    positions: Offsets
    stop: Offsets
    skip: frozenset[str]

    async def run(self, progress: Progress) -> Counts:
        service = load(self.service, Settings())
        pool = await schemas.connect(self.dsn, self.schema, self.role, size=2)
        try:
            shadow = schemas.Shadow(self.dsn, self.schema, self.role, pool)
            replayer = Replayer(service, shadow, self.bootstrap, topic_names=self.topic_names)
            replayer.positions = dict(self.positions)
            replayer.skip = self.skip
            await replayer.run(self.stop, progress)
            return replayer.counts
        finally:
            await pool.close()


async def run_parallel(
    replayer: Replayer, stop: Mapping[TopicPartition, int], processes: int, progress: Progress
) -> None:
    """Like ``replayer.run`` with the work split between ``processes`` worker processes."""
    shadow = replayer.shadow
    jobs: list[workers.Job] = [
        ReplayJob(
            replayer.service.name,
            shadow.dsn,
            shadow.schema,
            shadow.role,
            replayer.bootstrap,
            replayer.topic_names,
            {tp: replayer.positions[tp] for tp in share},
            share,
            replayer.skip,
        )
        for share in split(stop, processes)
    ]
    for counts in await workers.run_all(jobs, progress):
        replayer.counts.applied += counts.applied
        replayer.counts.dead_lettered += counts.dead_lettered
        replayer.counts.skipped += counts.skipped
    replayer.positions.update(await _stored(replayer, stop))


async def _stored(replayer: Replayer, stop: Mapping[TopicPartition, int]) -> Offsets:
    """The shadow's positions on the partitions of ``stop`` (the workers commit them)."""
    rows = await replayer.shadow.pool.fetch(POSITIONS, replayer.service.group)
    found = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    return {tp: max(found.get(tp, 0), replayer.positions[tp]) for tp in stop}
