"""`relais lag`: for each service, where its consumer group stands on each partition of the
topics it consumes (the position stored with its projection, which is the one that counts,
and the offset committed to Kafka), the log end, the lag; its outbox and dead-letter backlogs."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from ops import cut, kafka, schemas
from ops.services import Service, load, names
from shared import dead_letters
from shared.settings import Settings

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


async def lag(
    settings: Settings, only: list[str] | None = None
) -> tuple[list[PartitionLag], list[Backlog]]:
    """Every partition of every service (or of ``only``), and each service's backlogs."""
    partitions: list[PartitionLag] = []
    backlogs: list[Backlog] = []
    ops = await asyncpg.connect(settings.ops_dsn())
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        bootstrap = settings.kafka_bootstrap_servers
        async with kafka.reader(bootstrap) as consumer:
            for name in only or names():
                service = load(name, settings)
                if await ops.fetchval(schemas.OWNER, service.schema) is None:
                    backlogs.append(Backlog(name, deployed=False))
                    continue
                tps = await kafka.partitions(bootstrap, [s.topic for s in service.live_sources])
                stored = await cut.live_positions(ops, service.schema, service.group, tps)
                committed = await committed_offsets(admin, service.group)
                ends = await kafka.ends(consumer, tps)
                partitions += [
                    PartitionLag(
                        name, tp.topic, tp.partition, stored[tp], committed.get(tp), ends[tp]
                    )
                    for tp in tps
                ]
                backlogs.append(await backlog(ops, consumer, bootstrap, service))
    finally:
        await admin.close()
        await ops.close()
    return partitions, backlogs


async def committed_offsets(admin: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    found = await admin.list_consumer_group_offsets(group)
    return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}


async def backlog(
    ops: asyncpg.Connection, consumer: AIOKafkaConsumer, bootstrap: str, service: Service
) -> Backlog:
    row = await ops.fetchrow(OUTBOX.format(schema=schemas.quoted(service.schema)))
    assert row is not None
    dlq = await kafka.partitions(bootstrap, [dead_letters.topic_for(service.name)])
    first = await kafka.starts(consumer, dlq)
    last = await kafka.ends(consumer, dlq)
    return Backlog(
        service.name,
        deployed=True,
        outbox_rows=int(row["rows"]),
        outbox_age_s=float(row["age"]),
        dead_letters=sum(last[tp] - first[tp] for tp in dlq),
    )
