"""`relais dlq list|show|redrive|purge`: a service's dead letters."""

from __future__ import annotations

from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from relais_cli.errors import run

app = typer.Typer(
    help="Dead letters: messages a service could never process, kept in `SERVICE.dead-letter` "
    "with why and where they came from. Typical use: `list` to see what failed, fix the cause "
    "(code or configuration), `redrive` to process them again, `purge` to delete the redriven "
    "ones. A redriven message that fails again returns to the dead-letter topic, once.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
ServiceArg = Annotated[str, typer.Argument(help="The service owning the dead letters.")]


def position(value: str) -> tuple[int, int]:
    try:
        partition, offset = value.split(":")
        return int(partition), int(offset)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: expected PARTITION:OFFSET, e.g. 3:41") from None


@app.command("list")
def list_(
    service: ServiceArg,
    pending: Annotated[bool, typer.Option(help="Only those not redriven yet.")] = False,
) -> None:
    """List a service's dead letters: position, original topic/partition/offset, time,
    redrives so far, whether already redriven, and the reason."""
    from shared.dead_letter_log import read
    from shared.settings import Settings

    console = Console()
    letters = run(console, read(Settings(), service), cancelled="nothing changed")
    table = Table(title=f"{service}.dead-letter")
    for column in ("at", "from", "failed at", "redrives", "state", "reason"):
        table.add_column(column, overflow="fold")
    for d in letters:
        if pending and d.redriven:
            continue
        state = "[dim]redriven[/dim]" if d.redriven else "[yellow]pending[/yellow]"
        table.add_row(
            f"{d.partition}:{d.offset}", d.origin, d.failed_at, str(d.redrives), state, d.reason
        )
    console.print(table)
    waiting = sum(not d.redriven for d in letters)
    console.print(f"{len(letters)} dead letters, {waiting} not redriven yet")


@app.command()
def show(
    service: ServiceArg,
    at: Annotated[str, typer.Argument(help="PARTITION:OFFSET in the dead-letter topic.")],
) -> None:
    """Show one dead letter in full: its headers and its value (pretty when it is JSON)."""
    from shared.dead_letter_log import read
    from shared.settings import Settings

    console = Console()
    wanted = position(at)
    letters = run(console, read(Settings(), service), cancelled="nothing changed")
    found = [d for d in letters if (d.partition, d.offset) == wanted]
    if not found:
        console.print(f"[red]error:[/red] no dead letter of {service} at {at}")
        raise typer.Exit(1)
    letter = found[0]
    console.print(f"[bold]key[/bold]: {letter.key!r}")
    for name, value in letter.headers.items():
        console.print(f"[bold]{name}[/bold]: {value}")
    try:
        console.print_json(orjson.dumps(orjson.loads(letter.value)).decode())
    except orjson.JSONDecodeError:
        console.print(repr(letter.value))


@app.command()
def redrive(
    service: ServiceArg,
    at: Annotated[
        list[str] | None,
        typer.Option(help="Only the dead letter at PARTITION:OFFSET (repeatable)."),
    ] = None,
) -> None:
    """Send dead letters back to the service after a fix, through `SERVICE.redrive` (only
    that service reads it; other consumers of the original topic see nothing twice). Without
    --at: every dead letter not redriven yet. Each is handled as an event of its original
    topic; one that fails again returns to the dead-letter topic with its redrive counted."""
    from shared.dead_letter_log import redrive as send_back
    from shared.settings import Settings

    console = Console()
    positions = [position(a) for a in at] if at else None
    sent = run(console, send_back(Settings(), service, positions), cancelled="see `dlq list`")
    for d in sent:
        console.print(f"redriven {d.partition}:{d.offset} (from {d.origin})")
    console.print(f"{len(sent)} dead letters sent back to {service}.redrive")


@app.command()
def purge(
    service: ServiceArg,
    everything: Annotated[
        bool, typer.Option("--all", help="Delete every dead letter, not only redriven ones.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete dead letters from the topic: by default those already redriven."""
    from shared.dead_letter_log import purge as delete
    from shared.settings import Settings

    console = Console()
    what = "EVERY dead letter" if everything else "the redriven dead letters"
    if not yes:
        typer.confirm(f"Delete {what} of {service}?", abort=True)
    starts = run(console, delete(Settings(), service, everything=everything), cancelled="unsure")
    for partition, low in sorted(starts.items()):
        console.print(f"partition {partition} now starts at offset {low}")
    console.print(f"purged {what} of {service}")
