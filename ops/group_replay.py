"""`relais replay`: points a consumer group at a topic's history from a point in time, so a
consuming service (member portal, notifications, billing, a new one) reads it from there.

The group's committed offsets are set to the first offset at or after the time on each
partition. Kafka only accepts this while the group has no active member (stop the consumer
first). A Relais service's group is refused: its positions live in PostgreSQL with its
projection, and its way to re-read history is `relais rebuild`. So a replay changes Kafka's
committed offsets of the group and nothing else.

Before they are overwritten, the group's offsets are recorded (ops.replay_records) with the
new ones, when, by whom and why; ``undo`` commits the recorded ones again. A dry run shows
the change and makes none."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from confluent_kafka.admin import AdminClient

from ops import kafka, replay_records
from ops.operator import who
from ops.replay_records import Committed
from ops.services import names
from shared.settings import Settings


class ReplayRefused(RuntimeError):
    """The group cannot be moved (a Relais service's, or one with active members)."""


@dataclass(frozen=True)
class GroupPosition:
    partition: int
    offset: int  # where the group starts after the replay
    end: int
    before: int | None = None  # its committed offset before (None: it had none)

    @property
    def to_read(self) -> int:
        return self.end - self.offset


@dataclass(frozen=True)
class Undone:
    """What an undo restored: the replay it undid and the offsets put back."""

    record: replay_records.ReplayRecord
    restored: dict[int, int]
    group_deleted: bool  # the group had no offsets before: it is gone again
    left: dict[int, int]  # partitions with no offset before, which Kafka cannot unset alone


async def group_state(settings: Settings, group: str) -> str:
    """Kafka's state of a consumer group: 'Empty' or 'Dead' when nobody consumes in it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([group])
        state: str = response.groups[0][2]
        return state
    finally:
        await admin.close()


async def committed(settings: Settings, group: str) -> dict[TopicPartition, int]:
    """Every offset the group has committed (on any topic)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        found = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}


async def _movable(settings: Settings, group: str) -> None:
    if group in names():
        raise ReplayRefused(
            f"{group!r} is a Relais service: its positions are stored with its projection; "
            f"use `relais rebuild {group}` to rebuild it from the log"
        )
    state = await group_state(settings, group)
    if state not in ("Empty", "Dead"):
        raise ReplayRefused(f"group {group!r} is {state}: stop its consumers first")


async def replay(
    settings: Settings,
    topic: str,
    group: str,
    since: datetime | None,
    *,
    dry_run: bool = False,
    reason: str = "",
) -> list[GroupPosition]:
    """Sets ``group``'s offsets on ``topic`` to ``since`` (or the beginning), after recording
    the ones it had; with ``dry_run``, only says what would change."""
    await _movable(settings, group)
    before = await committed(settings, group)
    async with kafka.reader(settings.kafka_bootstrap_servers, group_id=group) as consumer:
        tps = await kafka.partitions(settings.kafka_bootstrap_servers, [topic])
        if not tps:
            raise ReplayRefused(f"topic {topic!r} does not exist")
        starts = await kafka.starts(consumer, tps, since)
        ends = await kafka.ends(consumer, tps)
        positions = [
            GroupPosition(tp.partition, starts[tp], ends[tp], before.get(tp)) for tp in tps
        ]
        if dry_run:
            return positions
        conn = await asyncpg.connect(settings.ops_dsn())
        try:
            await replay_records.save(
                conn,
                group=group,
                topic=topic,
                by=who(),
                reason=reason,
                since=since.isoformat() if since else "earliest",
                before={p.partition: p.before for p in positions},
                after={p.partition: p.offset for p in positions},
            )
        finally:
            await conn.close()
        consumer.assign(tps)
        note = f"relais replay from {since.isoformat() if since else 'the beginning'}"
        stamp = f"{note} at {datetime.now(UTC).isoformat()}"
        await consumer.commit({tp: OffsetAndMetadata(starts[tp], stamp) for tp in tps})
    return positions


async def undo(settings: Settings, group: str) -> Undone:
    """Commits again the offsets ``group`` had before its latest replay not yet undone."""
    await _movable(settings, group)
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        record = await replay_records.last(conn, group)
        if record is None:
            raise LookupError(f"no replay of group {group!r} is recorded that is not undone yet")
        restored, unset = _split(record.before)
        now = await committed(settings, group)
        on_topic = {tp.partition: o for tp, o in now.items() if tp.topic == record.topic}
        others = [tp for tp in now if tp.topic != record.topic]
        deleted = False
        if not restored and not others:
            # The group did not exist before the replay (no offsets at all): remove it again.
            await _delete_group(settings, group)
            deleted = True
        elif restored:
            tps = {TopicPartition(record.topic, p): o for p, o in restored.items()}
            async with kafka.reader(settings.kafka_bootstrap_servers, group_id=group) as consumer:
                consumer.assign(list(tps))
                stamp = f"relais replay --undo of replay {record.id} at {datetime.now(UTC)}"
                await consumer.commit({tp: OffsetAndMetadata(o, stamp) for tp, o in tps.items()})
        await replay_records.mark_undone(conn, record.id, who())
    finally:
        await conn.close()
    left = {} if deleted else {p: on_topic[p] for p in unset if p in on_topic}
    return Undone(record, restored, deleted, left)


def _split(before: Committed) -> tuple[dict[int, int], list[int]]:
    """The partitions that had an offset (to restore), and those that had none."""
    had = {p: o for p, o in before.items() if o is not None}
    return had, [p for p, o in before.items() if o is None]


async def _delete_group(settings: Settings, group: str) -> None:
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap_servers})
    futures = admin.delete_consumer_groups([group], request_timeout=15)
    await asyncio.to_thread(futures[group].result, 30)
