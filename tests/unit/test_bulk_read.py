"""ops.bulk_read: which records of a chunk a bulk pass keeps, and when a partition is done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import TopicPartition
from confluent_kafka import KafkaError, KafkaException

from ops.bulk_read import _wanted, read


@dataclass
class FakeMessage:
    """What _wanted reads of a librdkafka message."""

    _topic: str
    _partition: int
    _offset: int
    _error: KafkaError | None = None

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def error(self) -> KafkaError | None:
        return self._error


def wanted(messages: list[FakeMessage], left: dict[tuple[str, int], int]) -> dict[str, list[int]]:
    chunk = _wanted(messages, left)  # type: ignore[arg-type]
    return {topic: [m.offset() or 0 for m in part] for topic, part in chunk.items()}


def eof(topic: str, partition: int, offset: int) -> FakeMessage:
    return FakeMessage(topic, partition, offset, KafkaError(KafkaError._PARTITION_EOF))


def test_records_are_kept_by_topic_in_their_order_and_a_partition_ends_with_its_last() -> None:
    left = {("a", 0): 3, ("a", 1): 5, ("b", 0): 2}
    messages = [FakeMessage("a", 0, o) for o in range(3)] + [
        FakeMessage("b", 0, 0),
        FakeMessage("a", 1, 3),
    ]
    assert wanted(messages, left) == {"a": [0, 1, 2, 3], "b": [0]}
    # a/0 read up to its end; a/1 and b/0 still have records to come
    assert left == {("a", 1): 5, ("b", 0): 2}


def test_records_at_or_past_the_end_are_left_to_the_next_round() -> None:
    left: dict[tuple[str, int], int] = {("a", 0): 2}
    messages = [FakeMessage("a", 0, o) for o in range(4)] + [FakeMessage("b", 0, 0)]
    assert wanted(messages, left) == {"a": [0, 1]}
    assert left == {}


def test_a_partition_whose_last_offsets_hold_no_record_ends_at_end_of_partition() -> None:
    # offsets 8 and 9 are, say, a transaction's control records: no record ever has offset 9
    left = {("a", 0): 10}
    assert wanted([FakeMessage("a", 0, 7), eof("a", 0, 7)], left) == {"a": [7]}
    assert left == {("a", 0): 10}  # an end of partition before the stop: still reading
    assert wanted([eof("a", 0, 10)], left) == {}
    assert left == {}
    # or at the first record past the stop, when the log moved on meanwhile
    left = {("a", 0): 10}
    assert wanted([FakeMessage("a", 0, 7), FakeMessage("a", 0, 12)], left) == {"a": [7]}
    assert left == {}


@pytest.mark.parametrize(
    "error",
    [
        KafkaError(KafkaError._TRANSPORT),
        KafkaError(KafkaError._ALL_BROKERS_DOWN),
        KafkaError(KafkaError.REQUEST_TIMED_OUT, retriable=True),
    ],
)
def test_a_broker_away_is_left_to_librdkafka(error: KafkaError) -> None:
    left = {("a", 0): 10}
    messages = [FakeMessage("a", 0, 0, error), FakeMessage("a", 0, 1)]
    assert wanted(messages, left) == {"a": [1]}


@pytest.mark.parametrize(
    "error",
    [
        KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART),
        KafkaError(KafkaError._AUTO_OFFSET_RESET),  # a start offset deleted meanwhile
        KafkaError(KafkaError._TRANSPORT, fatal=True),
    ],
)
def test_any_other_error_ends_the_pass(error: KafkaError) -> None:
    with pytest.raises(KafkaException):
        wanted([FakeMessage("a", 0, 2, error)], {("a", 0): 10})


async def test_reading_from_a_broker_out_of_reach_fails_after_the_stall_bound() -> None:
    # A port nothing listens on: librdkafka only reports that it cannot connect, and retries
    stop = {TopicPartition("a", 0): 10}
    with pytest.raises(TimeoutError, match="no record from Kafka"):
        async for _ in read("127.0.0.1:9", {TopicPartition("a", 0): 0}, stop, stall=1.5):
            pass


def test_an_error_names_no_usable_offset_but_is_still_checked() -> None:
    messages: list[Any] = [FakeMessage("a", 0, -1001, KafkaError(KafkaError._PARTITION_EOF))]
    left = {("a", 0): 3}
    assert wanted(messages, left) == {}
    assert left == {("a", 0): 3}
