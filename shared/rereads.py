"""The consumer's last line of defence: a position never passes a record it has not seen.

A record reaches the handler only if everything before it worked: the client, FastStream's
parser and decoder, every middleware. If any of them loses a batch, the next batch of that
partition starts past the stored position (PostgreSQL's, shared.tracking), and storing it
would skip the lost records for good. So a batch that starts past the stored position is
checked against the log: if the log holds records in between, the partition is held back and
read again from its stored position. Offsets can also be missing for good reasons (a
transactional producer's markers, compaction, retention): then the batch is applied."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.tracking import Record

Partition = tuple[str, int]
R = TypeVar("R", bound=Record)

HoldsRecords = Callable[[str, int, int, int], Awaitable[bool]]
"""Whether the log holds a record of (topic, partition) at an offset in [start, end)."""


async def trusting(topic: str, partition: int, start: int, end: int) -> bool:
    """For a consumer fed by hand (tests, tools): every gap is taken as real."""
    return False


@dataclass(frozen=True)
class Split(Generic[R]):
    """A batch cut in two: the records to settle now, and where to read other partitions again."""

    now: list[R]
    reread: dict[Partition, int]


def gaps(stored: Mapping[Partition, int], records: Sequence[R]) -> dict[Partition, tuple[int, int]]:
    """Each partition whose first record is past its stored position: (stored, first offset)."""
    first: dict[Partition, int] = {}
    for r in records:
        key = (r.topic, r.partition)
        first[key] = min(first.get(key, r.offset), r.offset)
    return {
        key: (stored.get(key, 0), offset)
        for key, offset in first.items()
        if offset > stored.get(key, 0)
    }


async def split(
    stored: Mapping[Partition, int], records: Sequence[R], holds_records: HoldsRecords
) -> Split[R]:
    """Holds back each partition whose batch skipped records the log holds."""
    reread = {
        key: start
        for key, (start, end) in gaps(stored, records).items()
        if await holds_records(*key, start, end)
    }
    return Split([r for r in records if (r.topic, r.partition) not in reread], reread)
