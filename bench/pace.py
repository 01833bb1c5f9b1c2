"""Phase: the cooperative's real pace. One request a second (``pace_rate``) through intake's HTTP
API for ``pace_seconds``; for each case, the time from intake's 202 to the case readable through
advisory's HTTP API (`GET /cases/{id}`, as an adviser's screen reads it): what a member's
request costs in waiting when nothing else is going on.

Each accepted case is polled every POLL_S until advisory answers 200 (at most POLL_S late); a
case not readable within ``drain_seconds`` counts as missing."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from bench.context import Bench
from bench.stats import summary_ms
from bench.tracker import now
from relais_cli.demo_data import stream
from relais_cli.tokens import CHANNEL, OPS, token_for

POLL_S = 0.005


def client(url: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"})


async def readable(client: httpx.AsyncClient, url: str, timeout: float) -> bool:
    deadline = now() + timeout
    while now() < deadline:
        if (await client.get(url)).status_code == 200:
            return True
        await asyncio.sleep(POLL_S)
    return False


async def run(bench: Bench) -> dict[str, Any]:
    config = bench.config
    intake = bench.services.ensure_intakes(1)[0]
    advisory = next(c for c in bench.services.children if c.name == "advisory")
    total = max(1, round(config.pace_rate * config.pace_seconds))
    bodies = stream(total, seed=config.seed + 300, member_count=config.members)
    latencies: list[float] = []
    accept: list[float] = []
    errors: Counter[str] = Counter()
    waits: list[asyncio.Task[None]] = []
    sender = client(intake.url, token_for(bench.settings, CHANNEL))
    reader = client(advisory.url, token_for(bench.settings, OPS))

    async def follow(case_id: str, accepted: float) -> None:
        if await readable(reader, f"/cases/{case_id}", config.drain_seconds):
            latencies.append(now() - accepted)
        else:
            errors["not readable in advisory"] += 1

    async with sender, reader:
        start = now()
        for i, body in enumerate(bodies):
            await asyncio.sleep(max(0.0, start + i / config.pace_rate - now()))
            sent = now()
            answer = await sender.post(
                "/requests", json=body, headers={"Idempotency-Key": f"pace-{start}-{i}"}
            )
            if answer.status_code != 202:
                errors[f"HTTP {answer.status_code}"] += 1
                continue
            accepted = now()
            accept.append(accepted - sent)
            waits.append(asyncio.create_task(follow(answer.json()["case_id"], accepted)))
        await asyncio.gather(*waits)
    result = {
        "rate_per_s": config.pace_rate,
        "seconds": config.pace_seconds,
        "sent": total,
        "readable": len(latencies),
        "errors": dict(errors),
        "http_accept": summary_ms(accept),
        "accept_to_readable": summary_ms(latencies),
    }
    found = summary_ms(latencies)
    print(
        f"[bench] real pace {config.pace_rate:g}/s for {config.pace_seconds:g} s: 202 → readable "
        f"in advisory p50 {found['p50_ms']} ms, p95 {found['p95_ms']} ms "
        f"({len(latencies)}/{total} readable)",
        flush=True,
    )
    return result
