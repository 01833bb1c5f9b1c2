"""What a service offers to have its projection built in bulk by a rebuild's first pass
(ops.bulk): the big first replay into empty tables, without one upsert per event.

A loader reads the records of some of the service's topics itself, vouching only for events it
can read exactly as the contract does (services.routing.bulk.mirrors), and turns them into rows
that are copied (binary COPY) into staging tables while the log is still being read; then its
merge statements fold the staging tables into the empty projection tables with the handlers'
semantics (latest wins by the same keys, a duplicate changes nothing). The records it does not
vouch for are decoded by the contract and applied by the handlers after the merge, undecodable
ones dead-lettered as live: a loader is only allowed for a projection whose writes are order
tolerant."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from aiokafka import ConsumerRecord

Row = tuple[Any, ...]
Record: TypeAlias = ConsumerRecord[Any, Any]


@dataclass
class Staged:
    """What a loader made of some records: rows per staging table, and the records it does
    not vouch for (left to the handlers), by their index in what it was given."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    unvouched: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Latest:
    """Rows a stager keeps only the latest of, per key, and copies once its share is read:
    the merge then sorts one row per key and stager, not one per event. The highest ``rank``
    wins; an exact tie keeps the row read first (rows come in ``seq`` order), as the merge and
    the handlers do."""

    key: Callable[[Row], Hashable]
    rank: Callable[[Row], Any]


@dataclass(frozen=True)
class StagingTable:
    """An UNLOGGED table in the shadow schema, dropped once merged. Its first column is
    ``seq``, the event's rank in the order the log was read (the merge keeps the first of an
    exact tie, as the handlers keep the first applied)."""

    name: str
    columns: tuple[str, ...]
    definition: str
    latest: Latest | None = None  # copied as it comes, unless only the latest per key counts

    def create(self) -> str:
        return f"CREATE UNLOGGED TABLE {self.name} ({self.definition})"


Stage = Callable[[str, Sequence[bytes | None], int, str | None], Staged]
"""(contract topic, the records' values, seq of the first, producer) -> rows and the unvouched
records.
``producer`` is set for a topic of the service's own facts: events of other producers are
ignored, as the replayer ignores them."""


@dataclass(frozen=True)
class Merge:
    """A statement that fills one empty projection table from the staging tables."""

    table: str
    statement: str


@dataclass(frozen=True)
class BulkLoader:
    topics: frozenset[str]
    tables: tuple[StagingTable, ...]
    stage: Stage
    # Statements writing distinct rows (two may fill one table: each half of its keys), run
    # two at a time.
    merge: tuple[Merge, ...]
