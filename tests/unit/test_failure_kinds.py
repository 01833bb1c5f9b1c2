"""Each way a record fails has its own kind, and the metric counts it under that kind."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import asyncpg
import pytest
from aiokafka import ConsumerRecord

from shared.batch import Attempt, apply_isolating, decode_all
from shared.consumer_observer import BatchObserver
from shared.db import Conn
from shared.deliveries import Delivery, Failure, FailureKind
from shared.metrics import ServiceMetrics


def record(offset: int, value: bytes = b"{}") -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="request-received",
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"case-1",
        value=value,
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=len(value),
        headers=[],
    )


class Savepoints:
    """A connection whose only use here is opening (nested) transactions."""

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield


def delivery(offset: int) -> Delivery:
    return Delivery(cast(Any, None), record(offset))  # the handlers below never read it


async def cancelled(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    """A statement PostgreSQL cancels every time (a transient error, for the consumer)."""
    raise asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout")


async def buggy(conn: Conn, deliveries: Sequence[Delivery]) -> None:
    raise KeyError("office")


async def isolate(apply: Any, give_up: bool, offset: int = 1) -> list[Failure]:
    conn = cast(Conn, Savepoints())
    return await apply_isolating(conn, apply, [delivery(offset)], Attempt(give_up=give_up))


async def test_a_transient_failure_is_retried_until_retries_are_given_up() -> None:
    with pytest.raises(asyncpg.exceptions.QueryCanceledError):
        await isolate(cancelled, give_up=False)
    [failure] = await isolate(cancelled, give_up=True)
    assert failure.kind is FailureKind.GAVE_UP
    assert failure.reason.startswith("gave up after retries: QueryCanceledError")


async def test_a_handler_error_is_its_own_kind() -> None:
    [failure] = await isolate(buggy, give_up=False)
    assert failure.kind is FailureKind.HANDLER_ERROR
    assert failure.reason == "handler error: KeyError: 'office'"


async def test_the_failed_metric_counts_each_failure_under_its_own_kind() -> None:
    [gave_up] = await isolate(cancelled, give_up=True)
    [handler_error] = await isolate(buggy, give_up=False, offset=2)
    _, [undecodable] = decode_all([record(3, b"{broken")])
    failures = [gave_up, handler_error, undecodable]
    metrics = ServiceMetrics("routing")
    observer = BatchObserver(metrics, "routing", "routing")
    with observer.batch([f.record for f in failures]) as seen:
        seen.finished(failures)

    def counted(reason: str) -> float | None:
        labels = {"service": "routing", "topic": "request-received", "reason": reason}
        return metrics.registry.get_sample_value("relais_messages_failed_total", labels)

    # A failure given up after retries was once counted as "undecodable".
    assert {kind.value: counted(kind) for kind in FailureKind} == {
        "undecodable": 1.0,
        "handler_error": 1.0,
        "gave_up": 1.0,
    }
