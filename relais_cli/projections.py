"""`relais rebuild` and `relais verify`: projections rebuilt from the log, swapped or compared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from relais_cli.errors import run
from relais_cli.progress import Bars

ServiceArg = Annotated[
    str, typer.Argument(help="The service whose projection to rebuild, e.g. 'routing'.")
]
WorkersOption = Annotated[
    int,
    typer.Option(
        min=1,
        help="Processes replaying in parallel when there are more than 50,000 events, "
        "through the handlers or, for a service with a bulk loader, staging its first pass "
        "(decoding is CPU-bound Python: one process per core).",
    ),
]


def parse_since(value: str) -> datetime | None:
    """'earliest', or an ISO 8601 time (UTC when it names no zone)."""
    if value == "earliest":
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: expected 'earliest' or an ISO 8601 time such as 2025-03-01T08:00:00Z"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def rebuild(
    service: ServiceArg,
    since: Annotated[
        str,
        typer.Option(
            "--from",
            help="Where to start reading: 'earliest' (the whole log) or an ISO time; the "
            "rebuilt projection then holds only the events from then on. A time in the "
            "future is refused (unless --force).",
        ),
    ] = "earliest",
    workers: WorkersOption = 2,
    accept_failures: Annotated[
        int,
        typer.Option(
            min=0,
            help="Swap in even though up to N events failed to apply during the rebuild "
            "(they are listed). By default any failed event stops the swap.",
        ),
    ] = 0,
    force: Annotated[
        bool,
        typer.Option(
            help="Swap in a projection that cannot be right: rebuilt from a time in the "
            "future, or empty while the live one holds rows.",
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--verify/--no-verify",
            help="After the swap, verify the new live projection against its log (as "
            "`relais verify`); exit 1 if it differs.",
        ),
    ] = True,
    rollback: Annotated[
        bool,
        typer.Option(
            help="Put back the projection the last swap replaced (kept as schema "
            "`SERVICE_previous_<time>`), brought up to date from the log.",
        ),
    ] = False,
) -> None:
    """Rebuild a service's projection from the log while the live one keeps serving.

    The projection is rebuilt into a shadow schema (`SERVICE_rebuild`, made by the service's
    own migrations) in replay mode: nothing is decided or published. Once it has caught up,
    the service's writers pause for an instant, the shadow is brought to exactly where the
    live projection stands, and the two schemas are swapped in one transaction (the outbox and
    the consumed positions carry on). The swap is refused when events failed to apply (unless
    --accept-failures) or when the rebuilt projection is empty and the live one is not (unless
    --force). The replaced projection is kept as `SERVICE_previous_<time>` (only the last
    one: older ones are dropped) and the new one is verified against its log; `--rollback`
    puts the kept one back. One rebuild or rollback of a service runs at a time. Ctrl-C
    before the swap leaves the live projection as it was; running the command again starts
    afresh.
    """
    from ops.rebuild import rebuild as rebuild_projection
    from ops.rollback import rollback as rollback_projection
    from ops.swap_in import Rules
    from shared.settings import Settings

    console = Console()
    start = parse_since(since)
    rules = Rules(accept_failures=accept_failures, force=force)
    if rollback and start is not None:
        raise typer.BadParameter("--rollback puts back the kept projection: it takes no --from")
    with Bars(console) as bars:
        work = (
            rollback_projection(
                Settings(), service, observer=bars, workers=workers, rules=rules, check=check
            )
            if rollback
            else rebuild_projection(
                Settings(),
                service,
                since=start,
                observer=bars,
                workers=workers,
                rules=rules,
                check=check,
            )
        )
        done = run(
            console,
            work,
            cancelled="the live projection is untouched; run the command again when ready",
        )
    rate = done.events / done.seconds if done.seconds else 0.0
    console.print(
        f"[green]{'rolled back' if rollback else 'rebuilt'}[/green] {service}: "
        f"{done.events:,} events in {done.seconds:.1f}s "
        f"({rate:,.0f} ev/s, {done.in_bulk:,} loaded in bulk); "
        f"live writers paused {done.paused_seconds * 1000:.0f} ms; "
        f"{done.skipped} skipped as dead-lettered live"
    )
    if done.failures:
        console.print(f"[yellow]{len(done.failures)} failed events accepted[/yellow]:")
        for failure in done.failures:
            console.print(f"  {failure}")
    console.print(
        f"the replaced projection is kept as schema {done.kept_as} "
        f"(`relais rebuild {service} --rollback` puts it back)"
    )
    if done.verified:
        console.print("[green]verified[/green]: the new projection is what its log says")


def verify(
    service: ServiceArg,
    rows: Annotated[int, typer.Option(help="Differing rows to show per table.")] = 5,
    workers: WorkersOption = 2,
) -> None:
    """Prove a service's projection is what its log says.

    Rebuilds it from the log into scratch tables (`SERVICE_verify`), brings them to the
    point the live projection stands at (its writers pause for an instant), and compares the
    two table by table: row count and checksum, and the first differing rows when they
    differ. Exit code 0 when identical, 1 otherwise. The live projection is only read.
    """
    from ops.verify import verify as verify_projection
    from shared.settings import Settings

    console = Console()
    with Bars(console) as bars:
        verdict = run(
            console,
            verify_projection(Settings(), service, observer=bars, rows=rows, workers=workers),
            cancelled="nothing changed",
        )
    table = Table(title=f"{service}: live projection vs rebuilt from {verdict.events:,} events")
    for column in ("table", "live rows", "rebuilt rows", "live checksum", "rebuilt checksum", ""):
        table.add_column(column, justify="right" if "rows" in column else "left")
    for t in verdict.tables:
        mark = "[green]identical[/green]" if t.same else "[red]DIFFERENT[/red]"
        table.add_row(
            t.table,
            f"{t.live.rows:,}",
            f"{t.rebuilt.rows:,}",
            t.live.digest,
            t.rebuilt.digest,
            mark,
        )
    console.print(table)
    for t in verdict.tables:
        if t.differences:
            console.print(f"[bold]{t.table}[/bold]: first differing rows")
            for side, row in t.differences:
                console.print(f"  [yellow]{side:<13}[/yellow] {orjson.dumps(row).decode()}")
    if not verdict.identical:
        raise typer.Exit(1)
    console.print(f"[green]identical[/green] ({verdict.seconds:.1f}s)")
