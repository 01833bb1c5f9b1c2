"""`relais lag`: for each service, where its consumer group stands on each partition of the
topics it consumes, the log end, the lag; its outbox and dead-letter backlogs. Measured as
each service measures itself for its ops endpoints (shared/backlogs.py), from the ops role."""

from __future__ import annotations

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from ops import kafka, schemas
from ops.services import load, names
from shared.backlogs import Backlog, PartitionLag, backlog, partition_lags
from shared.settings import Settings


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
                topics = [s.topic for s in service.live_sources]
                partitions += await partition_lags(ops, consumer, admin, bootstrap, name, topics)
                backlogs.append(await backlog(ops, consumer, bootstrap, name))
    finally:
        await admin.close()
        await ops.close()
    return partitions, backlogs
