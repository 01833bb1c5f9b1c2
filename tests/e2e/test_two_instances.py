"""Two instances of every service share the work (issue 16; the long variants are `make
scale`): a second process of each of the four services joins the running ones' consumer
groups; a chaos workload talks to the second ones while the first ones keep consuming; each
topic's partitions are split between the two, and everything is there exactly once."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.chaos import log
from tests.support.chaos.run import Outcome, checked
from tests.support.chaos.scenarios import SERVICES, Scenario
from tests.support.chaos.workload import Workload
from tests.support.processes import ServiceProcess
from tests.support.scale import Instances, partitions_by_topic, port


@pytest.fixture
def second(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> Iterator[Instances]:
    """The session's services as instance 0, a second process of each as instance 1."""
    fleet = Instances(
        {"intake": [intake], "routing": [routing], "advisory": [advisory], "admin": [admin]}
    )
    fleet.add(1)
    yield fleet
    for name in SERVICES:
        fleet.processes[name].pop().stop()


async def test_two_instances_of_each_service_share_the_work_exactly_once(
    second: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    assert all(second.processes[n][1].url.endswith(str(port(n, 1))) for n in SERVICES)
    marks = await log.marks(settings.kafka_bootstrap_servers)
    workload = Workload(
        second.urls(1), 1606, label="two-instances", requests=8, worked=2, profiled="two-instances"
    )
    told = await workload.run(db)
    outcome = Outcome(Scenario("two-instances", "scale", kills=0), 1606, 0)
    assert told.problems + await checked(settings, db, told, marks, outcome) == []
    for service in ("routing", "advisory", "admin"):
        held = partitions_by_topic(settings, service)
        assert held, service
        assert all(n == 2 for n in held.values()), (service, held)
