"""Kafka offsets committed in the background: the explicit offsets past what PostgreSQL has
committed, never going back, one commit at a time, at most one per interval."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from shared import offsets
from shared.offsets import OffsetCommitter


class Consumer:
    """Records what was committed; a commit takes a little while, and may fail."""

    def __init__(self, fail_first: bool = False) -> None:
        self.commits: list[dict[TopicPartition, int]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._fail = fail_first

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        if self._fail:
            self._fail = False
            raise RuntimeError("rebalancing")
        self.commits.append(dict(offsets))


def record(partition: int, offset: int) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord("t", partition, offset, 0, 0, None, b"", None, 0, 0, ())


async def test_commits_the_offsets_past_each_partitions_last_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(offsets, "MIN_INTERVAL_S", 0.05)
    consumer, committer = Consumer(), OffsetCommitter()
    # Given batches committed to PostgreSQL one after the other
    committer.commit_after(consumer, [record(0, 5), record(1, 7)])
    committer.commit_after(consumer, [record(0, 6)])
    await asyncio.sleep(0.2)
    committer.commit_after(consumer, [record(1, 9), record(0, 8)])
    await asyncio.sleep(0.2)
    # Then Kafka gets the next offset of every partition, in order, never backwards
    tp0, tp1 = TopicPartition("t", 0), TopicPartition("t", 1)
    assert consumer.commits[-1] == {tp0: 9, tp1: 10}
    for earlier, later in zip(consumer.commits, consumer.commits[1:], strict=False):
        assert all(later.get(tp, 0) >= n for tp, n in earlier.items())
    # And never two commits at once
    assert consumer.most_in_flight == 1


async def test_a_failed_commit_is_not_retried_and_does_not_stop_later_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(offsets, "MIN_INTERVAL_S", 0.0)
    consumer, committer = Consumer(fail_first=True), OffsetCommitter()
    committer.commit_after(consumer, [record(0, 1)])
    await asyncio.sleep(0.05)
    committer.commit_after(consumer, [record(0, 2)])
    await asyncio.sleep(0.05)
    assert consumer.commits == [{TopicPartition("t", 0): 3}]
