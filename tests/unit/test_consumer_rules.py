"""The consumer's classification of failures and the dead-letter envelope."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import ConsumerRecord

from shared import dead_letters
from shared.batch import decode_all, is_transient
from shared.deliveries import FailureKind


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (asyncpg.exceptions.SerializationError("x"), True),
        (asyncpg.exceptions.DeadlockDetectedError("x"), True),
        (asyncpg.exceptions.TooManyConnectionsError("x"), True),
        (asyncpg.exceptions.AdminShutdownError("x"), True),
        (asyncpg.exceptions.UniqueViolationError("x"), False),
        (asyncpg.exceptions.DataError("x"), False),
        (ValueError("bug"), False),
        (KeyError("bug"), False),
    ],
)
def test_only_infrastructure_failures_are_retried(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def record(value: bytes, offset: int = 7) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="request-received",
        partition=3,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"case-1",
        value=value,
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=len(value),
        headers=[("event_type", b"RequestReceived")],
    )


def test_undecodable_records_come_back_with_their_reason() -> None:
    deliveries, failures = decode_all([record(b"{broken"), record(b"[]", 8)])
    assert deliveries == []
    assert [f.record.offset for f in failures] == [7, 8]
    assert {f.kind for f in failures} == {FailureKind.UNDECODABLE}
    assert failures[0].reason.startswith("invalid JSON")


def test_a_dead_letter_keeps_the_message_and_says_why_and_where() -> None:
    now = datetime(2026, 2, 1, tzinfo=UTC)
    letter = dead_letters.dead_letter(
        record(b"{broken"), service="routing", group="routing", reason="invalid JSON", now=now
    )
    assert letter.topic == "routing.dead-letter"
    assert letter.key == b"case-1"
    assert letter.value == b"{broken"
    assert letter.headers[dead_letters.REASON] == "invalid JSON"
    assert letter.headers[dead_letters.ORIGINAL_TOPIC] == "request-received"
    assert letter.headers[dead_letters.ORIGINAL_PARTITION] == "3"
    assert letter.headers[dead_letters.ORIGINAL_OFFSET] == "7"
    assert letter.headers[dead_letters.FAILED_AT] == now.isoformat()
    assert letter.headers["event_type"] == "RequestReceived"
