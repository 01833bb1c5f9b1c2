"""routing waits out a database outage: its batches are retried with bounded backoff and given
back to Kafka, never dead-lettered, never lost; everything is routed once it returns.

Named to run last: it stops and restarts the stack's PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections import Counter
from datetime import UTC, datetime

import asyncpg
import orjson
import pytest

from shared import dead_letters
from shared.codec import encode
from shared.events import REQUEST_RECEIVED, ROUTED
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import collect, end_offsets, produce
from tests.support.processes import ROOT, ServiceProcess
from tests.support.traffic import until_routed

COUNT = 40
OUTAGE_S = 12  # longer than one round of retries (0.2 + 0.4 + 0.8 + 1.6 + 3.2 s)


def postgres(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "postgres.sh"), action], check=True, timeout=120)


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="stops the database: only with the local stack, not with an external one",
)
async def test_routing_waits_out_a_database_outage_and_loses_nothing(
    routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool
) -> None:
    since_routed = await end_offsets(bootstrap, ROUTED)
    since_dlq = await end_offsets(bootstrap, dead_letters.topic_for("routing"))
    events = [request(2000 + i, at=datetime.now(UTC), producer=TEST_PRODUCER) for i in range(COUNT)]
    wanted = {str(e.case_id) for e in events}
    # Given the database is down
    postgres("down")
    try:
        # When requests reach routing meanwhile, and stay unprocessable for a while
        await produce(
            bootstrap, REQUEST_RECEIVED, [(str(e.case_id).encode(), encode(e)) for e in events]
        )
        await asyncio.sleep(OUTAGE_S)
    finally:
        postgres("up")
    # Then once it is back every request is routed, exactly once
    records = await collect(
        bootstrap,
        ROUTED,
        since_routed,
        lambda rs: wanted <= {orjson.loads(r.value)["case_id"] for r in rs},
        timeout=120,
    )
    decisions = Counter(
        e["case_id"] for e in (orjson.loads(r.value) for r in records) if e["case_id"] in wanted
    )
    assert set(decisions) == wanted
    assert set(decisions.values()) == {1}
    await db.expire_connections()  # the pool's connections died with the server
    assert await until_routed(db, sorted(wanted)) == COUNT
    # And none of them was dead-lettered: the outage was the infrastructure's, not theirs
    dead = await collect(
        bootstrap, dead_letters.topic_for("routing"), since_dlq, lambda rs: False, timeout=2
    )
    assert not [r for r in dead if r.key and r.key.decode() in wanted]
