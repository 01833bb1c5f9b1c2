"""Reading the log outside any consumer group: plain aiokafka clients that commit nothing,
big fetches. The ops tools and the services' ops endpoints (shared/ops_http.py) read with
these."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

Offsets = dict[TopicPartition, int]

# Rebuilds read a lot: fetch up to 8 MiB per partition and 64 MiB per request.
FETCH = {"max_partition_fetch_bytes": 8 * 2**20, "fetch_max_bytes": 64 * 2**20}


@contextlib.asynccontextmanager
async def reader(bootstrap: str, **options: object) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer outside any consumer group (it commits nothing)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        client_id="relais-ops",
        **{**FETCH, **options},
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def partitions(bootstrap: str, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the topics (a topic that does not exist has none)."""
    topics = list(topics)
    if not topics:
        return []
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-ops")
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    found = {
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t.get("error_code") == 0
        for p in t.get("partitions", ())
    }
    return sorted(found)


async def ends(consumer: AIOKafkaConsumer, tps: Iterable[TopicPartition]) -> Offsets:
    """The log end of each partition: the offset the next message will get."""
    tps = list(tps)
    return dict(await consumer.end_offsets(tps)) if tps else {}


async def starts(
    consumer: AIOKafkaConsumer, tps: Iterable[TopicPartition], since: datetime | None = None
) -> Offsets:
    """The first offset of each partition, or the first at or after ``since``."""
    tps = list(tps)
    if not tps:
        return {}
    first: Offsets = dict(await consumer.beginning_offsets(tps))
    if since is None:
        return first
    last = await ends(consumer, tps)
    found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
    return {tp: (found[tp].offset if found.get(tp) else last[tp]) for tp in tps}


async def committed_offsets(admin: AIOKafkaAdminClient, group: str) -> Offsets:
    """The offsets ``group`` committed to Kafka (none where it never committed)."""
    found = await admin.list_consumer_group_offsets(group)
    return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}
