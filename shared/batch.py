"""What one batch of Kafka records does inside its PostgreSQL transaction, for the live
consumer (shared.consumer) and a rebuild from the log alike: decode each record, apply the
decoded events with the service's handler (isolating the ones that fail), dead-letter the
failures through the outbox, and move the consumed positions past the records."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord

from shared import dead_letters, outbox, tracking
from shared.codec import UndecodableEvent, decode
from shared.consumer_observer import BatchScope
from shared.db import Conn
from shared.events import Event
from shared.tracking import Record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """A decoded event and the Kafka record it was read from."""

    event: Event
    record: ConsumerRecord[Any, Any]


Failure = tuple[ConsumerRecord[Any, Any], str]


Apply = Callable[[Conn, Sequence[Delivery]], Awaitable[None]]
"""A service handler: applies decoded events inside the caller's transaction."""


class HandlerFailed(Exception):
    """A handler raised on a batch applied without a savepoint (``optimistic``): the caller's
    transaction is lost, so it redoes the batch in a new one, one delivery at a time."""


TRANSIENT_SQLSTATE_CLASSES = {"08", "40", "53", "57", "58"}


def is_transient(exc: BaseException) -> bool:
    """Failures of the infrastructure, not of the message: retrying can succeed."""
    if isinstance(exc, asyncpg.PostgresError):
        return str(getattr(exc, "sqlstate", ""))[:2] in TRANSIENT_SQLSTATE_CLASSES
    return isinstance(exc, (OSError, TimeoutError, asyncpg.InterfaceError))


async def settle(
    conn: Conn,
    *,
    service: str,
    group: str,
    apply: Apply,
    records: Sequence[Record],
    deliveries: Sequence[Delivery],
    failures: Sequence[Failure] = (),
    give_up: bool = False,
    seen: BatchScope | None = None,
    optimistic: bool = False,
    failed_whole: BaseException | None = None,
) -> list[Failure]:
    """The body of a batch's transaction, for the live consumer and a rebuild alike: applies
    the deliveries (isolating the ones that fail), sends every failure to the dead-letter topic
    through the outbox, and moves the positions past the records. Returns the failures.

    ``optimistic``: the batch is applied without a savepoint (two round trips fewer, and a
    round trip is a costly wake-up on a busy machine); if a handler fails, HandlerFailed is
    raised and the caller redoes the batch in a new transaction with ``failed_whole`` (the
    handler's error): one delivery at a time straight away."""
    if optimistic and deliveries:
        try:
            await apply(conn, deliveries)
        except Exception as exc:
            if is_transient(exc) and not give_up:
                raise
            raise HandlerFailed from exc
        isolated: list[Failure] = []
    else:
        isolated = await apply_isolating(
            conn, apply, deliveries, give_up=give_up, seen=seen, batch_error=failed_whole
        )
    failed = [*failures, *isolated]
    await outbox.enqueue(
        conn,
        [
            dead_letters.dead_letter(r, service=service, group=group, reason=why)
            for r, why in failed
        ],
    )
    await tracking.advance(conn, group, records)
    return failed


async def apply_isolating(
    conn: Conn,
    apply: Apply,
    deliveries: Sequence[Delivery],
    *,
    give_up: bool = False,
    seen: BatchScope | None = None,
    batch_error: BaseException | None = None,
) -> list[Failure]:
    """Applies the batch at once; if a handler fails, again one delivery at a time (each in
    a savepoint) so only the deliveries that fail are dead-lettered. A transient failure is
    raised (the batch is retried) unless ``give_up``: then it fails its delivery too.
    ``batch_error``: the batch is known to fail as a whole (with it): one at a time at once."""
    if not deliveries:
        return []
    if batch_error is None:
        try:
            async with conn.transaction():
                await apply(conn, deliveries)
            return []
        except Exception as exc:
            if is_transient(exc) and not give_up:
                raise
            batch_error = exc
    failures: list[Failure] = []
    for delivery in deliveries:
        try:
            # Alone, a delivery's work (and a dead letter's log line) is in its own span.
            with seen.delivery(delivery.record) if seen else contextlib.nullcontext():
                async with conn.transaction():
                    await apply(conn, [delivery])
        except Exception as exc:
            if is_transient(exc) and not give_up:
                raise
            prefix = "gave up after retries: " if is_transient(exc) else "handler error: "
            failures.append((delivery.record, f"{prefix}{type(exc).__name__}: {exc}"))
    if not failures:  # the batch failed as a whole only: report it rather than hide it
        log.warning("batch failed but every delivery applied alone: %s", batch_error)
    return failures


def dispatch(applies: Mapping[str, Apply]) -> Apply:
    """The handler of a redrive topic: each redriven event goes to the handler of the topic it
    was first read from (filled as the service subscribes)."""

    async def apply(conn: Conn, deliveries: Sequence[Delivery]) -> None:
        by_topic: dict[str, list[Delivery]] = {}
        for delivery in deliveries:
            by_topic.setdefault(dead_letters.source_topic(delivery.record), []).append(delivery)
        for topic, chunk in by_topic.items():
            handler = applies.get(topic)
            if handler is None:
                raise LookupError(f"this service has no handler for messages of {topic!r}")
            await handler(conn, chunk)

    return apply


def decode_all(
    records: Sequence[ConsumerRecord[Any, Any]], as_topic: str | None = None
) -> tuple[list[Delivery], list[Failure]]:
    """Decodes each record as an event of its topic (a redriven record: of its original topic;
    with ``as_topic``, of that contract topic); the undecodable ones come back with the reason."""
    deliveries: list[Delivery] = []
    failures: list[Failure] = []
    for record in records:
        try:
            topic = as_topic or record.topic
            if as_topic is None and dead_letters.is_redrive(topic):
                topic = dead_letters.source_topic(record)
            deliveries.append(Delivery(decode(topic, record.value), record))
        except UndecodableEvent as exc:
            failures.append((record, str(exc)))
    return deliveries, failures
