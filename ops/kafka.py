"""Reading the log as ops tools do: plain aiokafka clients, no consumer group, big fetches
(the clients themselves are shared/kafka_reads.py's, which the services' ops endpoints use too)."""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka import TopicPartition

from shared.kafka_reads import FETCH, Offsets, ends, partitions, reader, starts

__all__ = ["FETCH", "Offsets", "ends", "partitions", "reader", "split", "starts"]


def split(stop: Mapping[TopicPartition, int], shares: int) -> list[Offsets]:
    """The partitions shared between ``shares`` processes by partition number: a case's events
    share a partition number on every topic (the key is the case id)."""
    parts: list[Offsets] = [{} for _ in range(shares)]
    for tp, end in stop.items():
        parts[tp.partition % shares][tp] = end
    return [p for p in parts if p]
