"""Replaying with several processes: decoding and validating events is Python work bound to
one core per process, so a large replay splits the partitions between worker processes.

Worker i takes partition numbers p with p % workers == i, on every topic: a case's events
share a partition number on every topic (the key is the case id), so no two workers ever
write the same case. Each worker opens its own pool on the shadow and its own Kafka reader
and stores positions with its rows, like the single-process replayer; the parent follows
progress from those positions, and terminates the workers if it is cancelled (their open
transactions roll back, so the shadow stays consistent)."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.queues import SimpleQueue

from aiokafka import TopicPartition

from ops import schemas
from ops.kafka import Offsets, split
from ops.pipeline import Progress
from ops.replayer import Counts, Replayer
from ops.services import load
from shared.settings import Settings

POSITIONS = "SELECT topic, partition, next_offset FROM consumer_positions WHERE consumer_group = $1"


@dataclass(frozen=True)
class Job:
    service: str
    dsn: str
    schema: str
    role: str
    bootstrap: str
    topic_names: dict[str, str]
    positions: Offsets
    stop: Offsets
    skip: frozenset[str]


def work(job: Job, results: SimpleQueue[Counts]) -> None:
    """A worker process: replays its share, reports its counts."""
    results.put(asyncio.run(_replay(job)))


async def _replay(job: Job) -> Counts:
    service = load(job.service, Settings())
    pool = await schemas.connect(job.dsn, job.schema, job.role, size=2)
    try:
        shadow = schemas.Shadow(job.dsn, job.schema, job.role, pool)
        replayer = Replayer(service, shadow, job.bootstrap, topic_names=job.topic_names)
        replayer.positions = dict(job.positions)
        replayer.skip = job.skip
        await replayer.run(job.stop, lambda _n: None)
        return replayer.counts
    finally:
        await pool.close()


async def run_parallel(
    replayer: Replayer, stop: Mapping[TopicPartition, int], workers: int, progress: Progress
) -> None:
    """Like ``replayer.run`` with the work split between ``workers`` processes."""
    shadow = replayer.shadow
    context = multiprocessing.get_context("spawn")
    results: SimpleQueue[Counts] = context.SimpleQueue()
    processes = []
    for share in split(stop, workers):
        job = Job(
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
        processes.append(context.Process(target=work, args=(job, results), daemon=True))
    try:
        for process in processes:
            process.start()
        done = 0
        while any(p.is_alive() for p in processes):
            await asyncio.sleep(0.3)
            now = await _replayed(replayer, stop)
            progress(now - done)
            done = now
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"a replay worker failed (exit codes {failed}); see its traceback")
    while not results.empty():
        counts = results.get()
        replayer.counts.applied += counts.applied
        replayer.counts.dead_lettered += counts.dead_lettered
        replayer.counts.skipped += counts.skipped
    replayer.positions.update(await _stored(replayer, stop))


async def _stored(replayer: Replayer, stop: Mapping[TopicPartition, int]) -> Offsets:
    """The shadow's positions on the partitions of ``stop`` (the workers commit them)."""
    rows = await replayer.shadow.pool.fetch(POSITIONS, replayer.service.group)
    found = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    return {tp: max(found.get(tp, 0), replayer.positions[tp]) for tp in stop}


async def _replayed(replayer: Replayer, stop: Mapping[TopicPartition, int]) -> int:
    stored = await _stored(replayer, stop)
    return sum(stored[tp] - replayer.positions[tp] for tp in stop)
