"""intake keeps accepting while Kafka is down; the backlog is published when it returns.

Named to run last: it stops and restarts the shared broker."""

from __future__ import annotations

import os
import subprocess
import uuid

import asyncpg
import httpx
import orjson
import pytest

from relais_cli.demo_data import stream
from shared.events import ROUTED
from tests.support.auth import CHANNEL
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ROOT, ServiceProcess

COUNT = 25


def kafka(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "deploy" / "kafka.sh"), action], check=True, timeout=180)


@pytest.mark.skipif(
    bool(os.environ.get("KAFKA_BOOTSTRAP_SERVERS")),
    reason="stops the broker: only with the local stack, not with external Kafka",
)
async def test_intake_accepts_while_kafka_is_down_and_publishes_the_backlog(
    intake: ServiceProcess, routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool
) -> None:
    since = await end_offsets(bootstrap, ROUTED)
    # Given Kafka is stopped
    kafka("down")
    try:
        # When members keep sending requests
        async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=10) as client:
            answers = [await client.post("/requests", json=b) for b in stream(COUNT, seed=707)]
            # Then intake accepts every one of them, and keeps them until Kafka is back
            assert {a.status_code for a in answers} == {202}
            case_ids = {a.json()["case_id"] for a in answers}
            pending = await db.fetchval("SELECT count(*) FROM intake.outbox")
            assert pending >= COUNT
            status = (await client.get(f"/requests/{next(iter(case_ids))}")).json()["status"]
            assert status == "accepted"
    finally:
        kafka("up")
    # And once Kafka returns the backlog is published and routed
    records = await collect(
        bootstrap,
        ROUTED,
        since,
        lambda rs: case_ids <= {orjson.loads(r.value)["case_id"] for r in rs},
        timeout=120,
    )
    assert case_ids <= {orjson.loads(r.value)["case_id"] for r in records}
    rows = await db.fetchval(
        "SELECT count(*) FROM routing.cases WHERE case_id = ANY($1::uuid[])",
        [uuid.UUID(c) for c in case_ids],
    )
    assert rows == COUNT
