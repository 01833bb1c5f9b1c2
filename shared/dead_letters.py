"""Dead letters: a message a consumer can never process goes to ``<service>.dead-letter`` with
the reason and where it came from, through the outbox (same transaction as the position that
skips it), and the consumer goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from shared.outbox import OutgoingMessage

REASON = "dlq.reason"
ORIGINAL_TOPIC = "dlq.original_topic"
ORIGINAL_PARTITION = "dlq.original_partition"
ORIGINAL_OFFSET = "dlq.original_offset"
SERVICE = "dlq.service"
CONSUMER_GROUP = "dlq.consumer_group"
FAILED_AT = "dlq.failed_at"


def topic_for(service: str) -> str:
    """The dead-letter topic a service owns."""
    return f"{service}.dead-letter"


class FailedRecord(Protocol):
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> tuple[tuple[str, bytes], ...] | list[tuple[str, bytes]]: ...


def dead_letter(
    record: FailedRecord, *, service: str, group: str, reason: str, now: datetime | None = None
) -> OutgoingMessage:
    """The dead-letter message for a record: its key and value untouched, the why in headers."""
    original = {
        k: v.decode(errors="replace") for k, v in record.headers or () if not k.startswith("dlq.")
    }
    return OutgoingMessage(
        topic=topic_for(service),
        key=record.key,
        value=record.value or b"",
        headers={
            **original,
            REASON: reason[:2000],
            ORIGINAL_TOPIC: record.topic,
            ORIGINAL_PARTITION: str(record.partition),
            ORIGINAL_OFFSET: str(record.offset),
            SERVICE: service,
            CONSUMER_GROUP: group,
            FAILED_AT: (now or datetime.now(UTC)).isoformat(),
        },
    )
