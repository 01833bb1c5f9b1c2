"""The replayer on a real log: routing's projection from topics of this test's own, read in
different orders, from a log mixing event versions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ops import kafka
from ops.replayer import Replayer
from ops.schemas import Shadow
from ops.services import Service
from shared.codec import encode
from shared.events import PARTITIONS, REQUEST_RECEIVED, ROUTED, Event
from shared.settings import Settings
from tests.integration.conftest import scratch
from tests.support.events import T0, request, routed
from tests.support.interleavings import rows
from tests.support.kafka import produce

CASES = 300
TABLES = ("cases", "members")


@pytest.fixture
async def topics(bootstrap: str) -> AsyncIterator[dict[str, str]]:
    """Private copies of request-received and routed for this test."""
    run = uuid.uuid4().hex[:8]
    names = {REQUEST_RECEIVED: f"it-{run}.request-received", ROUTED: f"it-{run}.routed"}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in names.values()])
    yield names
    await admin.delete_topics(list(names.values()))
    await admin.close()


@pytest.fixture
async def second_scratch(settings: Settings, routing_service: Service) -> AsyncIterator[Shadow]:
    shadow = await scratch(settings, routing_service, "routing_test_b")
    yield shadow
    await shadow.pool.close()
    ops = await asyncpg.connect(settings.ops_dsn())
    await ops.execute("DROP SCHEMA routing_test_b CASCADE")
    await ops.close()


def history() -> tuple[list[Event], list[Event]]:
    """CASES requests from 40 members, and routing's decision about each."""
    requests = [
        request(i, at=T0 + timedelta(seconds=i), member={"member_id": f"M-{i % 40}"})
        for i in range(CASES)
    ]
    return list(requests), [routed(r) for r in requests]


def as_v1(event: Event) -> bytes:
    raw = orjson.loads(encode(event))
    del raw["idempotency_key"]
    raw["schema_version"] = 1
    return orjson.dumps(raw)


async def publish(bootstrap: str, topic: str, values: list[tuple[Event, bytes]]) -> None:
    await produce(bootstrap, topic, [(e.message_key.encode(), v) for e, v in values])


async def replay(
    service: Service, shadow: Shadow, bootstrap: str, names: dict[str, str], order: list[str]
) -> dict[str, list[str]]:
    """Replays the topics into ``shadow``, each of ``order``'s groups to its end in turn."""
    replayer = Replayer(service, shadow, bootstrap, topic_names=names)
    async with kafka.reader(bootstrap) as consumer:
        tps = await kafka.partitions(bootstrap, names.values())
        replayer.positions = await kafka.starts(consumer, tps)
        stop = await kafka.ends(consumer, tps)
    for topic in order:
        await replayer.run({tp: o for tp, o in stop.items() if tp.topic == topic}, lambda _: None)
    assert replayer.counts.dead_lettered == 0
    async with shadow.pool.acquire() as conn:
        return await rows(conn, TABLES)


async def test_one_topic_read_far_ahead_of_the_other_gives_the_same_projection(
    routing_service: Service,
    routing_scratch: Shadow,
    second_scratch: Shadow,
    bootstrap: str,
    topics: dict[str, str],
) -> None:
    # Given a log of requests and of routing's decisions about them
    requests, decisions = history()
    await publish(bootstrap, topics[REQUEST_RECEIVED], [(e, encode(e)) for e in requests])
    await publish(bootstrap, topics[ROUTED], [(e, encode(e)) for e in decisions])
    # When one rebuild reads every decision before any request, another the other way round
    decisions_first = await replay(
        routing_service,
        routing_scratch,
        bootstrap,
        topics,
        [topics[ROUTED], topics[REQUEST_RECEIVED]],
    )
    requests_first = await replay(
        routing_service,
        second_scratch,
        bootstrap,
        topics,
        [topics[REQUEST_RECEIVED], topics[ROUTED]],
    )
    # Then both hold every case, routed, and the same rows
    assert len(decisions_first["cases"]) == CASES
    half_known = "SELECT count(*) FROM cases WHERE request_event_id IS NULL OR queue IS NULL"
    assert await routing_scratch.pool.fetchval(half_known) == 0
    assert len(decisions_first["members"]) == 40
    assert decisions_first == requests_first


async def test_a_log_mixing_v1_and_v2_replays_to_the_same_projection(
    routing_service: Service,
    routing_scratch: Shadow,
    second_scratch: Shadow,
    bootstrap: str,
    topics: dict[str, str],
) -> None:
    # Given the same history twice: all v2, and with every other request as intake wrote v1
    requests, decisions = history()
    await publish(bootstrap, topics[REQUEST_RECEIVED], [(e, encode(e)) for e in requests])
    await publish(bootstrap, topics[ROUTED], [(e, encode(e)) for e in decisions])
    mixed = {t: f"{n}.mixed" for t, n in topics.items()}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in mixed.values()])
    try:
        await publish(
            bootstrap,
            mixed[REQUEST_RECEIVED],
            [(e, as_v1(e) if i % 2 else encode(e)) for i, e in enumerate(requests)],
        )
        await publish(bootstrap, mixed[ROUTED], [(e, encode(e)) for e in decisions])
        # When both are replayed
        both = [REQUEST_RECEIVED, ROUTED]
        current = await replay(
            routing_service, routing_scratch, bootstrap, topics, [topics[t] for t in both]
        )
        old_and_new = await replay(
            routing_service, second_scratch, bootstrap, mixed, [mixed[t] for t in both]
        )
    finally:
        await admin.delete_topics(list(mixed.values()))
        await admin.close()
    # Then the projections are identical: routing reads v1 as v2
    assert len(current["cases"]) == CASES
    assert old_and_new == current
