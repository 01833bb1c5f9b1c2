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
from collections.abc import Sequence
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka.message import KafkaMessage

from shared import faults, rereads, tracking
from shared.batch import Apply, Attempt, HandlerFailed, decode_all, is_transient, settle
from shared.consumer_observer import BatchObserver, BatchScope
from shared.db import PoolHolder
from shared.deliveries import Delivery, Failure
from shared.headers import value_of
from shared.offsets import OffsetCommitter
from shared.rereads import HoldsRecords, Split, trusting

__all__ = ["Apply", "BatchConsumer", "Delivery"]

log = logging.getLogger(__name__)


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
        holds_records: HoldsRecords = trusting,
    ) -> None:
        """``holds_records``: asked when a batch starts past a partition's stored position
        (shared.rereads); a service's consumer asks the log itself."""
        self._holder = holder
        self._service = service
        self._group = group
        self._apply = apply
        self._max_attempts = max_attempts
        self._base_backoff_s = base_backoff_s
        self._offsets = OffsetCommitter()
        self._holds_records = holds_records
        self.dead_lettered = 0
        self.applied = 0
        # Spans and metrics of each batch (no-ops without tracing and metrics).
        self._observer = observer or BatchObserver(None, service, group)

    async def handle(self, message: KafkaMessage) -> None:
        """Processes one FastStream batch; never raises (a raise would skip the batch)."""
        raw = message.raw_message
        records = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        await self.handle_records(records, message.consumer)

    async def handle_records(
        self, records: Sequence[ConsumerRecord[Any, Any]], consumer: Any
    ) -> None:
        """Processes a batch read by ``consumer`` (aiokafka's); never raises."""
        for attempt in range(self._max_attempts):
            try:
                settled = await self.process(records)
            except Exception as exc:
                if not is_transient(exc):
                    log.exception(
                        "unexpected failure processing a batch", extra={"service": self._service}
                    )
                else:
                    log.warning("transient failure (%s), attempt %d", exc, attempt + 1)
                await asyncio.sleep(self._base_backoff_s * 2**attempt)
                continue
            self._done(consumer, settled)
            return
        # Retries exhausted. If the database answers, the infrastructure is fine and something
        # in the batch keeps failing: one last pass dead-letters what still fails, so no message
        # is retried forever. If it does not answer, wait for it: read the records again later.
        if await self._database_answers():
            try:
                settled = await self.process(records, give_up=True)
            except Exception:
                log.exception("batch failed even with retries given up")
            else:
                self._done(consumer, settled)
                return
        log.error("giving the batch back to Kafka after %d attempts", self._max_attempts)
        self._observer.rewound(records)
        _seek(consumer, earliest(records))

    async def process(
        self, records: Sequence[ConsumerRecord[Any, Any]], *, give_up: bool = False
    ) -> Split[ConsumerRecord[Any, Any]]:
        """One batch in one transaction. Returns what was settled (applied or dead-lettered)
        and the partitions to read again from their stored positions (shared.rereads)."""
        with self._observer.batch(records) as seen:
            # Without savepoints first; if a handler fails, that transaction is gone: again,
            # each delivery in its own savepoint, so only the failing ones are dead-lettered.
            attempt = Attempt.optimistic(give_up=give_up)
            try:
                split, fresh, failures = await self._transaction(records, seen, attempt)
            except HandlerFailed as failed:
                log.info("a handler failed on the batch (%s): redoing it", failed)
                split, fresh, failures = await self._transaction(
                    records, seen, attempt.isolating(failed.error)
                )
            self.applied += len(fresh) - len(failures)
            self.dead_lettered += len(failures)
            for failure in failures:
                # The log line carries the delivery's trace id.
                with seen.delivery(failure.record):
                    log.warning(
                        "dead-lettered: %s", failure.reason, extra=record_fields(failure.record)
                    )
            seen.finished(failures)
        return split

    async def _transaction(
        self,
        records: Sequence[ConsumerRecord[Any, Any]],
        seen: BatchScope,
        attempt: Attempt,
    ) -> tuple[Split[ConsumerRecord[Any, Any]], list[ConsumerRecord[Any, Any]], list[Failure]]:
        """One transaction over the batch: hold back partitions that skipped records, skip
        what was applied, apply and dead-letter the rest, store the positions. Returns the
        split, the fresh records and the failures."""
        async with self._holder.require().acquire() as conn, conn.transaction():
            stored = await tracking.positions(conn, self._group, records)
            split = await rereads.split(stored, records, self._holds_records)
            if split.reread:
                log.warning(
                    "records were skipped before the handler: reading %s again", split.reread
                )
            fresh = tracking.not_applied(stored, split.now)
            deliveries, undecodable = decode_all(fresh)
            with seen.fresh(fresh, deliveries):
                failures = await settle(
                    conn,
                    service=self._service,
                    group=self._group,
                    apply=self._apply,
                    records=split.now,
                    deliveries=deliveries,
                    failures=undecodable,
                    attempt=attempt,
                    seen=seen,
                )
        return split, fresh, failures

    async def _database_answers(self) -> bool:
        try:
            await asyncio.wait_for(self._holder.require().fetchval("SELECT 1"), timeout=5)
        except Exception:
            return False
        return True

    def _done(self, consumer: Any, settled: Split[ConsumerRecord[Any, Any]]) -> None:
        # Positions are already safe in PostgreSQL: Kafka's offsets follow without holding up
        # the next batch (a round trip to the group coordinator per batch, on every hop).
        faults.point("consumer.committed")  # crash: rows and positions in, offsets not
        self._offsets.commit_after(consumer, settled.now)
        _seek(consumer, settled.reread)
        self._holder.on_commit()


def earliest(records: Sequence[ConsumerRecord[Any, Any]]) -> dict[tuple[str, int], int]:
    """Each partition's first offset among ``records``: where to read them all again."""
    first: dict[tuple[str, int], int] = {}
    for r in records:
        first[(r.topic, r.partition)] = min(first.get((r.topic, r.partition), r.offset), r.offset)
    return first


def _seek(consumer: Any, offsets: dict[tuple[str, int], int]) -> None:
    for (topic, partition), offset in offsets.items():
        try:
            consumer.seek(TopicPartition(topic, partition), offset)
        except Exception as exc:  # partition revoked meanwhile: its new owner reads it
            log.info("could not rewind %s-%d (%s)", topic, partition, exc)


def record_fields(record: ConsumerRecord[Any, Any]) -> dict[str, Any]:
    """Where a record came from and what it is about, for structured logs."""
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "case_id": (record.key or b"").decode(errors="replace"),
        "event_id": value_of(record.headers, "event_id"),
    }
