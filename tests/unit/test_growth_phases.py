"""A replay of a topic that grew reads it in phases: up to where each old partition ended when
it grew, then on; so a case's events of that topic are applied in the order written."""

from __future__ import annotations

from typing import Any, cast

from aiokafka import TopicPartition

from ops.growth_phases import Growth, phases
from ops.shadow_run import ShadowRun


def tp(topic: str, partition: int) -> TopicPartition:
    return TopicPartition(topic, partition)


def test_nothing_grew_one_phase() -> None:
    stop = {tp("routed", 0): 10, tp("routed", 1): 7}
    assert phases(stop, {}, []) == [stop]


def test_a_grown_topic_is_read_to_its_cut_first_its_new_partitions_after() -> None:
    # routed grew from 2 to 4 when partition 0 ended at 6 and partition 1 at 4; sla did not
    stop = {
        tp("routed", 0): 10,
        tp("routed", 1): 7,
        tp("routed", 2): 3,
        tp("routed", 3): 5,
        tp("sla", 0): 9,
    }
    positions = dict.fromkeys(stop, 0)
    first, last = phases(stop, positions, [Growth("routed", 2, {0: 6, 1: 4})])
    assert first == {
        tp("routed", 0): 6,
        tp("routed", 1): 4,
        tp("routed", 2): 0,  # not read yet
        tp("routed", 3): 0,
        tp("sla", 0): 9,  # a topic that never grew: all of it
    }
    assert last == stop


def test_two_growths_three_phases_and_a_stop_before_a_cut_wins() -> None:
    stop = {tp("t", p): 8 for p in range(4)} | {tp("t", 0): 3}
    growths = [Growth("t", 1, {0: 2}), Growth("t", 2, {0: 5, 1: 4})]
    one, two, three = phases(stop, dict.fromkeys(stop, 0), growths)
    assert one == {tp("t", 0): 2, tp("t", 1): 0, tp("t", 2): 0, tp("t", 3): 0}
    assert two == {tp("t", 0): 3, tp("t", 1): 4, tp("t", 2): 0, tp("t", 3): 0}
    assert three == stop


def test_a_replay_already_past_a_cut_is_not_sent_back() -> None:
    # A kept projection brought up to date: its new partitions are where it stands.
    stop = {tp("t", 0): 9, tp("t", 1): 4}
    first, _ = phases(stop, {tp("t", 0): 9, tp("t", 1): 2}, [Growth("t", 1, {0: 5})])
    assert first == {tp("t", 0): 5, tp("t", 1): 2}


class Replayer:
    """Records the stops it is asked to replay to, and goes there."""

    def __init__(self) -> None:
        self.positions: dict[TopicPartition, int] = {}
        self.runs: list[dict[TopicPartition, int]] = []

    def remaining(self, stop: dict[TopicPartition, int]) -> int:
        return sum(max(0, end - self.positions.get(tp, end)) for tp, end in stop.items())

    async def run(self, stop: dict[TopicPartition, int], progress: object) -> None:
        self.runs.append(dict(stop))
        self.positions.update(stop)

    async def apply_pending(self, records: object) -> None:
        pass


class Observer:
    def phase(self, *args: object) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


async def test_rebuild_and_verify_replay_in_phases() -> None:
    # The final catch-up of both (catch_up's rounds go through the same ShadowRun.replay)
    replayer = Replayer()
    replayer.positions = {tp("routed", p): 0 for p in range(4)}
    nothing = cast(Any, None)
    run = ShadowRun(
        service=nothing,
        ops=nothing,
        pool=nothing,
        consumer=nothing,
        replayer=cast(Any, replayer),
        shadow="routing_test",
        tables=[],
        live_tps=[],
        own_tps=[],
        growths=[Growth("routed", 2, {0: 6, 1: 4})],
    )
    stop = {tp("routed", 0): 10, tp("routed", 1): 7, tp("routed", 2): 3, tp("routed", 3): 5}
    await run.replay_to(stop, [], cast(Any, Observer()))
    cut = {tp("routed", 0): 6, tp("routed", 1): 4, tp("routed", 2): 0, tp("routed", 3): 0}
    assert replayer.runs == [cut, stop]
