"""The rebuild benchmark (`make bench`'s second half) still works: tiny volumes on the real
stack, on topics and a schema of the test's own. No speed is asserted — only that each phase
measured something, that the rebuild made the rows the events describe, and that the run
leaves nothing behind."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from bench.rebuild import measure
from bench.rebuild_phases import Names
from shared.settings import Settings


async def leftovers(settings: Settings, names: Names) -> tuple[set[str], bool]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        topics = set(await admin.list_topics()) & set(names.topics.values())
    finally:
        await admin.close()
    conn = await asyncpg.connect(settings.ops_dsn())
    try:
        schema = await conn.fetchval("SELECT to_regnamespace($1)::text", names.schema)
    finally:
        await conn.close()
    return topics, schema is not None


def test_a_small_rebuild_bench_measures_every_phase_and_cleans_up(settings: Settings) -> None:
    names = Names(f"it_{uuid.uuid4().hex[:8]}")
    # When the bench runs one round over 2,000 events, with a staging worker process
    result = measure(events=2000, workers=2, rounds=1, names=names, pause=0)
    # Then every phase measured a rate, and the ratio is the round's
    [round_] = result.rounds
    assert round_.drain_events_per_s > 0
    assert round_.librdkafka_drain_events_per_s > 0
    assert round_.rebuild_events_per_s > 0
    assert result.ratio == round_.ratio == round_.rebuild_events_per_s / round_.drain_events_per_s
    assert result.rebuild_peak_rss_mb > 0
    # And the rebuild holds one case per request, each member once
    assert result.rows["cases"] == 1000
    assert 0 < result.rows["members"] <= 1000
    # And neither its topics nor its scratch schema are left behind
    assert asyncio.run(leftovers(settings, names)) == (set(), False)
