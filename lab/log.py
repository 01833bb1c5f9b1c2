"""Reading the log: every record of some topics, from their first offset to their end when the
read began, decoded by the contract (``shared.codec``). A plain consumer outside any consumer
group: it commits nothing, so no service's position moves, and no projection is read."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.codec import UndecodableEvent, decode

# Big fetches: a year of the cooperative's events is a few hundred MB.
FETCH = {"max_partition_fetch_bytes": 8 * 2**20, "fetch_max_bytes": 64 * 2**20}


async def read(
    bootstrap: str, topics: Iterable[str], keep: Callable[[Any], bool] | None = None
) -> dict[str, list[Any]]:
    """topic -> its decoded events that ``keep`` keeps (all by default; a record the contract
    cannot read is left out: it is in a dead-letter topic already)."""
    found: dict[str, list[Any]] = {t: [] for t in topics}
    parts = await partitions(bootstrap, found)
    if not parts:
        return found
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="relais-lab", **FETCH
    )
    await reader.start()
    try:
        ends = await reader.end_offsets(parts)
        left = {tp: end for tp, end in ends.items() if end > 0}
        reader.assign(parts)
        await reader.seek_to_beginning(*parts)
        while left:
            batch = await reader.getmany(*left, timeout_ms=2000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        _append(found[tp.topic], tp.topic, record.value, keep)
                if records and records[-1].offset + 1 >= ends[tp]:
                    left.pop(tp, None)
            for tp in [tp for tp in left if await reader.position(tp) >= ends[tp]]:
                left.pop(tp)
    finally:
        await reader.stop()
    return found


async def partitions(bootstrap: str, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of the topics that exist (a consumer knows only those it reads)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-lab")
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return sorted(
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t.get("error_code") == 0
        for p in t.get("partitions", ())
    )


def _append(
    events: list[Any], topic: str, value: bytes | None, keep: Callable[[Any], bool] | None
) -> None:
    with contextlib.suppress(UndecodableEvent):
        event = decode(topic, value)
        if keep is None or keep(event):
            events.append(event)
