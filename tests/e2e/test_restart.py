"""routing killed -9 mid-stream and restarted neither loses nor duplicates a case."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import asyncpg
import httpx
import orjson

from relais_cli.demo_data import stream
from shared.events import ROUTED
from tests.support.auth import CHANNEL
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ServiceProcess

COUNT = 400


async def test_routing_killed_mid_stream_loses_and_duplicates_nothing(
    intake: ServiceProcess, routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool
) -> None:
    since = await end_offsets(bootstrap, ROUTED)
    bodies = stream(COUNT, seed=606)
    case_ids: list[str] = []
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=30) as client:

        async def send(chunk: list[dict[str, object]]) -> None:
            for body in chunk:
                response = await client.post("/requests", json=body)
                assert response.status_code == 202
                case_ids.append(response.json()["case_id"])

        # Given requests streaming in
        sending = asyncio.gather(*[send(bodies[i::8]) for i in range(8)])
        # When routing is killed -9 while they flow, then started again
        while len(case_ids) < COUNT // 3:  # noqa: ASYNC110 - polling a plain list is enough here
            await asyncio.sleep(0.01)
        routing.kill()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(routing.start)  # keep the senders going meanwhile
        await sending
    wanted = set(case_ids)
    records = await collect(
        bootstrap,
        ROUTED,
        since,
        lambda rs: wanted <= {orjson.loads(r.value)["case_id"] for r in rs},
        timeout=90,
    )
    events = [orjson.loads(r.value) for r in records]
    ours = [e for e in events if e["case_id"] in wanted]
    # Then every case was routed, by exactly one decision
    assert {e["case_id"] for e in ours} == wanted
    decisions = Counter(e["case_id"] for e in {e["event_id"]: e for e in ours}.values())
    assert set(decisions.values()) == {1}
    # And routing's projection holds each case exactly once
    rows = await db.fetch(
        "SELECT case_id FROM routing.cases WHERE case_id = ANY($1::uuid[])",
        [uuid.UUID(c) for c in wanted],
    )
    assert len(rows) == COUNT
