"""A service's ops endpoints on the real stack: routing's lag, outbox and dead letters read
over HTTP, and a dead letter redriven through it (before the fix: it comes back, once)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from shared.codec import encode
from shared.events import REQUEST_RECEIVED
from shared.identity import Role
from tests.support.auth import bearer
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import produce
from tests.support.polling import until
from tests.support.processes import ServiceProcess

OPS = bearer(Role.OPS)


async def test_dead_letters_are_read_and_redriven_over_http(
    routing: ServiceProcess, bootstrap: str
) -> None:
    async with httpx.AsyncClient(base_url=routing.url, headers=OPS, timeout=30) as client:
        # Given a request routing fails on (an office it does not serve): a dead letter
        event = request(
            4242, at=datetime.now(UTC), member={"home_office": "arlon"}, producer=TEST_PRODUCER
        )
        case_id = str(event.case_id)
        await produce(bootstrap, REQUEST_RECEIVED, [(case_id.encode(), encode(event))])

        async def mine() -> list[dict[str, Any]]:
            listed = (await client.get("/ops/dead-letters")).json()["dead_letters"]
            return [d for d in listed if d["key"] == case_id]

        # Then ops read it with where it came from and why
        (first,) = await until(mine, lambda found: len(found) == 1)
        assert first["origin_topic"] == REQUEST_RECEIVED
        assert first["reason"].startswith("handler error: UnknownOffice")
        assert (first["redrives"], first["redriven"]) == (0, False)
        shown = await client.get(f"/ops/dead-letters/{first['partition']}/{first['offset']}")
        assert shown.json()["value"]["case_id"] == case_id
        assert shown.json()["headers"]["dlq.service"] == "routing"
        # And the status counts it, with routing's group lag on what it consumes
        status = (await client.get("/ops/status")).json()
        assert status["service"] == "routing"
        assert status["dead_letters"] >= 1
        [group] = status["consumer_groups"]
        assert group["group"] == "routing"
        assert REQUEST_RECEIVED in {p["topic"] for p in group["partitions"]}
        assert status["outbox"]["rows"] >= 0
        # When ops redrive it before the fix
        at = {"partition": first["partition"], "offset": first["offset"]}
        sent = await client.post("/ops/dead-letters/redrive", json={"positions": [at]})
        assert sent.status_code == 200, sent.text
        assert [d["key"] for d in sent.json()["redriven"]] == [case_id]
        # Then it fails again and comes back once, its origin kept and its redrive counted
        found = await until(mine, lambda found: len(found) == 2)
        again = [d for d in found if d["offset"] != first["offset"]]
        assert [(d["redrives"], d["origin_offset"]) for d in again] == [(1, first["origin_offset"])]
        # And a position with no dead letter is a 404 in words
        missing = await client.post(
            "/ops/dead-letters/redrive", json={"positions": [{"partition": 0, "offset": 10**9}]}
        )
        assert missing.status_code == 404
        assert missing.json()["error"] == "no_dead_letter"
