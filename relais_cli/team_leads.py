"""Team leads in the simulated day (relais_cli.staff): now and then one gives a case of their
busiest adviser to the least busy one present, and, rarely, records a short absence for an
adviser of their office, whose open cases advisory then hands back to their queues."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # staff runs the team leads: no import back at run time
    from relais_cli.staff import Desk

REASSIGN_SHARE = 0.3  # of a team lead's rounds
ABSENCE_SHARE = 0.02
ABSENCE = timedelta(minutes=5)


async def team_lead(desk: Desk, rng: random.Random, routing_url: str) -> None:
    """One round of a team lead (``desk``: theirs, on advisory)."""
    answer = await desk.client.get("/workload")
    if answer.status_code != 200:
        desk.done["errors"] += 1
        return
    present = [a for a in answer.json()["advisers"] if a["away_until"] is None]
    if len(present) < 2:
        return
    present.sort(key=lambda a: (a["open_cases"] - a["capacity"], a["adviser_id"]))
    idle, busiest = present[0], present[-1]
    if rng.random() < REASSIGN_SHARE and busiest["claimed"] > idle["claimed"] + 1:
        await _reassign(desk, busiest["adviser_id"], idle["adviser_id"])
    if rng.random() < ABSENCE_SHARE:
        await _absence(desk, routing_url, rng.choice(present)["adviser_id"])


async def _reassign(desk: Desk, busy: str, idle: str) -> None:
    held = await desk.get("/cases", assignee=busy, state="claimed", limit=1)
    for case in held:
        body = {"to": idle, "reason": f"{busy} has the most open cases"}
        await desk.post(f"/cases/{case['case_id']}/reassign", "reassigned by a team lead", body)


async def _absence(desk: Desk, routing_url: str, adviser_id: str) -> None:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "starts_at": now.isoformat(),
        "ends_at": (now + ABSENCE).isoformat(),
        "reason": "called away",
    }
    url = f"{routing_url}/advisers/{adviser_id}/absences"
    await desk.post(url, "absences recorded by a team lead", body)
