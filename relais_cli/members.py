"""Simulated members answering, through intake's real HTTP API: most waits on the member get
an answer after a while, and now and then a member writes again on a case already resolved
(which reopens it). The members learn that a case waits on them as a notification service
would, from advisory's queues (an ops token, read only)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from typing import Any

import httpx

from relais_cli import tokens
from shared.settings import Settings

ANSWER_SHARE = 0.5  # per round, of the cases waiting on their member
WRITE_AGAIN_SHARE = 0.1  # per round: one recently resolved case gets another message
ANSWERS = ("Here is the document you asked for.", "Yes, that is right.", "See attached.")


class Members:
    """The members of the demo, answering through the web form."""

    def __init__(self, urls: dict[str, str], settings: Settings, done: Counter[str]) -> None:
        ops = {"Authorization": f"Bearer {tokens.token_for(settings, tokens.OPS)}"}
        channel = {"Authorization": f"Bearer {tokens.token_for(settings, tokens.CHANNEL)}"}
        self.queues = httpx.AsyncClient(base_url=urls["advisory"], headers=ops, timeout=10)
        self.intake = httpx.AsyncClient(base_url=urls["intake"], headers=channel, timeout=10)
        self.done = done
        self.written: set[str] = set()

    async def cases(self, state: str, limit: int) -> list[dict[str, Any]]:
        answer = await self.queues.get("/cases", params={"state": state, "limit": limit})
        return list(answer.json().get("cases", [])) if answer.status_code == 200 else []

    async def write(self, case: dict[str, Any], text: str, what: str) -> None:
        body = {"member_id": case["member_id"], "channel": "web", "body": text}
        # One message per state of the case: a retry of this round's is the same message.
        key = f"demo-{case['case_id']}-{case['last_event_at']}"
        answer = await self.intake.post(
            f"/requests/{case['case_id']}/messages", json=body, headers={"Idempotency-Key": key}
        )
        self.done[what if answer.status_code == 202 else "errors"] += 1

    async def round(self, rng: random.Random) -> None:
        for case in await self.cases("waiting_on_member", 50):
            if rng.random() < ANSWER_SHARE:
                await self.write(case, rng.choice(ANSWERS), "members answered")
        if rng.random() < WRITE_AGAIN_SHARE:
            resolved = [
                c for c in await self.cases("resolved", 20) if c["case_id"] not in self.written
            ]
            if resolved:
                case = rng.choice(resolved)
                self.written.add(case["case_id"])
                await self.write(case, "One more question about this.", "members wrote again")

    async def close(self) -> None:
        await self.queues.aclose()
        await self.intake.aclose()


async def answer_waits(
    urls: dict[str, str], settings: Settings, done: Counter[str], pace: float = 1.0
) -> None:
    """The members at their keyboards, in rounds until cancelled."""
    rng = random.Random(7)  # noqa: S311 - a simulation, not security
    members = Members(urls, settings, done)
    try:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                await members.round(rng)
            await asyncio.sleep(2 * pace * (0.5 + rng.random()))
    finally:
        await members.close()
