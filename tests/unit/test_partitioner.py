"""The relays' partitioner puts every key exactly where Kafka's default partitioner does."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference_murmur2
from hypothesis import given
from hypothesis import strategies as st

from shared.partitioner import murmur2, partition


@given(st.binary(max_size=200))
def test_murmur2_is_kafkas(data: bytes) -> None:
    assert murmur2(data) == reference_murmur2(data)


@given(st.uuids(), st.integers(min_value=1, max_value=64))
def test_a_case_key_goes_to_the_same_partition_as_with_aiokafka(
    case_id: object, count: int
) -> None:
    key = str(case_id).encode()
    partitions = list(range(count))
    assert partition(key, partitions, partitions) == DefaultPartitioner()(
        key, partitions, partitions
    )


def test_a_message_without_key_goes_to_an_available_partition() -> None:
    assert partition(None, [0, 1, 2], [2]) == 2
