"""A simulated day of staff working cases through the real HTTP APIs: advisers claim, reply,
sometimes wait on the member, escalate a share and resolve the rest; the support team claims
escalations and resolves or returns them; the administrative team claims tasks, hands some
over, completes or rejects them (a rejected act reopens its case for the adviser); team leads
reassign now and then, and an adviser goes absent (relais_cli.team_leads)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from functools import partial
from typing import Any

import httpx

from relais_cli import members, team_leads, tokens
from shared.identity import Principal
from shared.settings import Settings

ESCALATE_SHARE = 0.2
WAIT_SHARE = 0.1
HAND_END_SHARE = 0.05
ACT_SHARE = 0.4
RETURN_SHARE = 0.3
REJECT_SHARE = 0.15
HAND_OVER_SHARE = 0.1
ACTS = ("contract_registration", "invoice_issue", "dimona_declaration", "payment")
REASONS = ("complex_case", "legal", "social_security", "payment_problem")
OUTCOMES = ("answered", "solved", "solved", "referred_elsewhere")


class Desk:
    """One staff member at work: their token, their client, and what they did."""

    def __init__(self, url: str, who: Principal, settings: Settings, done: Counter[str]) -> None:
        self.who = who
        self.done = done
        headers = {"Authorization": f"Bearer {tokens.token_for(settings, who)}"}
        self.client = httpx.AsyncClient(base_url=url, headers=headers, timeout=10)

    async def get(self, path: str, **params: Any) -> list[dict[str, Any]]:
        answer = await self.client.get(path, params=params)
        if answer.status_code != 200:
            self.done["errors"] += 1
            return []
        body = answer.json()
        result: list[dict[str, Any]] = body.get("cases", body.get("tasks", []))
        return result

    async def post(self, path: str, what: str, body: dict[str, Any] | None = None) -> bool:
        answer = await self.client.post(path, json=body)
        if answer.status_code == 200:
            self.done[what] += 1
        else:  # 409: a colleague was quicker, or the case moved meanwhile
            self.done["refused (409)" if answer.status_code == 409 else "errors"] += 1
        return answer.status_code == 200


async def adviser(desk: Desk, rng: random.Random) -> None:
    me, office = desk.who.subject, desk.who.office
    for case in await desk.get("/cases", office=office, tier="first_line", state="queued", limit=2):
        await desk.post(f"/cases/{case['case_id']}/claim", "claimed")
    for case in await desk.get("/cases", assignee=me, state=["claimed", "waiting_on_member"]):
        path = f"/cases/{case['case_id']}"
        if case["status"] == "waiting_on_member":
            # Members answer most waits themselves (relais_cli.members); now and then the
            # adviser takes one back by hand (the member phoned).
            if rng.random() < HAND_END_SHARE:
                await desk.post(f"{path}/waiting/end", "waits ended", {"note": "phoned"})
        elif case["replies"] == 0:
            await read_before_answering(desk, case)
            await desk.post(f"{path}/replies", "replied", {"text": "We are on it."})
            if rng.random() < WAIT_SHARE:
                await desk.post(f"{path}/waiting", "waiting on member", {"note": "a document"})
        elif case["escalations"] == 0 and rng.random() < ESCALATE_SHARE:
            reason = {"reason_code": rng.choice(REASONS), "note": "needs the support team"}
            await desk.post(f"{path}/escalation", "escalated", reason)
        else:
            await desk.post(f"{path}/resolution", "resolved", resolution(rng))


async def read_before_answering(desk: Desk, case: dict[str, Any]) -> None:
    """The adviser reads the member's question, then the member's other cases and open tasks."""
    for path, what in (
        (f"/cases/{case['case_id']}", "questions read"),
        (f"/members/{case['member_id']}/cases", "members read"),
    ):
        answer = await desk.client.get(path)
        desk.done[what if answer.status_code == 200 else "errors"] += 1


async def support(desk: Desk, rng: random.Random) -> None:
    # The escalations routing matched to this member first, then the shared queue's.
    mine = await desk.get("/cases", tier="support", state="queued", routed_to=desk.who.subject)
    for case in mine or await desk.get("/cases", tier="support", state="queued", limit=3):
        await desk.post(f"/cases/{case['case_id']}/claim", "claimed by support")
    for case in await desk.get(
        "/cases", assignee=desk.who.subject, tier="support", state="claimed"
    ):
        path = f"/cases/{case['case_id']}"
        if rng.random() < RETURN_SHARE:
            await desk.post(f"{path}/return", "returned", {"note": "standard case, see note"})
        else:
            await desk.post(f"{path}/resolution", "resolved by support", resolution(rng))


async def admin_team(desk: Desk, rng: random.Random) -> None:
    """Claims the open tasks nobody holds, hands one to a colleague now and then, and carries
    out its own: completes most, rejects some (the case comes back to its adviser)."""
    me = desk.who.subject
    for task in await desk.get("/tasks", status="open", limit=5):
        if task["assignee"] is None:
            await desk.post(f"/tasks/{task['task_id']}/claim", "tasks claimed")
    colleagues = [p.subject for p in tokens.ADMIN_TEAM if p.subject != me]
    for task in await desk.get("/tasks", status="open", assignee=me, limit=5):
        path = f"/tasks/{task['task_id']}"
        if colleagues and rng.random() < HAND_OVER_SHARE:
            await desk.post(f"{path}/assignment", "tasks assigned", {"assignee": colleagues[0]})
        elif rng.random() < REJECT_SHARE:
            await desk.post(f"{path}/rejection", "tasks rejected", {"note": "missing document"})
        else:
            await desk.post(f"{path}/completion", "tasks completed", {"note": "done"})


def resolution(rng: random.Random) -> dict[str, Any]:
    act = rng.choice(ACTS) if rng.random() < ACT_SHARE else None
    return {"outcome": rng.choice(OUTCOMES), "admin_act": act, "note": "resolved"}


async def shift(desk: Desk, work: Any, seed: int, pace: float) -> None:
    """Works in rounds until cancelled; a service hiccup costs a round, not the day."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not security
    try:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                await work(desk, rng)
            await asyncio.sleep(pace * (0.5 + rng.random()))
    finally:
        await desk.client.aclose()


async def work_day(
    urls: dict[str, str], settings: Settings, done: Counter[str], pace: float = 1.0
) -> None:
    """Every simulated staff member at work, until cancelled."""
    crew = [(urls["advisory"], p, adviser) for p in tokens.advisers(settings.offices)]
    crew += [(urls["advisory"], p, support) for p in tokens.SUPPORT]
    crew += [(urls["admin"], p, admin_team) for p in tokens.ADMIN_TEAM]
    lead = partial(team_leads.team_lead, routing_url=urls["routing"])
    crew += [(urls["advisory"], tokens.team_lead(o), lead) for o in settings.offices[:2]]
    await asyncio.gather(
        *[
            shift(Desk(url, who, settings, done), work, i, pace)
            for i, (url, who, work) in enumerate(crew)
        ],
        members.answer_waits(urls, settings, done, pace),
    )
