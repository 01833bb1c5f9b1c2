"""Consumed positions, stored with the projection rows they produced (same transaction).

A message whose offset is below the stored next offset of its partition was already applied:
redelivery after a crash or a rebalance is a no-op."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from shared.db import Conn

LOAD = """
SELECT topic, partition, next_offset FROM consumer_positions
WHERE consumer_group = $1 AND topic = ANY($2::text[])"""
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
    """The stored next offset of each partition of these records' topics that has one."""
    topics = sorted({r.topic for r in records})
    rows = await conn.fetch(LOAD, group, topics)
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


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
