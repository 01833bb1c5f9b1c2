"""The part of the log a crash scenario wrote: every topic read from where it ended before the
scenario to where it ends once the stack is quiet, each record with its event id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka import TopicPartition

from shared import dead_letters
from shared.events import (
    ADMIN_TASKS,
    CASE_ACTIVITY,
    ESCALATED,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
    SLA,
)
from shared.kafka_reads import partitions
from tests.support.kafka import connected

FACTS = (
    REQUEST_RECEIVED,
    ROUTED,
    CASE_ACTIVITY,
    ESCALATED,
    RESOLVED,
    ADMIN_TASKS,
    SLA,
    ORGANISATION,
)
DEAD_LETTERS = tuple(dead_letters.topic_for(s) for s in ("intake", "routing", "advisory", "admin"))
TOPICS = (*FACTS, *DEAD_LETTERS)

Marks = dict[TopicPartition, int]


@dataclass(frozen=True)
class Fact:
    topic: str
    event_id: str
    value: bytes
    event: dict[str, Any]


async def marks(bootstrap: str) -> Marks:
    """Where every topic ends now."""
    consumer = await connected(bootstrap)
    try:
        ends: Marks = await consumer.end_offsets(await partitions(bootstrap, TOPICS))
        return ends
    finally:
        await consumer.stop()


async def since(bootstrap: str, start: Marks) -> list[Any]:
    """Every record from ``start`` to the end of each partition as it is now (from the first
    record of a partition added since: `relais partitions grow`, tests/scale)."""
    consumer = await connected(bootstrap)
    records: list[Any] = []
    now = await partitions(bootstrap, sorted({tp.topic for tp in start}))
    start = {tp: start.get(tp, 0) for tp in now}
    try:
        ends: Marks = await consumer.end_offsets(list(start))
        todo = {tp for tp in start if ends[tp] > start[tp]}
        consumer.assign(sorted(todo, key=lambda tp: (tp.topic, tp.partition)))
        for tp in todo:
            consumer.seek(tp, start[tp])
        while todo:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, got in batch.items():
                records += [r for r in got if r.offset < ends[tp]]
                if got and got[-1].offset >= ends[tp] - 1:
                    todo.discard(tp)
        return records
    finally:
        await consumer.stop()


def facts(records: list[Any]) -> list[Fact]:
    """The contract's events among the records (dead letters are left out)."""
    found = []
    for r in records:
        if r.topic not in FACTS:
            continue
        event = orjson.loads(r.value)
        found.append(Fact(r.topic, str(event["event_id"]), r.value, event))
    return found


def redone_differently(found: list[Fact]) -> list[str]:
    """Event ids published more than once with different contents (a redelivery publishes
    the same bytes again: that is at-least-once, not a second effect)."""
    versions: dict[tuple[str, str], set[bytes]] = defaultdict(set)
    for fact in found:
        versions[(fact.topic, fact.event_id)].add(fact.value)
    return [f"{t} {e}: {len(v)} versions" for (t, e), v in versions.items() if len(v) > 1]
