"""`relais lag`: how far behind each service is, and what waits in its outbox and DLQ."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from relais_cli.errors import run


def lag(
    service: Annotated[
        list[str] | None, typer.Option("--service", "-s", help="Only this service (repeatable).")
    ] = None,
) -> None:
    """Show, per service, topic and partition: the position stored with the projection (the
    one that counts), the offset committed to Kafka, the log end and the lag; then each
    service's outbox backlog (rows waiting to be published, age of the oldest) and how many
    messages wait in its dead-letter topic."""
    from ops.lag import lag as measure
    from shared.settings import Settings

    console = Console()
    partitions, backlogs = run(console, measure(Settings(), service), cancelled="nothing changed")
    table = Table(title="Consumer lag")
    for column in ("service", "topic", "partition", "position", "committed", "log end", "lag"):
        table.add_column(column, justify="left" if column in ("service", "topic") else "right")
    for p in partitions:
        committed = "-" if p.committed is None else f"{p.committed:,}"
        style = "red" if p.lag > 1000 else ("yellow" if p.lag else "")
        table.add_row(
            p.service,
            p.topic,
            str(p.partition),
            f"{p.position:,}",
            committed,
            f"{p.end:,}",
            f"[{style}]{p.lag:,}[/{style}]" if style else "0",
        )
    console.print(table)
    totals = Table(title="Backlogs")
    for column in ("service", "total lag", "outbox rows", "oldest outbox row", "dead letters"):
        totals.add_column(column, justify="left" if column == "service" else "right")
    for b in backlogs:
        if not b.deployed:
            totals.add_row(b.service, "[dim]not deployed here[/dim]", "", "", "")
            continue
        behind = sum(p.lag for p in partitions if p.service == b.service)
        totals.add_row(
            b.service,
            f"{behind:,}",
            f"{b.outbox_rows:,}",
            f"{b.outbox_age_s:.1f}s" if b.outbox_rows else "-",
            f"{b.dead_letters:,}",
        )
    console.print(totals)
