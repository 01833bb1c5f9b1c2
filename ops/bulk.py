"""A rebuild's first pass in bulk: a service with a bulk loader (shared.bulk) gets its big
first replay into the empty shadow as COPY + set-based SQL instead of one upsert per event.

The replayer reads the loader's topics as usual (the same dead-letter skip list and own-facts
filter as the handlers get); the loader reads each chunk into rows (the records it cannot vouch
for are decoded by the contract), copied (binary COPY) into UNLOGGED staging tables while the
next chunk is fetched. Then one
transaction merges the staging tables into the projection tables, applies through the
handlers whatever the loader left (undecodable records are dead-lettered exactly as live), and
stores the positions. The service's other topics are left to the handlers (``rest``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from ops.kafka import Offsets
from ops.replayer import Part, Progress, Replayer
from services.routing import bulk as routing_bulk
from shared import tracking
from shared.batch import settle
from shared.bulk import BulkLoader, Record, Row
from shared.db import Conn
from shared.replay import replay_mode
from shared.service import Source

LOADERS: dict[str, BulkLoader] = {"routing": routing_bulk.LOADER}
# The merge sorts every staged row once: in memory, not in temporary files.
MERGE_SETTINGS = "SET LOCAL work_mem = '512MB'; SET LOCAL synchronous_commit = off"


@dataclass(frozen=True)
class Mark:
    """A position as shared.tracking stores it (the next offset is ``offset + 1``)."""

    topic: str
    partition: int
    offset: int


def split(replayer: Replayer, stop: Offsets) -> tuple[Offsets, Offsets]:
    """The partitions the service's loader takes (none without one), and the rest."""
    loader = LOADERS.get(replayer.service.name)
    mine = {
        tp: end
        for tp, end in stop.items()
        if loader is not None and replayer.source(tp).topic in loader.topics
    }
    return mine, {tp: end for tp, end in stop.items() if tp not in mine}


async def load(replayer: Replayer, stop: Offsets, progress: Progress) -> Offsets:
    """Loads the partitions of ``stop`` the service's loader takes into the (empty) shadow;
    returns the rest, for the handlers."""
    mine, rest = split(replayer, stop)
    todo = {tp: end for tp, end in mine.items() if replayer.positions[tp] < end}
    if todo:
        await BulkPass(replayer, LOADERS[replayer.service.name]).run(todo, progress)
    return rest


@dataclass
class Staging(Part):
    """A decoded chunk of a source: rows for the staging tables, and the deliveries and
    failures (decoded by the contract) of the records the loader did not vouch for."""

    rows: dict[str, list[Row]] = field(default_factory=dict)


class BulkPass:
    def __init__(self, replayer: Replayer, loader: BulkLoader) -> None:
        self.replayer = replayer
        self.loader = loader
        self._seq = 0
        self._leftovers: list[Part] = []

    async def run(self, stop: Offsets, progress: Progress) -> None:
        async with self.replayer.shadow.pool.acquire() as conn:
            for table in self.loader.tables:
                await conn.execute(f"DROP TABLE IF EXISTS {table.name}; {table.create()}")
            try:
                await self.replayer.run(stop, progress, partial(self._stage, conn), self._decode)
                await self._merge(conn, stop)
            finally:
                await conn.execute(
                    f"DROP TABLE IF EXISTS {', '.join(t.name for t in self.loader.tables)}"
                )
        self.replayer.positions.update(stop)

    def _decode(self, source: Source, records: list[Record]) -> Part:
        wanted = self.replayer.wanted(source, records)
        producer = None if source.live else self.replayer.service.name
        staged = self.loader.stage(source.topic, wanted, self._seq, producer)
        self._seq += len(wanted)
        # The contract decides about the rest, with the same own-facts filter as the handlers.
        rest = self.replayer.decode(source, staged.unvouched)
        skipped = len(records) - len(wanted)
        return Staging(source, records, rest.deliveries, rest.failures, skipped, staged.rows)

    async def _stage(self, conn: Conn, parts: list[Part]) -> None:
        counts = self.replayer.counts
        columns = {t.name: t.columns for t in self.loader.tables}
        for part in parts:
            assert isinstance(part, Staging)
            for table, rows in part.rows.items():
                if rows:
                    await conn.copy_records_to_table(table, records=rows, columns=columns[table])
            if part.deliveries or part.failures:
                self._leftovers.append(Part(part.source, [], part.deliveries, part.failures))
            counts.skipped += part.skipped
            counts.applied += (
                len(part.records) - part.skipped - len(part.failures) - len(part.deliveries)
            )

    async def _merge(self, conn: Conn, stop: Offsets) -> None:
        """One transaction: the merge, the leftovers through the handlers, the positions."""
        service = self.replayer.service
        counts = self.replayer.counts
        async with conn.transaction():
            await conn.execute(MERGE_SETTINGS)
            for table in self.loader.tables:
                await conn.execute(f"ANALYZE {table.name}")
            for statement in self.loader.merge:
                await conn.execute(statement)
            # Order tolerant writes: the handlers' leftovers may come after the merge.
            with replay_mode():
                for part in self._leftovers:
                    failed = await settle(
                        conn,
                        service=service.name,
                        group=service.group,
                        apply=part.source.apply,
                        records=(),
                        deliveries=part.deliveries,
                        failures=part.failures,
                    )
                    counts.dead_lettered += len(failed)
                    counts.applied += len(part.deliveries) + len(part.failures) - len(failed)
            await tracking.advance(conn, service.group, marks(stop))


def marks(stop: Offsets) -> list[Mark]:
    """The positions of partitions read up to ``stop``."""
    return [Mark(tp.topic, tp.partition, end - 1) for tp, end in stop.items() if end > 0]
