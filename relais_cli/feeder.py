"""Sends the demo stream to intake over HTTP, paced like real traffic."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import httpx

from relais_cli.demo_data import stream


@dataclass
class FeedStats:
    sent: int = 0
    accepted: int = 0
    refused: int = 0


async def feed(
    intake_url: str, token: str, count: int, rate: float, stats: FeedStats, seed: int = 7
) -> None:
    """Posts ``count`` demo requests at about ``rate`` per second, each with an idempotency key,
    as a member-facing channel (``token``)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=intake_url, headers=headers, timeout=10) as client:
        for body in stream(count, seed=seed):
            key = f"demo-{uuid.uuid4()}"
            try:
                answer = await client.post("/requests", json=body, headers={"Idempotency-Key": key})
                stats.accepted += answer.status_code == 202
                stats.refused += answer.status_code != 202
            except httpx.HTTPError:
                stats.refused += 1
            stats.sent += 1
            await asyncio.sleep(1 / rate)
