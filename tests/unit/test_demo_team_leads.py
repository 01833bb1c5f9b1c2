"""The demo's team leads (relais_cli.team_leads) against a mock stack: they give a case of the
busiest adviser to the least busy one present, never to someone away, and now and then record
a short absence at routing."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import httpx
import orjson

from relais_cli import team_leads, tokens
from relais_cli.staff import Desk
from shared.settings import Settings

WORKLOAD = {
    "office": "liege",
    "team": "first_line",
    "advisers": [
        {"adviser_id": "busy", "capacity": 8, "claimed": 6, "waiting": 1, "open_cases": 7,
         "away_until": None, "desk": None},
        {"adviser_id": "idle", "capacity": 8, "claimed": 0, "waiting": 0, "open_cases": 0,
         "away_until": None, "desk": None},
        {"adviser_id": "gone", "capacity": 8, "claimed": 0, "waiting": 0, "open_cases": 0,
         "away_until": "2026-12-03T18:00:00Z", "desk": None},
    ],
}  # fmt: skip
CASE = {"case_id": "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913"}


def stack(posted: list[tuple[str, str, dict[str, Any]]]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/workload":
            return httpx.Response(200, json=WORKLOAD)
        if request.method == "GET":
            assert request.url.params["assignee"] == "busy"
            return httpx.Response(200, json={"cases": [CASE]})
        posted.append((request.url.host, request.url.path, orjson.loads(request.content)))
        return httpx.Response(200, json={})

    return httpx.MockTransport(handle)


async def test_team_leads_move_work_to_the_idle_and_record_absences_now_and_then() -> None:
    posted: list[tuple[str, str, dict[str, Any]]] = []
    done: Counter[str] = Counter()
    desk = Desk("http://advisory", tokens.team_lead("liege"), Settings(), done)
    await desk.client.aclose()
    desk.client = httpx.AsyncClient(base_url="http://advisory", transport=stack(posted))
    rng = random.Random(3)
    for _ in range(200):
        await team_leads.team_lead(desk, rng, "http://routing")
    await desk.client.aclose()
    moves = [b for host, path, b in posted if path.endswith("/reassign")]
    absences = [(host, path) for host, path, _ in posted if path.endswith("/absences")]
    assert moves, "some rounds reassign"
    assert {m["to"] for m in moves} == {"idle"}  # the least busy present, never 'gone'
    assert absences, "a few rounds record an absence"
    assert len(absences) < len(moves)
    assert {h for h, _ in absences} == {"routing"}
    assert {p.split("/")[2] for _, p in absences} <= {"busy", "idle"}
    assert done["reassigned by a team lead"] == len(moves)
