"""Replaying a log whose topics grew (`relais partitions grow`) in the order it was written.

A replay reads a topic's partitions side by side. Before a growth, a case's events of a topic
are in one partition; after it, in another. The growth drained every reader first, so the
log has a clean cut: in each old partition, the records before the cut were all written
before any record after it, or any record of a new partition. Replaying in phases, each topic
up to its first cut, then up to its next one, then to the end, gives every case its events
of each topic in the order they were written. (Between topics a replay never promised an
order: the projections are built to take their topics in any order, as live.)"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiokafka import TopicPartition

Offsets = dict[TopicPartition, int]


@dataclass(frozen=True)
class Growth:
    """A topic grew from ``before`` partitions; ``cut``: where each of them ended then."""

    topic: str
    before: int
    cut: Mapping[int, int]


def phases(
    stop: Mapping[TopicPartition, int],
    positions: Mapping[TopicPartition, int],
    growths: Sequence[Growth],
) -> list[Offsets]:
    """The stops to replay one after the other to reach ``stop``: phase i reads each topic up
    to its i-th growth's cut (its partitions added by that growth not at all: they stay at
    their ``positions``), the last phase to ``stop``. A single phase when nothing grew."""
    by_topic: dict[str, list[Growth]] = {}
    for growth in growths:
        by_topic.setdefault(growth.topic, []).append(growth)
    rounds = max((len(g) for g in by_topic.values()), default=0)
    found: list[Offsets] = []
    for i in range(rounds):
        phase: Offsets = {}
        for tp, end in stop.items():
            mine = by_topic.get(tp.topic, [])
            if i >= len(mine):
                phase[tp] = end
            elif tp.partition < mine[i].before:
                phase[tp] = min(end, mine[i].cut.get(tp.partition, end))
            else:  # added by this growth: read in a later phase
                phase[tp] = min(end, positions.get(tp, 0))
        found.append(phase)
    found.append(dict(stop))
    return found
