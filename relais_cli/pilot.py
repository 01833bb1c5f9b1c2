"""The demo's organisation: the pilot setup (Liège and Charleroi run the specialised model,
every other office the polyvalent one), and an office joining the pilot while the demo runs.
Both go through routing's API, so each change is a fact on `organisation`."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import httpx

PILOT = ("liege", "charleroi")
JOINS_LATER = "namur"
SHADOWED = "bruxelles"  # routed live as polyvalent, shadowed by the specialised model


def wanted(office: str) -> str:
    return "specialised" if office in PILOT else "polyvalent"


async def set_up(routing_url: str, token: str) -> list[str]:
    """Puts every office on its pilot-setup model; returns the offices that had to change."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=routing_url, headers=headers, timeout=10) as api:
        answer = await api.get("/offices")
        answer.raise_for_status()
        changed = []
        for office in answer.json()["offices"]:
            model = wanted(office["office"])
            if office["model"] != model:
                done = await api.put(f"/offices/{office['office']}/model", json={"model": model})
                done.raise_for_status()
                changed.append(office["office"])
        return changed


async def join_later(routing_url: str, token: str, after_s: float, news: list[str]) -> None:
    """After ``after_s`` seconds, ``JOINS_LATER`` switches to the specialised model: the cases
    it received before keep their polyvalent decision, the next ones go to its desks."""
    await asyncio.sleep(after_s)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=routing_url, headers=headers, timeout=10) as api:
        answer = await api.put(f"/offices/{JOINS_LATER}/model", json={"model": "specialised"})
    when = datetime.now().strftime("%H:%M:%S")
    if answer.status_code == 200:
        news.append(f"{when}: {JOINS_LATER} joined the pilot (specialised model)")
    else:
        news.append(f"{when}: {JOINS_LATER} could not switch ({answer.status_code})")


async def shadow(routing_url: str, token: str, news: list[str]) -> None:
    """While the demo runs, shadows ``SHADOWED``'s routing with the specialised model: its
    cases get a shadow decision on `routed-shadow` (compared in `bi.shadow_routing`), live
    routing unchanged. Stopped when the demo stops (cancelled), so later runs of the stack
    (tests, benchmarks) route without it; the shadow's facts stay in the log."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=routing_url, headers=headers, timeout=10) as api:
        answer = await api.put(f"/offices/{SHADOWED}/shadow", json={"model": "specialised"})
        if answer.status_code != 200:
            news.append(f"shadow routing: {SHADOWED} could not be shadowed ({answer.status_code})")
            return
        news.append(f"shadow routing: {SHADOWED} also decided by the specialised model")
        try:
            await asyncio.Event().wait()  # until the demo stops
        finally:
            with contextlib.suppress(httpx.HTTPError):
                await api.put(f"/offices/{SHADOWED}/shadow", json={"model": None})
