"""Partitions added while running (issue 16 point 3): `relais partitions grow` of
`request-received` (one event per case), then of `routed` (several: a case is routed again
when escalated or transferred), while two instances of every service carry traffic. Every
accepted request is visible exactly once (the same checks as tests/scale/test_instances.py),
the readers own the new partitions before the relay resumes, and `relais verify` finds every
projection identical to its log afterwards (a grown topic replayed in phases).

The topics grow for good on the stack this runs on (Kafka cannot remove partitions): doubled
each run, as docs/scaling.md advises, up to 24 (a fresh stack, `make down && make up`, to run
it again beyond)."""

from __future__ import annotations

import asyncpg
import pytest

from ops import kafka, partitions
from ops.verify import verify
from shared.events import REQUEST_RECEIVED, ROUTED, SERVICES
from shared.settings import Settings
from tests.scale.test_instances import exactly_once
from tests.support.chaos.workload import Workload
from tests.support.scale import Instances

GROWN = {REQUEST_RECEIVED: {"routing", "advisory", "admin"}, ROUTED: {"advisory"}}


async def test_topics_grown_while_running_lose_double_and_reorder_nothing(
    instances: Instances, settings: Settings, db: asyncpg.Pool
) -> None:
    bootstrap = settings.kafka_bootstrap_servers
    before = {t: len(await kafka.partitions(bootstrap, [t])) for t in GROWN}
    if any(n * 2 > 24 for n in before.values()):
        pytest.skip(f"the topics have {before} partitions here already")
    said: list[str] = []
    grown: list[partitions.Grown] = []

    async def grow(_: list[Workload]) -> None:
        for topic, count in before.items():
            plan = await partitions.plan(settings, topic, count * 2)
            grown.append(await partitions.grow(settings, plan, timeout_s=120, say=said.append))

    assert await exactly_once(instances, settings, db, 1606, "partitions", grow) == []
    for topic, count in before.items():
        assert len(await kafka.partitions(bootstrap, [topic])) == count * 2
    assert [g.plan.topic for g in grown] == list(GROWN)
    for done in grown:
        assert {r.group for r in done.plan.readers} == GROWN[done.plan.topic]
        assert done.late == {}, said
    for service in SERVICES:
        verdict = await verify(settings, service)
        assert verdict.identical, (service, [t.table for t in verdict.tables if not t.same])
    # (how long each producer's events waited, for docs/scaling.md)
    print({g.plan.topic: round(g.paused_s, 1) for g in grown})
