"""Two instances of every service with traffic flowing (one chaos workload per instance, at
once, each talking to its own instance of every service), checked exactly once on the log and
in the projections (tests/support/chaos/checks.py): shared work, one instance of each killed
-9, a rolling restart of every instance, one broker of three killed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from confluent_kafka.admin import AdminClient

from shared.settings import Settings
from tests.support.chaos import log
from tests.support.chaos.run import Outcome, checked
from tests.support.chaos.scenarios import SERVICES, Scenario
from tests.support.chaos.workload import Workload
from tests.support.scale import Instances, kill_broker, start_brokers, workloads

Disruption = Callable[[], Awaitable[None]]


async def exactly_once(
    instances: Instances,
    settings: Settings,
    db: asyncpg.Pool,
    seed: int,
    label: str,
    disrupt: Callable[[list[Workload]], Awaitable[None]] | None = None,
) -> list[str]:
    """Runs the workloads (and the disruption beside them, once traffic flows); what is wrong
    once the stack is quiet."""
    marks = await log.marks(settings.kafka_bootstrap_servers)
    runs = workloads(instances, seed, label)
    working = asyncio.gather(*[run.run(db) for run in runs])
    if disrupt is not None:
        while sum(len(r.told.cases) for r in runs) < 4 and not working.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        await disrupt(runs)
    told = await working
    wrong: list[str] = []
    for i, one in enumerate(told):
        outcome = Outcome(Scenario(f"{label}-{i}", "scale", kills=0), seed, 0)
        wrong += one.problems + await checked(settings, db, one, marks, outcome)
    return wrong


def partitions_held(settings: Settings, group: str) -> list[set[tuple[str, int]]]:
    """The partitions each member of ``group`` holds."""
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap_servers})
    described = admin.describe_consumer_groups([group])[group].result()
    return [
        {(tp.topic, tp.partition) for tp in m.assignment.topic_partitions}
        for m in described.members
    ]


async def test_two_instances_of_each_service_share_the_work(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    assert await exactly_once(instances, settings, db, 1601, "shared") == []
    for service in ("routing", "advisory", "admin"):
        held = partitions_held(settings, service)
        # Each instance has one member per subscribed topic; with two, each topic's partitions
        # are split between the instances' members.
        by_topic: dict[str, int] = {}
        for member in held:
            for topic in {t for t, _ in member}:
                by_topic[topic] = by_topic.get(topic, 0) + 1
        assert by_topic, service
        assert all(n == 2 for n in by_topic.values()), (service, by_topic)


async def test_one_instance_of_each_service_killed_loses_and_doubles_nothing(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    async def kill(_: list[Workload]) -> None:
        for name in SERVICES:
            instances.processes[name][1].kill()
        await asyncio.sleep(3.0)  # its clients retry meanwhile; its partitions move on
        for name in SERVICES:
            await asyncio.to_thread(instances.restart, name, 1)

    assert await exactly_once(instances, settings, db, 1602, "killed", kill) == []


async def test_rolling_restart_of_every_instance_loses_nothing(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    async def rolling(_: list[Workload]) -> None:
        for name in SERVICES:
            for i in range(len(instances.processes[name])):
                instances.processes[name][i].stop()  # SIGTERM: a deploy's stop
                await asyncio.to_thread(instances.restart, name, i)

    assert await exactly_once(instances, settings, db, 1603, "rolling", rolling) == []


async def test_a_third_instance_of_each_service_added_while_running(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    async def add(_: list[Workload]) -> None:
        await asyncio.to_thread(instances.add, 2)

    try:
        assert await exactly_once(instances, settings, db, 1604, "added", add) == []
    finally:
        for name in SERVICES:
            if len(instances.processes[name]) > 2:
                instances.processes[name].pop().stop()


async def test_one_broker_of_three_killed_loses_and_doubles_nothing(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    if settings.brokers < 3:
        pytest.skip(
            "needs the 3-node cluster: RELAIS_BROKERS=3 make up, RELAIS_BROKERS=3 make scale"
        )

    async def kill(_: list[Workload]) -> None:
        kill_broker(2)
        await asyncio.sleep(10.0)
        await asyncio.to_thread(start_brokers, settings)

    assert await exactly_once(instances, settings, db, 1605, "broker", kill) == []
