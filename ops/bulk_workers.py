"""A bulk pass's staging split between processes (ops.bulk_stage): checking events and making
rows is Python work bound to one core per process, and one process left the machine's second
core a third idle while PostgreSQL copied. The partitions are shared by partition number
(ops.kafka.split); this process stages the first share, each other share is staged by a
worker process (ops.workers) with its own Kafka reader and connection, copying into the same
staging tables. Cancelling the pass kills the workers: their COPYs roll back with them, and
the staging tables are dropped by the pass anyway."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from ops import schemas, workers
from ops.bulk_loaders import LOADERS
from ops.bulk_stage import Outcome, Plan, Stager
from ops.kafka import Offsets, split
from ops.pipeline import Progress
from shared.db import Conn

# A worker's events rank after this process's (Stager.seq): as if the shares were read in turn.
SEQ_SPAN = 1 << 40


@dataclass(frozen=True)
class StageJob:
    """A share of the partitions, staged by a worker process on its own connection."""

    plan: Plan
    dsn: str
    schema: str
    role: str
    start: Offsets
    stop: Offsets
    first_seq: int

    async def run(self, progress: Progress) -> Outcome:
        conn: Conn = await asyncpg.connect(
            self.dsn,
            server_settings={
                "search_path": self.schema,
                "role": self.role,
                "application_name": f"relais-ops-{self.schema}-stager",
                **schemas.STABLE_TEXT,
            },
        )
        try:
            stager = Stager(self.plan, LOADERS[self.plan.service], conn, self.first_seq)
            return await stager.stage(self.start, self.stop, progress)
        finally:
            await conn.close()


async def stage_all(
    plan: Plan,
    conn: Conn,
    shadow: schemas.Shadow,
    start: Offsets,
    stop: Offsets,
    progress: Progress,
    processes: int,
) -> Outcome:
    """Stages ``stop``'s partitions from ``start``: the first share here, on ``conn``, the
    others in worker processes. The outcomes in share order (each partition's order kept)."""
    shares = split({tp: end for tp, end in stop.items() if start[tp] < end}, processes)
    loader = LOADERS[plan.service]
    if len(shares) <= 1:
        return await Stager(plan, loader, conn).stage(start, stop, progress)
    jobs: list[workers.Job] = [
        StageJob(plan, shadow.dsn, shadow.schema, shadow.role, start, share, i * SEQ_SPAN)
        for i, share in enumerate(shares[1:], start=1)
    ]
    children = asyncio.ensure_future(workers.run_all(jobs, progress))
    try:
        outcome = await Stager(plan, loader, conn).stage(start, shares[0], progress)
        for child in await children:
            outcome.add(child)
    finally:
        if not children.done():
            children.cancel()  # the workers are killed on the way out of run_all
            await asyncio.gather(children, return_exceptions=True)
    return outcome
