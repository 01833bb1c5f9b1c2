"""What a service has not done yet: where its consumer group stands on each partition it
consumes (the position stored with its projection, which is the one that counts, and the
offset committed to Kafka) against the log end; its outbox backlog; its dead letters.

Measured from outside the service (`relais lag`, as the ops role, each service's schema named)
and from inside it (its ops endpoints, shared/ops_http.py): the schema is the service's name,
so the same queries serve both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared import dead_letters
from shared import kafka_reads as kafka
from shared.db import Conn, quoted
from shared.kafka_reads import Offsets, committed_offsets

POSITIONS = """
SELECT topic, partition, next_offset FROM {schema}.consumer_positions
WHERE consumer_group = $1 AND topic = ANY($2::text[])"""
OUTBOX = """
SELECT count(*) AS rows, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age
FROM {schema}.outbox"""


@dataclass(frozen=True)
class PartitionLag:
    service: str
    topic: str
    partition: int
    position: int
    committed: int | None
    end: int

    @property
    def lag(self) -> int:
        return max(0, self.end - self.position)


@dataclass(frozen=True)
class Backlog:
    service: str
    deployed: bool
    outbox_rows: int = 0
    outbox_age_s: float = 0.0
    dead_letters: int = 0


async def live_positions(
    conn: Conn, schema: str, group: str, tps: Sequence[TopicPartition]
) -> Offsets:
    """Where the live consumer group stands (0 where it never consumed)."""
    topics = sorted({tp.topic for tp in tps})
    rows = await conn.fetch(POSITIONS.format(schema=quoted(schema)), group, topics)
    stored = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    return {tp: stored.get(tp, 0) for tp in tps}


async def partition_lags(
    conn: Conn,
    consumer: AIOKafkaConsumer,
    admin: AIOKafkaAdminClient,
    bootstrap: str,
    service: str,
    topics: Sequence[str],
) -> list[PartitionLag]:
    """Every partition of ``topics`` the service's group (named after it) consumes."""
    tps = await kafka.partitions(bootstrap, topics)
    stored = await live_positions(conn, service, service, tps)
    committed = await committed_offsets(admin, service)
    ends = await kafka.ends(consumer, tps)
    return [
        PartitionLag(service, tp.topic, tp.partition, stored[tp], committed.get(tp), ends[tp])
        for tp in tps
    ]


async def backlog(conn: Conn, consumer: AIOKafkaConsumer, bootstrap: str, service: str) -> Backlog:
    """The service's outbox rows (and the age of the oldest) and its dead letters in Kafka."""
    row = await conn.fetchrow(OUTBOX.format(schema=quoted(service)))
    assert row is not None
    dlq = await kafka.partitions(bootstrap, [dead_letters.topic_for(service)])
    first = await kafka.starts(consumer, dlq)
    last = await kafka.ends(consumer, dlq)
    return Backlog(
        service,
        deployed=True,
        outbox_rows=int(row["rows"]),
        outbox_age_s=float(row["age"]),
        dead_letters=sum(last[tp] - first[tp] for tp in dlq),
    )
