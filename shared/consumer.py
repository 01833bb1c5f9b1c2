"""The one way Relais services consume: a batch of Kafka records becomes one PostgreSQL
transaction holding the projection rows, the outgoing events (outbox), the dead letters and
the consumed positions. Then, and only then, the offsets are committed to Kafka.

- Redelivered records (offset below the stored position) are skipped: no double effects.
- A record that cannot be decoded, or whose handler fails, goes to the dead-letter topic with
  the reason; the rest of the batch is applied. No message is retried forever.
- Transient failures (database or network down) retry the whole batch with bounded backoff,
  then rewind the consumer (nack) so the records are read again: nothing is skipped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from faststream.kafka.message import KafkaMessage

from shared import dead_letters, outbox, tracking
from shared.codec import UndecodableEvent, decode
from shared.consumer_observer import BatchObserver, BatchScope
from shared.db import Conn
from shared.events import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """A decoded event and the Kafka record it was read from."""

    event: Event
    record: ConsumerRecord[Any, Any]


Failure = tuple[ConsumerRecord[Any, Any], str]


Apply = Callable[[Conn, Sequence[Delivery]], Awaitable[None]]
"""A service handler: applies decoded events inside the caller's transaction."""

TRANSIENT_SQLSTATE_CLASSES = {"08", "40", "53", "57", "58"}


def is_transient(exc: BaseException) -> bool:
    """Failures of the infrastructure, not of the message: retrying can succeed."""
    if isinstance(exc, asyncpg.PostgresError):
        return str(getattr(exc, "sqlstate", ""))[:2] in TRANSIENT_SQLSTATE_CLASSES
    return isinstance(exc, (OSError, TimeoutError, asyncpg.InterfaceError))


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
                await self._process(records)
            except Exception as exc:
                if not is_transient(exc):
                    log.exception(
                        "unexpected failure processing a batch", extra={"service": self._service}
                    )
                else:
                    log.warning("transient failure (%s), attempt %d", exc, attempt + 1)
                await asyncio.sleep(self._base_backoff_s * 2**attempt)
                continue
            await self._commit_offsets(message)
            self._holder.on_commit()
            return
        # Still failing: read these records again later instead of skipping them.
        log.error("giving the batch back to Kafka after %d attempts", self._max_attempts)
        self._observer.rewound(records)
        await self._rewind(message)

    async def _process(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        pool = self._holder.require()
        with self._observer.batch(records) as seen:
            async with pool.acquire() as conn, conn.transaction():
                fresh = await tracking.unseen(conn, self._group, records)
                deliveries, failures = decode_all(fresh)
                with seen.fresh(fresh, deliveries):
                    failures += await self._apply_isolating(conn, deliveries, seen)
                await outbox.enqueue(
                    conn,
                    [
                        dead_letters.dead_letter(
                            r, service=self._service, group=self._group, reason=why
                        )
                        for r, why in failures
                    ],
                )
                await tracking.advance(conn, self._group, records)
            self.applied += len(fresh) - len(failures)
            self.dead_lettered += len(failures)
            for record, why in failures:
                with seen.delivery(record):  # the log line carries the delivery's trace id
                    log.warning("dead-lettered: %s", why, extra=record_fields(record))
            seen.finished(failures)

    async def _apply_isolating(
        self, conn: Conn, deliveries: Sequence[Delivery], seen: BatchScope | None = None
    ) -> list[Failure]:
        """Applies the batch at once; if a handler fails, again one delivery at a time (each in
        a savepoint) so only the deliveries that fail are dead-lettered."""
        if not deliveries:
            return []
        try:
            async with conn.transaction():
                await self._apply(conn, deliveries)
            return []
        except Exception as exc:
            if is_transient(exc):
                raise
            batch_error = exc
        failures: list[Failure] = []
        for delivery in deliveries:
            try:
                with seen.delivery(delivery.record) if seen else contextlib.nullcontext():
                    async with conn.transaction():
                        await self._apply(conn, [delivery])
            except Exception as exc:
                if is_transient(exc):
                    raise
                failures.append((delivery.record, f"handler error: {type(exc).__name__}: {exc}"))
        if not failures:  # the batch failed as a whole only: report it rather than hide it
            log.warning("batch failed but every delivery applied alone: %s", batch_error)
        return failures

    async def _commit_offsets(self, message: KafkaMessage) -> None:
        # Positions are already safe in PostgreSQL; a failed commit (e.g. during a rebalance)
        # only means some records are read again and skipped.
        try:
            await message.ack()
        except Exception as exc:
            log.info("offset commit failed (%s); positions in PostgreSQL still hold", exc)

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


def decode_all(records: Sequence[ConsumerRecord[Any, Any]]) -> tuple[list[Delivery], list[Failure]]:
    """Decodes each record; the undecodable ones come back with the reason."""
    deliveries: list[Delivery] = []
    failures: list[Failure] = []
    for record in records:
        try:
            deliveries.append(Delivery(decode(record.topic, record.value), record))
        except UndecodableEvent as exc:
            failures.append((record, str(exc)))
    return deliveries, failures
