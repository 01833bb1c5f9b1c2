"""`relais replay`: a consumer group re-reads a topic from a point in time."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from relais_cli.errors import run
from relais_cli.projections import parse_since


def replay(
    topic: Annotated[str, typer.Argument(help="The topic to re-read, e.g. 'routed'.")],
    to: Annotated[
        str,
        typer.Option("--to", help="The consumer group that will read it (new or stopped)."),
    ],
    since: Annotated[
        str, typer.Option("--from", help="'earliest' or an ISO time: where the group starts.")
    ] = "earliest",
) -> None:
    """Point a consumer group at a topic's history: its offsets are set to the first message
    at or after --from on every partition, so the consuming service (member portal,
    notifications, billing, a new service) reads from there when it starts. The group must
    have no running consumer. For a Relais service use `relais rebuild` instead: its
    positions are stored with its projection."""
    from ops.group_replay import replay as move_group
    from shared.settings import Settings

    console = Console()
    positions = run(
        console,
        move_group(Settings(), topic, to, parse_since(since)),
        cancelled="the group may be partly moved; run the command again",
    )
    table = Table(title=f"group {to!r} on {topic}")
    for column in ("partition", "starts at", "log end", "to read"):
        table.add_column(column, justify="right")
    for p in positions:
        table.add_row(str(p.partition), f"{p.offset:,}", f"{p.end:,}", f"{p.to_read:,}")
    console.print(table)
    console.print(f"{sum(p.to_read for p in positions):,} messages for {to!r} to read")
