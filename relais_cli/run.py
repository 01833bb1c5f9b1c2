"""`relais run`: the services, a demo stream, and a live view of what flows where."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.live import Live

from relais_cli import live_view
from relais_cli.feeder import FeedStats, feed
from relais_cli.processes import Fleet
from shared.settings import Settings


def admin_dsn(settings: Settings) -> str:
    """The runner reads every service's schema as the ops role (`relais` on the local stack)."""
    return settings.ops_dsn()


async def show(
    settings: Settings, fleet: Fleet, requests: int, rate: float, seconds: float | None
) -> None:
    console = Console()
    stats = FeedStats()
    intake = next(c for c in fleet.children if c.name == "intake")
    feeding = asyncio.create_task(feed(intake.url, requests, rate, stats))
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await consumer.start()
    pool = await asyncpg.create_pool(admin_dsn(settings), min_size=1, max_size=2)
    assert pool is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if seconds else None
    before = None
    try:
        with Live(console=console, refresh_per_second=2, transient=not console.is_terminal) as live:
            while deadline is None or loop.time() < deadline:
                now = await live_view.take(consumer, pool)
                live.update(live_view.render(now, before, stats, fleet))
                before = now
                await asyncio.sleep(1.0)
        if not console.is_terminal:  # logs and CI: print the final state once
            console.print(live_view.render(now, before, stats, fleet))
    finally:
        feeding.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feeding
        await consumer.stop()
        await pool.close()


def run(requests: int, rate: float, seconds: float | None) -> None:
    settings = Settings()
    console = Console()
    fleet = Fleet()
    try:
        console.print("[bold]starting the services…[/bold]")
        fleet.start_all(settings)
        for child in fleet.children:
            console.print(
                f"  {child.name:<9} {child.url}  (docs: {child.url}/docs, log: {child.log})"
            )
        console.print(
            f"[bold]feeding {requests} demo requests at {rate:g}/s — Ctrl-C to stop[/bold]"
        )
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(show(settings, fleet, requests, rate, seconds))
    finally:
        console.print("[bold]stopping the services…[/bold] (the stack stays up: `make down`)")
        fleet.stop_all()
