"""Reading the log: every record of some topics, from their first offset to their end when the
read began, decoded by the contract (``shared.codec``). A plain consumer outside any consumer
group: it commits nothing, so no service's position moves, and no projection is read."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.codec import UndecodableEvent, decode

# Big fetches: a year of the cooperative's events is a few hundred MB.
FETCH = {"max_partition_fetch_bytes": 8 * 2**20, "fetch_max_bytes": 64 * 2**20}


async def read(bootstrap: str, topics: Iterable[str]) -> dict[str, list[Any]]:
    """topic -> its decoded events (a record the contract cannot read is left out: it is in a
    dead-letter topic already)."""
    found: dict[str, list[Any]] = {t: [] for t in topics}
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="relais-lab", **FETCH
    )
    await reader.start()
    try:
        await reader.topics()  # the cluster's metadata, so partitions_for_topic answers
        parts = [
            TopicPartition(t, p)
            for t in found
            for p in sorted(reader.partitions_for_topic(t) or ())
        ]
        if not parts:
            return found
        ends = await reader.end_offsets(parts)
        left = {tp: end for tp, end in ends.items() if end > 0}
        reader.assign(parts)
        await reader.seek_to_beginning(*parts)
        while left:
            batch = await reader.getmany(*left, timeout_ms=2000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        _append(found[tp.topic], tp.topic, record.value)
                if records and records[-1].offset + 1 >= ends[tp]:
                    left.pop(tp, None)
            for tp in [tp for tp in left if await reader.position(tp) >= ends[tp]]:
                left.pop(tp)
    finally:
        await reader.stop()
    return found


def _append(events: list[Any], topic: str, value: bytes | None) -> None:
    with contextlib.suppress(UndecodableEvent):
        events.append(decode(topic, value))
