"""A dead letter keeps where its message first came from, even after redrives."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiokafka.structs import ConsumerRecord

from shared import dead_letters as dl


@dataclass(frozen=True)
class FakeRecord:
    """The fields of a Kafka record a dead letter needs (a plain value, not a test double)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None = b"case-1"
    value: bytes | None = b"{oops"
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def test_a_first_failure_points_at_the_record_itself() -> None:
    record = FakeRecord("request-received", 3, 41, headers=[("event_type", b"RequestReceived")])
    message = dl.dead_letter(record, service="routing", group="routing", reason="invalid JSON")
    assert message.topic == "routing.dead-letter"
    assert message.key == b"case-1"
    assert message.value == b"{oops"
    assert message.headers[dl.ORIGINAL_TOPIC] == "request-received"
    assert message.headers[dl.ORIGINAL_PARTITION] == "3"
    assert message.headers[dl.ORIGINAL_OFFSET] == "41"
    assert message.headers[dl.REDRIVES] == "0"
    assert message.headers["event_type"] == "RequestReceived"  # the original headers stay


def test_a_redriven_record_that_fails_again_keeps_its_origin_and_counts_the_redrive() -> None:
    # Given a dead letter redriven once (its headers copied onto the redrive topic)
    first = dl.dead_letter(
        FakeRecord("request-received", 3, 41), service="routing", group="routing", reason="x"
    )
    headers = [(k, v.encode()) for k, v in first.headers.items()]
    redriven = FakeRecord("routing.redrive", 0, 7, headers=headers)
    # Then it is read as an event of its original topic
    assert dl.source_topic(redriven) == "request-received"
    # When it fails again
    again = dl.dead_letter(redriven, service="routing", group="routing", reason="still broken")
    # Then the new dead letter points at the original message, one redrive counted
    assert again.headers[dl.ORIGINAL_TOPIC] == "request-received"
    assert again.headers[dl.ORIGINAL_OFFSET] == "41"
    assert again.headers[dl.REDRIVES] == "1"
    assert again.headers[dl.REASON] == "still broken"


def test_dlq_headers_on_an_ordinary_topic_do_not_make_it_a_redrive() -> None:
    record = FakeRecord("request-received", 1, 2, headers=[(dl.ORIGINAL_TOPIC, b"routed")])
    assert dl.source_topic(record) == "request-received"


def test_a_dead_letter_of_nul_headers_and_reason_can_be_stored_in_postgresql() -> None:
    # Given a record whose header value and failure reason hold NUL characters
    record = ConsumerRecord(
        "request-received", 0, 7, 0, 0, b"k", b"v", None, 1, 1, [("x-origin", b"a\x00b")]
    )
    # When it is dead-lettered
    letter = dl.dead_letter(record, service="routing", group="routing", reason="x\x00y")
    # Then no header holds a NUL, which PostgreSQL's text (the outbox row) refuses
    assert all("\x00" not in v for v in letter.headers.values())
    assert letter.headers["x-origin"] == "a\ufffdb"
    assert letter.headers[dl.REASON] == "x\ufffdy"
