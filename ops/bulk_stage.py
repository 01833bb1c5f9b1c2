"""The reading half of a bulk pass (ops.bulk): a service's bulk loader turns the records of its
topics into rows, copied (binary COPY) into the staging tables while the replayer fetches the
next chunk."""

from __future__ import annotations

from dataclasses import dataclass, field

from ops.kafka import Offsets
from ops.replayer import Part, Progress, Replayer
from shared.bulk import BulkLoader, Record, Row
from shared.db import Conn
from shared.service import Source


@dataclass
class Staging(Part):
    """A chunk of a source: rows for the staging tables, the records the loader left."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    unvouched: list[Record] = field(default_factory=list)


class Stager:
    def __init__(self, replayer: Replayer, loader: BulkLoader, conn: Conn) -> None:
        self.replayer = replayer
        self.loader = loader
        self.conn = conn
        self.seq = 0  # the rank of the next event read
        # The records the loader did not vouch for: the handlers apply them after the merge.
        self.unvouched: list[Record] = []
        self._columns = {t.name: t.columns for t in loader.tables}

    async def stage(self, stop: Offsets, progress: Progress) -> None:
        """Stages every record of ``stop``'s partitions from the replayer's positions."""
        await self.replayer.run(stop, progress, self._copy, self._read)

    def _read(self, source: Source, records: list[Record]) -> Part:
        wanted = self.replayer.wanted(source, records)  # the dead-letter skip list, as live
        producer = None if source.live else self.replayer.service.name
        staged = self.loader.stage(source.topic, wanted, self.seq, producer)
        self.seq += len(wanted)
        skipped = len(records) - len(wanted)
        return Staging(source, records, [], [], skipped, staged.rows, staged.unvouched)

    async def _copy(self, parts: list[Part]) -> None:
        counts = self.replayer.counts
        for part in parts:
            assert isinstance(part, Staging)
            for table, rows in part.rows.items():
                if rows:
                    await self.conn.copy_records_to_table(
                        table, records=rows, columns=self._columns[table]
                    )
            self.unvouched += part.unvouched
            vouched = len(part.records) - part.skipped - len(part.unvouched)
            counts.skipped += part.skipped
            counts.applied += vouched
            counts.in_bulk += vouched
