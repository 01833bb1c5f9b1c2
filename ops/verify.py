"""`relais verify`: proves a live projection is what its log says, without touching it.

The projection is rebuilt from the log into scratch tables (``<service>_verify``), brought to
a cut taken while the live writers pause for an instant; a REPEATABLE READ snapshot of the live
projection taken at that instant is compared with it, table by table (checksums, then the
first differing rows of a table that differs). The scratch schema is dropped afterwards."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ops import compare, schemas
from ops.compare import TableComparison
from ops.cut import writers_paused
from ops.progress import Observer, Silent
from ops.services import load
from ops.shadow_run import shadow_run
from shared.settings import Settings


@dataclass(frozen=True)
class Verdict:
    service: str
    events: int
    seconds: float
    tables: list[TableComparison]

    @property
    def identical(self) -> bool:
        return all(t.same for t in self.tables)


async def verify(
    settings: Settings,
    name: str,
    *,
    observer: Observer | None = None,
    rows: int = 5,
    workers: int = 1,
    since: datetime | None = None,
) -> Verdict:
    """Rebuilds ``name``'s projection into scratch tables (from ``since``, or the whole log)
    and compares it with the live one."""
    observer = observer or Silent()
    service = load(name, settings)
    scratch = f"{service.schema}_verify"
    started = time.monotonic()
    snapshot = await asyncpg.connect(settings.ops_dsn(), server_settings=schemas.STABLE_TEXT)
    try:
        async with shadow_run(settings, service, scratch, since, workers) as run:
            await run.catch_up(observer)
            observer.phase("taking a snapshot of the live projection")
            as_of = snapshot.transaction(isolation="repeatable_read")
            async with writers_paused(run.ops, service.schema, run.tables):
                stop, pending = await run.read_cut()
                await as_of.start()
                await snapshot.execute("SELECT 1")  # the snapshot is taken here, writers paused
            # Tables and views: a view reads as its readers read it (routing's ``cases``, once a
            # table, over the two tables it was split into: its checksum carries on).
            compared = sorted(run.tables + await schemas.projection_views(run.ops, scratch))
            live = asyncio.create_task(compare.checksums(snapshot, service.schema, compared))
            await run.replay_to(stop, pending, observer)
            observer.phase("comparing")
            async with run.pool.acquire() as conn:
                rebuilt = await compare.checksums(conn, scratch, compared)
            live_sums = await live
            differing = [t for t in compared if live_sums[t] != rebuilt[t]]
            for table in differing:
                await compare.keep_copy(snapshot, service.schema, table)
            await as_of.commit()
            tables = [
                TableComparison(
                    t,
                    live_sums[t],
                    rebuilt[t],
                    await compare.differences(snapshot, scratch, t, rows) if t in differing else [],
                )
                for t in compared
            ]
            await schemas.drop(run.ops, scratch)
            counts = run.replayer.counts
    finally:
        await snapshot.close()
    return Verdict(name, counts.read, time.monotonic() - started, tables)
