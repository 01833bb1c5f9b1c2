"""The demo's actors, started together: the pilot setup and the office joining it later, the
stream of demo requests, and the simulated staff. They write for good, so they start only with
a decision that allows them (``relais_cli.targets``)."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from relais_cli import pilot, staff, tokens
from relais_cli.feeder import FeedStats, feed
from relais_cli.targets import DemoDecision
from shared.settings import Settings


class DemoRefused(RuntimeError):
    """The demo was about to act on infrastructure it was not allowed to."""


@dataclass(frozen=True)
class Pace:
    requests: int
    rate: float


async def start(
    decision: DemoDecision,
    urls: dict[str, str],
    settings: Settings,
    pace: Pace,
    stats: FeedStats,
    done: Counter[str],
    news: list[str],
) -> list[asyncio.Task[None]]:
    """Sets the pilot up and starts the feed, the office joining and the staff; returns their
    tasks (cancel them to stop). Refuses unless ``decision`` allows the demo."""
    if not decision.allowed:
        raise DemoRefused(decision.message() or "the demo is not allowed here")
    ops = tokens.token_for(settings, tokens.OPS)
    changed = await pilot.set_up(urls["routing"], ops)
    news.append(
        f"pilot setup: {', '.join(pilot.PILOT)} specialised, the others polyvalent"
        + (f" (switched back: {', '.join(changed)})" if changed else "")
    )
    channel = tokens.token_for(settings, tokens.CHANNEL)
    # A third of the way through the feed, one more office joins the pilot.
    join_after = pace.requests / pace.rate / 3
    return [
        asyncio.create_task(pilot.join_later(urls["routing"], ops, join_after, news)),
        asyncio.create_task(pilot.shadow(urls["routing"], ops, news)),
        asyncio.create_task(feed(urls["intake"], channel, pace.requests, pace.rate, stats)),
        asyncio.create_task(staff.work_day(urls, settings, done)),
    ]
