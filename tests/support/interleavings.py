"""Order tolerance, for any projection: every way a rebuild (or live consumption) may deliver a
set of events, and a way to apply them and look at the result.

Kafka keeps order per partition only, and a case's events share a partition on each topic, so
what is guaranteed is: the events of one case on one topic arrive in order. Everything else
varies: which topic is read first, how cases interleave, how deliveries are batched, and
(at least once) whether a batch comes again — possibly much later, as a redriven dead letter
does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import ConsumerRecord
from hypothesis import strategies as st

from shared.batch import Apply, Delivery
from shared.codec import encode
from shared.db import Conn
from shared.events import Event


@dataclass(frozen=True)
class Step:
    """One delivery: a batch of events of one topic."""

    topic: str
    events: tuple[Event, ...]


def in_order(streams: Mapping[str, Sequence[Event]]) -> list[Step]:
    """The canonical delivery: each topic whole, in the mapping's order, one event a batch."""
    return [Step(topic, (e,)) for topic, events in streams.items() for e in events]


@st.composite
def interleavings(draw: st.DrawFn, streams: Mapping[str, Sequence[Event]]) -> list[Step]:
    """A delivery of ``streams`` (topic -> its events, in log order) as Kafka may make it."""
    queues: dict[tuple[str, str], list[Event]] = {}
    for topic, events in streams.items():
        for event in events:
            queues.setdefault((topic, event.message_key), []).append(event)
    steps: list[Step] = []
    while queues:
        topic = draw(st.sampled_from(sorted({t for t, _ in queues})))
        batch: list[Event] = []
        for i, key in enumerate(sorted(k for k in queues if k[0] == topic)):
            take = draw(st.integers(1 if i == 0 else 0, len(queues[key])))
            batch += queues[key][:take]
            del queues[key][:take]
            if not queues[key]:
                del queues[key]
        order = draw(st.permutations(range(len(batch))))
        steps.append(Step(topic, tuple(batch[i] for i in order)))
        if draw(st.integers(0, 3)) == 0:
            # At least once: an earlier batch comes again (a redelivery, or a dead letter
            # redriven later), after newer events of the same cases.
            steps.append(steps[draw(st.integers(0, len(steps) - 1))])
    return steps


def record(topic: str, event: Event, offset: int = 0) -> ConsumerRecord[Any, Any]:
    """The Kafka record an event arrives in."""
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=event.message_key.encode(),
        value=encode(event),
        checksum=None,
        serialized_key_size=-1,
        serialized_value_size=-1,
        headers=[],
    )


async def apply_steps(conn: Conn, handlers: Mapping[str, Apply], steps: Sequence[Step]) -> None:
    """Applies each step with its topic's handler, one transaction per step (as batches are)."""
    for step in steps:
        deliveries = [Delivery(e, record(step.topic, e)) for e in step.events]
        async with conn.transaction():
            await handlers[step.topic](conn, deliveries)


async def rows(conn: Conn, tables: Sequence[str]) -> dict[str, list[str]]:
    """Every row of the tables (as text, sorted): what 'the same final state' compares."""
    return {
        t: sorted(r["row"] for r in await conn.fetch(f"SELECT t::text AS row FROM {t} AS t"))
        for t in tables
    }
