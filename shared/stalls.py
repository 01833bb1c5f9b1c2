"""The tail end of the consumer's last line of defence: records fetched but never settled.

shared.rereads notices records lost before the handler when a later batch of the same
partition arrives. If the lost batch was the partition's last for now, nothing arrives to
notice it: the consumer's fetch position stays ahead of the stored position (what was applied
or dead-lettered) while no batch settles it. A watch compares the two every few seconds; a
partition found ahead twice in a row, with neither moving, is read again from its stored
position. A batch just fetched and not yet handled moves its stored position within the
interval, so it is not taken for a stalled one (and applied records read again change nothing:
they are skipped as seen)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiokafka import TopicPartition

from shared import tracking
from shared.db import Conn

log = logging.getLogger(__name__)

CHECK_EVERY_S = 2.0

Gap = tuple[int, int]  # (fetched, stored)


class StallWatch:
    """Watches one consumer group's partitions for fetched records that never settled."""

    def __init__(self, group: str) -> None:
        self._group = group
        self._ahead: dict[TopicPartition, Gap] = {}

    async def check(self, conn: Conn, consumer: Any) -> dict[TopicPartition, int]:
        """Reads again, from its stored position, every partition stalled ahead of it since
        the last check. Returns those positions."""
        assigned = set(consumer.assignment())
        if not assigned:
            self._ahead = {}
            return {}
        rows = await conn.fetch(tracking.LOAD, self._group, sorted({p.topic for p in assigned}))
        stored = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        if assigned - stored.keys():  # never settled: from the log's first record
            stored |= await consumer.beginning_offsets(assigned - stored.keys())
        ahead: dict[TopicPartition, Gap] = {}
        for partition in assigned:
            fetched = await consumer.position(partition)
            if fetched > stored[partition]:
                ahead[partition] = (fetched, stored[partition])
        stalled = {p: gap[1] for p, gap in ahead.items() if self._ahead.get(p) == gap}
        self._ahead = {p: gap for p, gap in ahead.items() if p not in stalled}
        for partition, offset in stalled.items():
            log.warning("records fetched but never settled: reading %s again", partition)
            consumer.seek(partition, offset)
        return stalled


async def watch(group: str, pool: Any, consumers: Callable[[], list[Any]]) -> None:
    """Checks each of ``consumers()`` (aiokafka's consumers of the group's subscribers, None
    until started) for ever, one after the other: one database connection at a time."""
    stalls: dict[int, StallWatch] = {}
    while True:
        await asyncio.sleep(CHECK_EVERY_S)
        for consumer in consumers():
            if consumer is None:
                continue
            try:
                async with pool.acquire() as conn:
                    await stalls.setdefault(id(consumer), StallWatch(group)).check(conn, consumer)
            except Exception as exc:  # a rebalance or an outage: the next check will see
                log.info("stall check skipped (%s)", exc)
