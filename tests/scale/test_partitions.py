"""Partitions added while running (issue 16 point 3): `relais partitions grow request-received`
while two instances of every service carry traffic. Every accepted request is visible exactly
once (the same checks as tests/scale/test_instances.py), the readers own the new partitions,
and `relais verify` finds every projection identical to its log afterwards.

The topic grows for good on the stack it runs on (Kafka cannot remove partitions): doubled
each run, as docs/scaling.md advises, up to 24 (a fresh stack, `make down && make up`, to run
it again beyond)."""

from __future__ import annotations

import asyncpg
import pytest

from ops import kafka, partitions
from ops.verify import verify
from shared.events import REQUEST_RECEIVED, SERVICES
from shared.settings import Settings
from tests.scale.test_instances import exactly_once
from tests.support.chaos.workload import Workload
from tests.support.scale import Instances


async def test_request_received_grown_while_running_loses_doubles_and_reorders_nothing(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    bootstrap = settings.kafka_bootstrap_servers
    before = len(await kafka.partitions(bootstrap, [REQUEST_RECEIVED]))
    if before * 2 > 24:
        pytest.skip(f"{REQUEST_RECEIVED} has {before} partitions here already")
    said: list[str] = []
    grown: list[partitions.Grown] = []

    async def grow(_: list[Workload]) -> None:
        plan = await partitions.plan(settings, REQUEST_RECEIVED, before * 2)
        grown.append(await partitions.grow(settings, plan, timeout_s=120, say=said.append))

    assert await exactly_once(instances, settings, db, 1606, "partitions", grow) == []
    assert len(await kafka.partitions(bootstrap, [REQUEST_RECEIVED])) == before * 2
    (done,) = grown
    assert {r.group for r in done.plan.readers} == {"routing", "advisory", "admin"}
    assert done.late == {}, said
    for service in SERVICES:
        verdict = await verify(settings, service)
        assert verdict.identical, (service, [t.table for t in verdict.tables if not t.same])
