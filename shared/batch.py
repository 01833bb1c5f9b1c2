"""What one batch of Kafka records does inside its PostgreSQL transaction, for the live
consumer (shared.consumer) and a rebuild from the log alike: decode each record, apply the
decoded events with the service's handler (isolating the ones that fail), dead-letter the
failures through the outbox, and move the consumed positions past the records."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord

from shared import dead_letters, outbox, tracking
from shared.codec import UndecodableEvent, decode
from shared.consumer_observer import BatchScope
from shared.db import Conn
from shared.deliveries import Delivery, Failure, FailureKind
from shared.tracking import Record

__all__ = ["Apply", "Attempt", "Delivery", "Failure", "HandlerFailed", "Isolation", "settle"]

log = logging.getLogger(__name__)


Apply = Callable[[Conn, Sequence[Delivery]], Awaitable[None]]
"""A service handler: applies decoded events inside the caller's transaction."""


class Isolation(Enum):
    """How far an attempt keeps one delivery's failure from the others of its batch."""

    NONE = "none"
    """The whole batch at once, without a savepoint (two round trips fewer, and a round trip is
    a costly wake-up on a busy machine). A handler error loses the transaction: HandlerFailed
    is raised, and the caller redoes the batch with EACH."""
    ON_FAILURE = "on_failure"
    """The whole batch in a savepoint; if a handler fails, again one delivery at a time."""
    EACH = "each"
    """One delivery at a time, each in its own savepoint: the batch is known to fail whole."""


@dataclass(frozen=True)
class Attempt:
    """How one attempt at a batch applies its deliveries.

    ``give_up``: the retries are exhausted and the database answers, so a failure that looks
    transient is the message's own: it is dead-lettered (FailureKind.GAVE_UP) rather than
    raised for the batch to be retried. ``failed_whole``: with EACH, the error the batch failed
    with as a whole (reported if every delivery then applies alone)."""

    isolation: Isolation = Isolation.ON_FAILURE
    give_up: bool = False
    failed_whole: BaseException | None = None

    def __post_init__(self) -> None:
        if (self.isolation is Isolation.EACH) != (self.failed_whole is not None):
            raise ValueError("one delivery at a time is for a batch known to fail (and why)")

    @classmethod
    def optimistic(cls, *, give_up: bool = False) -> Attempt:
        """The first try of the live consumer: no savepoint."""
        return cls(Isolation.NONE, give_up)

    def isolating(self, failed_whole: BaseException) -> Attempt:
        """The next try of a batch that failed whole with ``failed_whole``."""
        return replace(self, isolation=Isolation.EACH, failed_whole=failed_whole)


class HandlerFailed(Exception):
    """A handler raised on a batch applied without a savepoint (Isolation.NONE): the caller's
    transaction is lost, so it redoes the batch in a new one, one delivery at a time
    (``Attempt.isolating``)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error


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
    attempt: Attempt = Attempt(),
    seen: BatchScope | None = None,
) -> list[Failure]:
    """The body of a batch's transaction, for the live consumer and a rebuild alike: applies
    the deliveries as ``attempt`` says (isolating the ones that fail), sends every failure to
    the dead-letter topic through the outbox, and moves the positions past the records.
    Returns the failures. ``seen``: the batch's spans (a delivery applied alone is in its own).
    """
    if attempt.isolation is Isolation.NONE and deliveries:
        try:
            await apply(conn, deliveries)
        except Exception as exc:
            if is_transient(exc) and not attempt.give_up:
                raise
            raise HandlerFailed(exc) from exc
        isolated: list[Failure] = []
    else:
        isolated = await apply_isolating(conn, apply, deliveries, attempt, seen)
    failed = [*failures, *isolated]
    await outbox.enqueue(
        conn,
        [
            dead_letters.dead_letter(f.record, service=service, group=group, reason=f.reason)
            for f in failed
        ],
    )
    await tracking.advance(conn, group, records)
    return failed


async def apply_isolating(
    conn: Conn,
    apply: Apply,
    deliveries: Sequence[Delivery],
    attempt: Attempt = Attempt(),
    seen: BatchScope | None = None,
) -> list[Failure]:
    """Applies the batch at once; if a handler fails, again one delivery at a time (each in
    a savepoint) so only the deliveries that fail are dead-lettered. A transient failure is
    raised (the batch is retried) unless the attempt gives up: then it fails its delivery too.
    With Isolation.EACH, one delivery at a time straight away."""
    if not deliveries:
        return []
    batch_error = attempt.failed_whole
    if batch_error is None:
        try:
            async with conn.transaction():
                await apply(conn, deliveries)
            return []
        except Exception as exc:
            if is_transient(exc) and not attempt.give_up:
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
            if is_transient(exc) and not attempt.give_up:
                raise
            kind = FailureKind.GAVE_UP if is_transient(exc) else FailureKind.HANDLER_ERROR
            failures.append(Failure.raised(delivery.record, kind, exc))
    if not failures:  # the batch failed as a whole only: report it rather than hide it
        log.warning("batch failed but every delivery applied alone: %s", batch_error)
    return failures


def dispatch(applies: Mapping[str, Apply]) -> Apply:
    """The handler of a service's consumer (and of its redrive topic, for a rebuild): each
    event goes to the handler of its topic (a redriven one: of the topic it was first read
    from). The handlers run in the order of ``applies`` (the order of subscription), each on
    its topic's events in the order given; ``applies`` is read at each call (it is filled as
    the service subscribes)."""

    async def apply(conn: Conn, deliveries: Sequence[Delivery]) -> None:
        by_topic: dict[str, list[Delivery]] = {}
        for delivery in deliveries:
            by_topic.setdefault(dead_letters.source_topic(delivery.record), []).append(delivery)
        unknown = by_topic.keys() - applies.keys()
        if unknown:
            missing = ", ".join(map(repr, sorted(unknown)))
            raise LookupError(f"this service has no handler for messages of {missing}")
        for topic, handler in applies.items():
            if topic in by_topic:
                await handler(conn, by_topic[topic])

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
            failures.append(Failure(record, FailureKind.UNDECODABLE, str(exc)))
    return deliveries, failures
