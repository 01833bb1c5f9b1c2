"""Dead letters: a message a consumer can never process goes to ``<service>.dead-letter`` with
the reason and where it came from, through the outbox (same transaction as the position that
skips it), and the consumer goes on.

Redrive: after a fix, ops send dead letters to ``<service>.redrive`` (``relais dlq redrive``),
a topic only that service consumes, so other consumers of the original topic see nothing twice.
The service reads a redriven message as the original topic's event (the ``dlq.original_topic``
header) with the same handler. If it fails again it returns to the dead-letter topic once, its
origin kept and ``dlq.redrives`` counted: nothing redrives automatically, so nothing loops.

Dead letters are part of the log: a rebuild skips the records a service dead-lettered (named
by ``dlq.failed_record``), as the service did, and applies them once redriven."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from shared.headers import RawHeaders, as_text, storable, value_of
from shared.outbox import OutgoingMessage

REASON = "dlq.reason"
ORIGINAL_TOPIC = "dlq.original_topic"
ORIGINAL_PARTITION = "dlq.original_partition"
ORIGINAL_OFFSET = "dlq.original_offset"
SERVICE = "dlq.service"
CONSUMER_GROUP = "dlq.consumer_group"
FAILED_AT = "dlq.failed_at"
REDRIVES = "dlq.redrives"
# The record that failed, "topic/partition/offset": the original one, or for a redriven message
# the redrive record. A rebuild skips these records, as the service did.
FAILED_RECORD = "dlq.failed_record"


def topic_for(service: str) -> str:
    """The dead-letter topic a service owns."""
    return f"{service}.dead-letter"


def redrive_topic_for(service: str) -> str:
    """The topic a service reads its redriven dead letters from."""
    return f"{service}.redrive"


def is_redrive(topic: str) -> bool:
    return topic.endswith(".redrive")


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
    def headers(self) -> RawHeaders: ...


@dataclass(frozen=True)
class Origin:
    """Where a message was first read from, and how many times it has been redriven."""

    topic: str
    partition: int
    offset: int
    redrives: int


def header(record: FailedRecord, name: str) -> str | None:
    return value_of(record.headers, name)


def origin(record: FailedRecord) -> Origin:
    """The record's own position, or for a redriven record the one its headers carry."""
    topic = header(record, ORIGINAL_TOPIC)
    if not is_redrive(record.topic) or topic is None:
        return Origin(record.topic, record.partition, record.offset, 0)
    return Origin(
        topic,
        int(header(record, ORIGINAL_PARTITION) or -1),
        int(header(record, ORIGINAL_OFFSET) or -1),
        int(header(record, REDRIVES) or 0) + 1,
    )


def record_id(topic: str, partition: int, offset: int) -> str:
    return f"{topic}/{partition}/{offset}"


def failed_record(headers: dict[str, str]) -> str | None:
    """The record a dead letter's headers say failed (older dead letters: their origin)."""
    if FAILED_RECORD in headers:
        return headers[FAILED_RECORD]
    if headers.get(REDRIVES, "0") == "0" and ORIGINAL_TOPIC in headers:
        return record_id(
            headers[ORIGINAL_TOPIC],
            int(headers.get(ORIGINAL_PARTITION, -1)),
            int(headers.get(ORIGINAL_OFFSET, -1)),
        )
    return None


def source_topic(record: FailedRecord) -> str:
    """The contract topic a record's value belongs to (for a redriven one, its original)."""
    return origin(record).topic


def dead_letter(
    record: FailedRecord, *, service: str, group: str, reason: str, now: datetime | None = None
) -> OutgoingMessage:
    """The dead-letter message for a record: its key and value untouched, the why in headers."""
    where = origin(record)
    # A null header value becomes "": the outbox stores headers as text.
    original = {k: v for k, v in as_text(record.headers).items() if not k.startswith("dlq.")}
    return OutgoingMessage(
        topic=topic_for(service),
        key=record.key,
        value=record.value or b"",
        headers={
            **original,
            REASON: storable(reason[:2000]),
            ORIGINAL_TOPIC: where.topic,
            ORIGINAL_PARTITION: str(where.partition),
            ORIGINAL_OFFSET: str(where.offset),
            SERVICE: service,
            CONSUMER_GROUP: group,
            FAILED_AT: (now or datetime.now(UTC)).isoformat(),
            REDRIVES: str(where.redrives),
            FAILED_RECORD: record_id(record.topic, record.partition, record.offset),
        },
    )
