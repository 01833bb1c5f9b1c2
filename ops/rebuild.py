"""`relais rebuild`: a service's projection rebuilt from the log while the live one serves,
then swapped in atomically.

1. A shadow schema ``<service>_rebuild`` is made by the service's own migrations.
2. The replayer fills it from the log (replay mode: no decisions, nothing published), then
   catches up with the live projection until it is a few thousand events behind.
3. The live writers are paused (see ops.cut), the shadow is brought to the exact cut, and in
   the same transaction the schemas are swapped: the live schema becomes
   ``<service>_previous``, the shadow takes its name, and the live outbox and consumed
   positions move into it (pending messages and positions carry on). Live sessions resolve
   table names again after the rename; the paused writers resume on the new tables.
4. ``<service>_previous`` is dropped (kept with ``keep_previous``).

Cancelling at any point before the swap commits rolls the pause back: the live projection is
untouched; the shadow stays until the next rebuild replaces it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ops import schemas
from ops.cut import writers_paused
from ops.progress import Observer, Silent
from ops.schemas import quoted
from ops.services import load
from ops.shadow_run import shadow_run
from reporting import install as reporting_install
from shared import faults
from shared.settings import Settings

SWAP = """
ALTER SCHEMA {live} RENAME TO {previous};
ALTER SCHEMA {shadow} RENAME TO {live};
DROP TABLE {live}.outbox, {live}.consumer_positions;
ALTER TABLE {previous}.outbox SET SCHEMA {live};
ALTER TABLE {previous}.consumer_positions SET SCHEMA {live};
"""
ATTEMPTS = 3


@dataclass(frozen=True)
class Rebuilt:
    service: str
    events: int
    dead_lettered: int
    skipped: int
    seconds: float
    paused_seconds: float
    in_bulk: int = 0  # of the events, those a bulk loader staged (ops.bulk)


async def rebuild(
    settings: Settings,
    name: str,
    *,
    since: datetime | None = None,
    observer: Observer | None = None,
    keep_previous: bool = False,
    workers: int = 1,
) -> Rebuilt:
    """Rebuilds ``name``'s projection from the log and swaps it in; returns what it did."""
    observer = observer or Silent()
    service = load(name, settings)
    live, shadow, previous = (
        service.schema,
        f"{service.schema}_rebuild",
        f"{service.schema}_previous",
    )
    started = time.monotonic()
    async with shadow_run(settings, service, shadow, since, workers) as run:
        await schemas.drop(run.ops, previous)
        await run.catch_up(observer)
        for attempt in range(1, ATTEMPTS + 1):
            observer.phase("pausing live writers")
            try:
                async with writers_paused(run.ops, live, run.tables):
                    paused_at = time.monotonic()
                    stop, pending = await run.read_cut()
                    await run.replay_to(stop, pending, observer)
                    observer.phase("swapping")
                    await schemas.require_logged(run.ops, shadow)
                    await run.ops.execute(
                        SWAP.format(
                            live=quoted(live), shadow=quoted(shadow), previous=quoted(previous)
                        )
                    )
                    faults.point("rebuild.swapping")  # crash: swapped, not committed
                paused = time.monotonic() - paused_at
                break
            except asyncpg.DeadlockDetectedError:
                # A live writer took the locks in the other order; it went on, try again.
                if attempt == ATTEMPTS:
                    raise
        faults.point("rebuild.swapped")  # crash: swapped, views and previous left behind
        # The BI views still read the replaced tables: point them at the new ones first.
        await reporting_install.reinstall(settings)
        if not keep_previous:
            await schemas.drop(run.ops, previous)
        counts = run.replayer.counts
    return Rebuilt(
        name,
        counts.read,
        counts.dead_lettered,
        counts.skipped,
        time.monotonic() - started,
        paused,
        counts.in_bulk,
    )
