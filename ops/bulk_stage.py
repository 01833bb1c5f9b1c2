"""The reading half of a bulk pass (ops.bulk): the loader's topics read with librdkafka
(ops.bulk_read), a service's bulk loader turning each chunk into rows, copied (binary COPY) into
the staging tables while the next chunk is read and checked (ops.pipeline).

A stager needs no service and no replayer, only a ``Plan``: worker processes (ops.bulk_workers)
run stagers of their own on shares of the partitions."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from confluent_kafka import Message

from ops import bulk_read
from ops.gc_relaxed import relaxed_gc
from ops.kafka import Offsets
from ops.pipeline import Progress, overlapped
from shared import dead_letters
from shared.bulk import BulkLoader, Latest, Record, Row
from shared.db import Conn


@dataclass(frozen=True)
class Plan:
    """What staging a share of the log takes (picklable, for a worker process)."""

    service: str  # whose loader stages (ops.bulk_loaders), and the producer of its own facts
    bootstrap: str
    sources: dict[str, tuple[str, bool]]  # Kafka topic -> (contract topic, live)
    skip: frozenset[str]  # records the service dead-lettered live (dead_letters.record_id)


@dataclass
class Outcome:
    """What a stager did: records read, skipped (dead-lettered live), staged; the records the
    loader did not vouch for, in their order (the handlers apply them after the merge)."""

    read: int = 0
    skipped: int = 0
    staged: int = 0
    unvouched: list[Record] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.read += other.read
        self.skipped += other.skipped
        self.staged += other.staged
        self.unvouched += other.unvouched


@dataclass
class Chunk:
    outcome: Outcome
    rows: dict[str, list[Row]] = field(default_factory=dict)


class Stager:
    def __init__(self, plan: Plan, loader: BulkLoader, conn: Conn, first_seq: int = 0) -> None:
        self.plan = plan
        self.loader = loader
        self.conn = conn
        # The rank of the next event read (the merge keeps the first of an exact tie): workers
        # start at distinct bases, as if their shares were read one after the other.
        self.seq = first_seq
        self.outcome = Outcome()
        self._columns = {t.name: t.columns for t in loader.tables}
        # Tables of which only the latest row per key is copied, at the end (shared.bulk.Latest).
        self._latest: dict[str, tuple[Latest, dict[Hashable, Row]]] = {
            t.name: (t.latest, {}) for t in loader.tables if t.latest is not None
        }

    async def stage(self, start: Offsets, stop: Offsets, progress: Progress) -> Outcome:
        """Stages every record of ``stop``'s partitions from ``start``."""

        async def copy(chunk: Chunk) -> None:
            await self._copy(chunk)
            progress(chunk.outcome.read)

        chunks = bulk_read.read(self.plan.bootstrap, start, stop)
        with relaxed_gc():
            await overlapped((self._chunk(messages) async for messages in chunks), copy)
        for table, (_, kept) in self._latest.items():
            await self._copy_rows(table, list(kept.values()))
        return self.outcome

    def _chunk(self, messages: bulk_read.Chunk) -> Chunk:
        chunk = Chunk(Outcome())
        for topic, part in messages.items():
            chunk.outcome.read += len(part)
            contract_topic, live = self.plan.sources[topic]
            wanted = self._wanted(live, part)  # the dead-letter skip list, as live
            producer = None if live else self.plan.service
            values = [m.value() for m in wanted]
            staged = self.loader.stage(contract_topic, values, self.seq, producer)
            self.seq += len(wanted)
            chunk.outcome.skipped += len(part) - len(wanted)
            for table, rows in staged.rows.items():
                if table in self._latest:
                    self._keep_latest(table, rows)
                else:
                    chunk.rows.setdefault(table, []).extend(rows)
            chunk.outcome.unvouched += [bulk_read.as_record(wanted[i]) for i in staged.unvouched]
        outcome = chunk.outcome
        outcome.staged = outcome.read - outcome.skipped - len(outcome.unvouched)
        return chunk

    def _wanted(self, live: bool, messages: list[Message]) -> list[Message]:
        """The records but those the service dead-lettered live (dead letters name records a
        live consumer failed), as the replayer skips them."""
        skip = self.plan.skip
        if not (skip and live):
            return messages
        return [
            m
            for m in messages
            if dead_letters.record_id(m.topic() or "", m.partition() or 0, m.offset() or 0)
            not in skip
        ]

    def _keep_latest(self, table: str, rows: list[Row]) -> None:
        latest, kept = self._latest[table]
        key, rank = latest.key, latest.rank
        for row in rows:
            k = key(row)
            held = kept.get(k)
            if held is None or rank(row) > rank(held):  # a tie keeps the row read first
                kept[k] = row

    async def _copy(self, chunk: Chunk) -> None:
        for table, rows in chunk.rows.items():
            await self._copy_rows(table, rows)
        self.outcome.add(chunk.outcome)

    async def _copy_rows(self, table: str, rows: list[Row]) -> None:
        if rows:
            await self.conn.copy_records_to_table(table, records=rows, columns=self._columns[table])
