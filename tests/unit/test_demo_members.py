"""The demo's members answer waits through intake: what they post, to which case, with which
key, and that a retry of the same round posts the same message (the same Idempotency-Key)."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import httpx
import orjson

from relais_cli import members
from shared.settings import Settings

WAITING = {
    "case_id": "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913",
    "member_id": "M-7",
    "last_event_at": "2026-12-03T10:00:00Z",
}


def stack(posted: list[tuple[str, dict[str, Any], str]]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            wanted = request.url.params["state"]
            return httpx.Response(200, json={"cases": [WAITING] if wanted != "resolved" else []})
        key = request.headers["Idempotency-Key"]
        posted.append((request.url.path, orjson.loads(request.content), key))
        return httpx.Response(202, json={})

    return httpx.MockTransport(handle)


async def test_members_answer_the_cases_waiting_on_them() -> None:
    posted: list[tuple[str, dict[str, Any], str]] = []
    done: Counter[str] = Counter()
    crowd = members.Members({"advisory": "http://a", "intake": "http://i"}, Settings(), done)
    transport = stack(posted)
    crowd.queues = httpx.AsyncClient(base_url="http://a", transport=transport)
    crowd.intake = httpx.AsyncClient(base_url="http://i", transport=transport)
    rng = random.Random(1)
    for _ in range(6):
        await crowd.round(rng)
    await crowd.close()
    assert posted, "some rounds answer"
    assert {p for p, _, _ in posted} == {f"/requests/{WAITING['case_id']}/messages"}
    assert {b["member_id"] for _, b, _ in posted} == {"M-7"}
    assert len({k for _, _, k in posted}) == 1  # the case did not change: the same message
    assert done["members answered"] == len(posted)
