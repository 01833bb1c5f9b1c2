"""The bulk first pass (ops.bulk) and the replay split between processes (ops.parallel) against
the handlers in one process: the same messy log of routing's sources replayed each way must
give the same projection, the same dead letters, the same counts and positions."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

import asyncpg
import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ops import bulk, compare, kafka, schemas
from ops.kafka import Offsets
from ops.parallel import run_parallel
from ops.replayer import Replayer
from ops.schemas import Shadow
from ops.services import Service
from shared import dead_letters
from shared.events import PARTITIONS, REQUEST_RECEIVED
from shared.settings import Settings
from tests.integration.conftest import scratch
from tests.support.kafka import produce
from tests.support.mixed_log import ROUTING_TOPICS, mixed_log

DEAD_LETTERS = "SELECT headers FROM outbox"
POSITIONS = "SELECT topic, partition, next_offset FROM consumer_positions ORDER BY 1, 2"


@pytest.fixture
async def topics(bootstrap: str) -> AsyncIterator[dict[str, str]]:
    """Private copies of routing's source topics, filled with the mixed log."""
    run = uuid.uuid4().hex[:8]
    names = {t: f"it-{run}.{t}" for t in ROUTING_TOPICS}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in names.values()])
    for topic, messages in mixed_log().items():
        await produce(bootstrap, names[topic], messages)
    yield names
    await admin.delete_topics(list(names.values()))
    await admin.close()


@pytest.fixture
async def shadows(settings: Settings, routing_service: Service) -> AsyncIterator[list[Shadow]]:
    made = [await scratch(settings, routing_service, f"routing_bulk_{s}") for s in "ab"]
    yield made
    for shadow in made:
        await shadow.pool.close()
    ops = await asyncpg.connect(settings.ops_dsn())
    for shadow in made:
        await schemas.drop(ops, shadow.schema)
    await ops.close()


async def replay(
    service: Service,
    shadow: Shadow,
    bootstrap: str,
    names: dict[str, str],
    *,
    in_bulk: bool,
    workers: int = 1,
    processes: int = 1,
) -> dict[str, Any]:
    """Replays the topics into the empty ``shadow``; what it holds and did afterwards."""
    replayer = Replayer(service, shadow, bootstrap, topic_names=names)
    async with kafka.reader(bootstrap) as consumer:
        tps = await kafka.partitions(bootstrap, names.values())
        replayer.positions = await kafka.starts(consumer, tps)
        stop: Offsets = await kafka.ends(consumer, tps)
    # a record the service dead-lettered live: skipped, as live
    replayer.skip = frozenset({dead_letters.record_id(names[REQUEST_RECEIVED], 0, 0)})
    rest = await bulk.load(replayer, stop, lambda _: None, workers) if in_bulk else stop
    if processes > 1:
        await run_parallel(replayer, rest, processes, lambda _: None)
    else:
        await replayer.run(rest, lambda _: None)
    async with shadow.pool.acquire() as conn:
        tables = await schemas.projection_tables(conn, shadow.schema)
        letters = [orjson.loads(r["headers"]) for r in await conn.fetch(DEAD_LETTERS)]
        return {
            "checksums": await compare.checksums(conn, shadow.schema, tables),
            "counts": asdict(replayer.counts),
            "dead letters": sorted(
                (h[dead_letters.FAILED_RECORD], h[dead_letters.REASON]) for h in letters
            ),
            "positions": [tuple(r) for r in await conn.fetch(POSITIONS)],
            "cases": await conn.fetchval("SELECT count(*) FROM cases"),
        }


# One stager, or two processes sharing the partitions (ops.bulk_workers).
@pytest.mark.parametrize("workers", [1, 2])
async def test_the_bulk_pass_gives_what_the_handlers_give(
    routing_service: Service,
    shadows: list[Shadow],
    bootstrap: str,
    topics: dict[str, str],
    workers: int,
) -> None:
    # Given a messy log of routing's sources (see tests/support/mixed_log.py)
    # When it is replayed by the handlers alone, and by the bulk pass then the handlers
    by_handlers = await replay(routing_service, shadows[0], bootstrap, topics, in_bulk=False)
    in_bulk = await replay(
        routing_service, shadows[1], bootstrap, topics, in_bulk=True, workers=workers
    )
    # Then both hold the same rows in every table, dead-lettered the same records for the same
    # reasons, counted alike and stored the same positions
    assert by_handlers["cases"] > 60
    assert len(by_handlers["dead letters"]) >= 9
    assert by_handlers["counts"]["skipped"] == 1
    staged = in_bulk["counts"].pop("in_bulk")
    assert by_handlers["counts"].pop("in_bulk") == 0
    assert in_bulk == by_handlers
    # And the bulk pass did stage most requests and decisions (it does not just pass them on)
    assert staged >= 140


async def test_the_handlers_in_two_processes_give_what_one_gives(
    routing_service: Service, shadows: list[Shadow], bootstrap: str, topics: dict[str, str]
) -> None:
    # Given the messy log, When it is replayed by the handlers in one process, and in two
    # worker processes sharing the partitions (ops.parallel, through ops.workers)
    one = await replay(routing_service, shadows[0], bootstrap, topics, in_bulk=False)
    two = await replay(routing_service, shadows[1], bootstrap, topics, in_bulk=False, processes=2)
    # Then both hold the same rows, dead letters, counts and positions
    assert one["cases"] > 60
    assert two == one


async def test_a_failing_staging_worker_fails_the_pass_with_its_error(
    routing_service: Service, shadows: list[Shadow], bootstrap: str, topics: dict[str, str]
) -> None:
    # Given a shadow the worker process cannot reach (this process's pool still can)
    good = shadows[1]
    unreachable = dataclasses.replace(good, dsn=good.dsn.replace("@", "x@", 1))
    replayer = Replayer(routing_service, unreachable, bootstrap, topic_names=topics)
    async with kafka.reader(bootstrap) as consumer:
        tps = await kafka.partitions(bootstrap, topics.values())
        replayer.positions = await kafka.starts(consumer, tps)
        stop: Offsets = await kafka.ends(consumer, tps)
    # When the bulk pass stages with two processes, Then it fails with the worker's own error
    with pytest.raises(RuntimeError, match=r"(?s)worker process failed.*password"):
        await bulk.load(replayer, stop, lambda _: None, workers=2)
    # And the shadow is left as it was: nothing merged, the staging tables dropped
    async with good.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM cases") == 0
        assert await conn.fetchval("SELECT to_regclass('bulk_requests')") is None
