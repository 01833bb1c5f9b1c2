"""`relais run`: the services, a demo stream, and a live view of what flows where."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import asyncpg
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.live import Live

from relais_cli import demo, live_view, targets, tokens
from relais_cli.feeder import FeedStats
from relais_cli.processes import Fleet
from relais_cli.targets import DemoDecision
from reporting import report
from shared.settings import Settings


def admin_dsn(settings: Settings) -> str:
    """The runner reads every service's schema as the `relais` role of the local stack."""
    return settings.ops_dsn()


def write_report(settings: Settings, console: Console) -> None:
    """The HTML report of what the demo produced, from the BI views."""
    try:
        path = report.write_report(settings.bi_dsn(), report.DEFAULT_PATH)
        console.print(f"[bold]report:[/bold] file://{path.resolve()}  (again: relais report)")
    except Exception as exc:  # the demo ran; a report that cannot be written must not hide it
        console.print(f"[red]report not written: {exc}[/red]")


async def show(
    settings: Settings,
    fleet: Fleet,
    decision: DemoDecision,
    pace: demo.Pace,
    seconds: float | None,
) -> None:
    console = Console()
    stats = FeedStats()
    done: Counter[str] = Counter()
    urls = {c.name: c.url for c in fleet.children}
    news: list[str] = []
    actors: list[asyncio.Task[None]] = []
    if decision.allowed:
        actors = await demo.start(decision, urls, settings, pace, stats, done, news)
    else:
        news.append("no demo: Kafka or PostgreSQL is not the local stack (see above)")
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
                view = live_view.render(now, before, stats, done, fleet, news)
                live.update(view)
                before = now
                await asyncio.sleep(1.0)
        if not console.is_terminal:  # logs and CI: print the final state once
            console.print(view)
    finally:
        for task in actors:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await consumer.stop()
        await pool.close()


def print_tokens(console: Console, settings: Settings) -> None:
    """Dev tokens, one per role, to try the APIs by hand (valid 12 hours)."""
    console.print("[bold]dev bearer tokens[/bold] (curl -H 'Authorization: Bearer <token>' …):")
    for who, token in tokens.samples(settings):
        office = f" ({who.office})" if who.office else ""
        console.print(f"  {who.role.value}{office} {who.subject}:\n    {token}", soft_wrap=True)


def run(
    requests: int,
    rate: float,
    seconds: float | None,
    demo_on_remote: bool = False,
    instances: int = 1,
) -> None:
    """The services, the live view, and the demo unless the infrastructure is not the local
    stack and the operator did not ask for it there (``relais_cli.targets``)."""
    settings = Settings()
    console = Console()
    decision = targets.decide(settings, demo_on_remote)
    if message := decision.message():
        console.print(f"[bold yellow]{message}[/bold yellow]", soft_wrap=True)
    fleet = Fleet()
    try:
        console.print("[bold]starting the services…[/bold]")
        fleet.start_all(settings, instances=instances)
        for child in fleet.children:
            console.print(
                f"  {child.name:<9} {child.url}  "
                + ("" if child.name == "console" else f"(docs: {child.url}/docs, ")
                + f"log: {child.log})"
            )
        print_tokens(console, settings)
        for child in fleet.children:
            if child.name == "console":
                console.print(
                    f"[bold green]staff console: {child.url}[/bold green]  (open it in a "
                    "browser; dev login: pick a demo user)"
                )
        first = fleet.children[0].url
        console.print(f"  metrics: {first}/metrics, readiness: {first}/ready (each service)")
        console.print(
            f"  report: file://{report.DEFAULT_PATH.resolve()} (charts from the BI views, "
            "written when you stop; again any time: make report)"
        )
        if decision.allowed:
            console.print(
                f"[bold]feeding {requests} demo requests at {rate:g}/s — Ctrl-C to stop[/bold]"
            )
        else:
            console.print("[bold]no demo: watching the services — Ctrl-C to stop[/bold]")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(show(settings, fleet, decision, demo.Pace(requests, rate), seconds))
    finally:
        console.print("[bold]stopping the services…[/bold] (the stack stays up: `make down`)")
        fleet.stop_all()
    write_report(settings, console)
