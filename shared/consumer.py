"""The one way Relais services consume: a batch of Kafka records becomes one PostgreSQL
transaction holding the projection rows, the outgoing events (outbox), the dead letters and
the consumed positions. Then, and only then, the offsets are committed to Kafka (in the
background: shared/offsets.py).

- Redelivered records (offset below the stored position) are skipped: no double effects.
- A record that cannot be decoded, or whose handler fails, goes to the dead-letter topic with
  the reason; the rest of the batch is applied. No message is retried forever.
- Transient failures (database or network down) retry the whole batch with bounded backoff,
  then rewind the consumer (nack) so the records are read again: nothing is skipped. If the
  database answers but a message still fails "transiently" after every retry, the message is
  the problem: it is dead-lettered like any other failure, so nothing is retried forever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from faststream.kafka.message import KafkaMessage

from shared import faults, tracking
from shared.batch import (
    Apply,
    Delivery,
    Failure,
    HandlerFailed,
    decode_all,
    is_transient,
    settle,
)
from shared.consumer_observer import BatchObserver, BatchScope
from shared.offsets import OffsetCommitter

__all__ = ["Apply", "BatchConsumer", "Delivery", "PoolHolder"]

log = logging.getLogger(__name__)


class PoolHolder:
    """Filled by the service's lifespan; handlers are registered before the pool exists."""

    pool: asyncpg.Pool | None = None
    on_commit: Callable[[], None] = staticmethod(lambda: None)

    def require(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("service not started: no database pool yet")
        return self.pool


class BatchConsumer:
    def __init__(
        self,
        holder: PoolHolder,
        *,
        service: str,
        group: str,
        apply: Apply,
        max_attempts: int = 5,
        base_backoff_s: float = 0.2,
        observer: BatchObserver | None = None,
    ) -> None:
        self._holder = holder
        self._service = service
        self._group = group
        self._apply = apply
        self._max_attempts = max_attempts
        self._base_backoff_s = base_backoff_s
        self._offsets = OffsetCommitter()
        self.dead_lettered = 0
        self.applied = 0
        # Spans and metrics of each batch (no-ops without tracing and metrics).
        self._observer = observer or BatchObserver(None, service, group)

    async def handle(self, message: KafkaMessage) -> None:
        """Processes one FastStream batch; never raises (a raise would skip the batch)."""
        raw = message.raw_message
        records: list[ConsumerRecord[Any, Any]] = (
            list(raw) if isinstance(raw, (list, tuple)) else [raw]
        )
        for attempt in range(self._max_attempts):
            try:
                await self.process(records)
            except Exception as exc:
                if not is_transient(exc):
                    log.exception(
                        "unexpected failure processing a batch", extra={"service": self._service}
                    )
                else:
                    log.warning("transient failure (%s), attempt %d", exc, attempt + 1)
                await asyncio.sleep(self._base_backoff_s * 2**attempt)
                continue
            self._done(message, records)
            return
        # Retries exhausted. If the database answers, the infrastructure is fine and something
        # in the batch keeps failing: one last pass dead-letters what still fails, so no message
        # is retried forever. If it does not answer, wait for it: read the records again later.
        if await self._database_answers():
            try:
                await self.process(records, give_up=True)
            except Exception:
                log.exception("batch failed even with retries given up")
            else:
                self._done(message, records)
                return
        log.error("giving the batch back to Kafka after %d attempts", self._max_attempts)
        self._observer.rewound(records)
        await self._rewind(message)

    async def process(
        self, records: Sequence[ConsumerRecord[Any, Any]], *, give_up: bool = False
    ) -> None:
        with self._observer.batch(records) as seen:
            # Without savepoints first; if a handler fails, that transaction is gone: again,
            # each delivery in its own savepoint, so only the failing ones are dead-lettered.
            try:
                fresh, failures = await self._transaction(records, seen, give_up)
            except HandlerFailed as failed:
                log.info("a handler failed on the batch (%s): redoing it", failed.__cause__)
                fresh, failures = await self._transaction(records, seen, give_up, failed.__cause__)
            self.applied += len(fresh) - len(failures)
            self.dead_lettered += len(failures)
            for record, why in failures:
                with seen.delivery(record):  # the log line carries the delivery's trace id
                    log.warning("dead-lettered: %s", why, extra=record_fields(record))
            seen.finished(failures)

    async def _transaction(
        self,
        records: Sequence[ConsumerRecord[Any, Any]],
        seen: BatchScope,
        give_up: bool,
        failed_whole: BaseException | None = None,
    ) -> tuple[list[ConsumerRecord[Any, Any]], list[Failure]]:
        """One transaction over the batch: skip what was applied, apply and dead-letter the
        rest, store the positions. Returns the fresh records and the failures."""
        async with self._holder.require().acquire() as conn, conn.transaction():
            fresh = await tracking.unseen(conn, self._group, records)
            deliveries, undecodable = decode_all(fresh)
            with seen.fresh(fresh, deliveries):
                failures = await settle(
                    conn,
                    service=self._service,
                    group=self._group,
                    apply=self._apply,
                    records=records,
                    deliveries=deliveries,
                    failures=undecodable,
                    give_up=give_up,
                    seen=seen,
                    optimistic=failed_whole is None,
                    failed_whole=failed_whole,
                )
        return fresh, failures

    async def _database_answers(self) -> bool:
        try:
            await asyncio.wait_for(self._holder.require().fetchval("SELECT 1"), timeout=5)
        except Exception:
            return False
        return True

    def _done(self, message: KafkaMessage, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        # Positions are already safe in PostgreSQL: Kafka's offsets follow without holding up
        # the next batch (a round trip to the group coordinator per batch, on every hop).
        faults.point("consumer.committed")  # crash: rows and positions in, offsets not
        self._offsets.commit_after(message.consumer, records)
        self._holder.on_commit()

    async def _rewind(self, message: KafkaMessage) -> None:
        try:
            await message.nack()
        except Exception as exc:  # partitions revoked meanwhile: their new owner reads them
            log.info("could not rewind (%s)", exc)


def record_fields(record: ConsumerRecord[Any, Any]) -> dict[str, Any]:
    """Where a record came from and what it is about, for structured logs."""
    event_id = dict(record.headers or ()).get("event_id")
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "case_id": (record.key or b"").decode(errors="replace"),
        "event_id": event_id.decode(errors="replace") if event_id else None,
    }
