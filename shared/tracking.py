"""Consumed positions, stored with the projection rows they produced (same transaction).

A message whose offset is below the stored next offset of its partition was already applied:
redelivery after a crash or a rebalance is a no-op.

With several instances of a service, a partition changes hands at a rebalance while its old
owner may still be applying a batch it fetched before: both could read the same stored
position and apply the same records. So a batch first locks its partitions (an advisory lock
per group, topic and partition, until its transaction ends) and only then reads their
positions, in a statement of its own (whose snapshot sees the other's commit): the second of
two batches over one partition waits for the first and skips what it applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from shared.db import Conn

LOAD = """
SELECT topic, partition, next_offset FROM consumer_positions
WHERE consumer_group = $1 AND topic = ANY($2::text[])"""
# Apart from the other two-key advisory locks (shared.locks: 3 advisory's cases, 4 admin's
# tasks, 5 routing's offices); always taken first in a consumer's transaction, so it cannot
# close a ring with them.
PARTITION_LOCKS = 100
LOCK_PARTITIONS = """
SELECT count(pg_advisory_xact_lock($1, k))
FROM (SELECT DISTINCT hashtext($2 || '/' || t || '/' || p::text) AS k
      FROM unnest($3::text[], $4::int[]) AS x(t, p) ORDER BY k) AS keys"""
ADVANCE = """
INSERT INTO consumer_positions (consumer_group, topic, partition, next_offset, updated_at)
SELECT $1, t, p, o, now() FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, o)
ON CONFLICT (consumer_group, topic, partition) DO UPDATE
SET next_offset = GREATEST(consumer_positions.next_offset, excluded.next_offset),
    updated_at = now()"""


class Record(Protocol):
    """What tracking needs of a Kafka record (aiokafka's ConsumerRecord has it)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


R = TypeVar("R", bound=Record)
Position = tuple[str, int]


async def positions(conn: Conn, group: str, records: Sequence[Record]) -> dict[Position, int]:
    """The stored next offset of each partition of these records' topics that has one, once
    the records' partitions are locked for the caller's transaction (see the module's
    docstring)."""
    await lock_partitions(conn, group, records)
    topics = sorted({r.topic for r in records})
    rows = await conn.fetch(LOAD, group, topics)
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def lock_partitions(conn: Conn, group: str, records: Sequence[Record]) -> None:
    """Locks the records' partitions, for ``group``, until the caller's transaction ends."""
    held = sorted({(r.topic, r.partition) for r in records})
    if held:
        await conn.fetchval(
            LOCK_PARTITIONS, PARTITION_LOCKS, group, [t for t, _ in held], [p for _, p in held]
        )


def not_applied(stored: Mapping[Position, int], records: Sequence[R]) -> list[R]:
    """The records at or past their partition's stored next offset."""
    return [r for r in records if r.offset >= stored.get((r.topic, r.partition), 0)]


async def unseen(conn: Conn, group: str, records: Sequence[R]) -> list[R]:
    """The records not yet applied by this consumer group."""
    return not_applied(await positions(conn, group, records), records)


async def advance(conn: Conn, group: str, records: Sequence[Record]) -> None:
    """Moves each partition's position past the last of these records."""
    highest: dict[tuple[str, int], int] = {}
    for r in records:
        key = (r.topic, r.partition)
        highest[key] = max(highest.get(key, -1), r.offset)
    if not highest:
        return
    keys = list(highest)
    await conn.execute(
        ADVANCE,
        group,
        [t for t, _ in keys],
        [p for _, p in keys],
        [highest[k] + 1 for k in keys],
    )
