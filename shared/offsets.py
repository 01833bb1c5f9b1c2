"""Committing consumed offsets to Kafka without waiting for it.

The positions that matter are in PostgreSQL (shared/tracking.py), written with the projection
rows; Kafka's committed offset only says where a restarted consumer starts reading, and
anything it reads again is skipped. So the commit need not hold up the next batch: it runs in
the background, one at a time, with the explicit offsets of batches already committed to
PostgreSQL — never the consumer's current position, which may be past records still being
processed. A failed commit (e.g. during a rebalance) only means more records are skipped later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import TopicPartition

from shared.tracking import Record

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 0.2


class OffsetCommitter:
    def __init__(self) -> None:
        self._pending: dict[TopicPartition, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._last = 0.0

    def commit_after(self, consumer: Any, records: Iterable[Record]) -> None:
        """Schedules the commit of the offsets past ``records``."""
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            self._pending[tp] = max(self._pending.get(tp, 0), r.offset + 1)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit(consumer), name="offset-commit")

    async def _commit(self, consumer: Any) -> None:
        # One commit in flight at a time, so a later commit never lands before an earlier one;
        # at most one every MIN_INTERVAL_S, so a trickle of small batches does not cost the
        # broker and the service a request per batch.
        loop = asyncio.get_running_loop()
        while self._pending:
            await asyncio.sleep(max(0.0, self._last + MIN_INTERVAL_S - loop.time()))
            offsets, self._pending = self._pending, {}
            try:
                await consumer.commit(offsets)
            except Exception as exc:
                log.info("offset commit failed (%s); positions in PostgreSQL still hold", exc)
            self._last = loop.time()
