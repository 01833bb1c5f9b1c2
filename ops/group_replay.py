"""`relais replay`: points a consumer group at a topic's history from a point in time, so a
consuming service (member portal, notifications, billing, a new one) reads it from there.

The group's committed offsets are set to the first offset at or after the time on each
partition. Kafka only accepts this while the group has no active member (stop the consumer
first). A Relais service's group is refused: its positions live in PostgreSQL with its
projection, and its way to re-read history is `relais rebuild`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from ops import kafka
from ops.services import names
from shared.settings import Settings


class ReplayRefused(RuntimeError):
    """The group cannot be moved (a Relais service's, or one with active members)."""


@dataclass(frozen=True)
class GroupPosition:
    partition: int
    offset: int
    end: int

    @property
    def to_read(self) -> int:
        return self.end - self.offset


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


async def replay(
    settings: Settings, topic: str, group: str, since: datetime | None
) -> list[GroupPosition]:
    """Sets ``group``'s offsets on ``topic`` to ``since`` (or the beginning)."""
    if group in names():
        raise ReplayRefused(
            f"{group!r} is a Relais service: its positions are stored with its projection; "
            f"use `relais rebuild {group}` to rebuild it from the log"
        )
    state = await group_state(settings, group)
    if state not in ("Empty", "Dead"):
        raise ReplayRefused(f"group {group!r} is {state}: stop its consumers first")
    async with kafka.reader(settings.kafka_bootstrap_servers, group_id=group) as consumer:
        tps = await kafka.partitions(settings.kafka_bootstrap_servers, [topic])
        if not tps:
            raise ReplayRefused(f"topic {topic!r} does not exist")
        starts = await kafka.starts(consumer, tps, since)
        ends = await kafka.ends(consumer, tps)
        consumer.assign(tps)
        note = f"relais replay from {since.isoformat() if since else 'the beginning'}"
        stamp = f"{note} at {datetime.now(UTC).isoformat()}"
        await consumer.commit({tp: OffsetAndMetadata(starts[tp], stamp) for tp in tps})
    return [GroupPosition(tp.partition, starts[tp], ends[tp]) for tp in tps]
