"""The demo's administrative team (relais_cli.staff.admin_team) against a mock admin: it claims
the open tasks nobody holds, and carries out only its own: completes most, rejects some, hands
a few to its colleague."""

from __future__ import annotations

import random
from collections import Counter

import httpx

from relais_cli import tokens
from relais_cli.staff import Desk, admin_team
from shared.settings import Settings

FREE = {"task_id": "11111111-1111-4111-8111-111111111111", "assignee": None}
MINE = {"task_id": "22222222-2222-4222-8222-222222222222", "assignee": "admin-1"}
THEIRS = {"task_id": "33333333-3333-4333-8333-333333333333", "assignee": "admin-2"}


def admin(posted: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            mine = request.url.params.get("assignee") == "admin-1"
            return httpx.Response(200, json={"tasks": [MINE] if mine else [FREE, MINE, THEIRS]})
        posted.append(request.url.path)
        return httpx.Response(200, json={})

    return httpx.MockTransport(handle)


async def test_the_team_claims_free_tasks_and_closes_or_hands_over_its_own() -> None:
    posted: list[str] = []
    desk = Desk("http://admin", tokens.ADMIN_TEAM[0], Settings(), Counter())
    await desk.client.aclose()
    desk.client = httpx.AsyncClient(base_url="http://admin", transport=admin(posted))
    rng = random.Random(5)
    for _ in range(200):
        await admin_team(desk, rng)
    await desk.client.aclose()
    claimed = {p for p in posted if p.endswith("/claim")}
    assert claimed == {f"/tasks/{FREE['task_id']}/claim"}  # never a colleague's task
    closed = [p.rsplit("/", 1)[1] for p in posted if p.startswith(f"/tasks/{MINE['task_id']}")]
    assert set(closed) == {"completion", "rejection", "assignment"}
    assert closed.count("completion") > closed.count("rejection") > 0
    assert not any(p.startswith(f"/tasks/{THEIRS['task_id']}") for p in posted)
