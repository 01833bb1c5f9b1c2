"""`relais replay`: a consumer group re-reads a topic from a point in time; `--undo` puts
back the offsets the last replay overwrote."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from relais_cli.errors import run
from relais_cli.projections import parse_since


def replay(
    topic: Annotated[
        str | None,
        typer.Argument(help="The topic to re-read, e.g. 'routed' (not with --undo)."),
    ] = None,
    to: Annotated[
        str,
        typer.Option("--to", help="The consumer group that will read it (new or stopped)."),
    ] = "",
    since: Annotated[
        str, typer.Option("--from", help="'earliest' or an ISO time: where the group starts.")
    ] = "earliest",
    dry_run: Annotated[
        bool,
        typer.Option(help="Show each partition's offset before → after; change nothing."),
    ] = False,
    reason: Annotated[
        str, typer.Option(help="Why, recorded with the offsets the replay overwrites.")
    ] = "",
    undo: Annotated[
        bool,
        typer.Option(
            help="Put back the offsets the group had before its last replay (not undone yet)."
        ),
    ] = False,
) -> None:
    """Point a consumer group at a topic's history: its offsets are set to the first message
    at or after --from on every partition, so the consuming service (member portal,
    notifications, billing, a new service) reads from there when it starts. The group must
    have no running consumer. For a Relais service use `relais rebuild` instead: its
    positions are stored with its projection.

    The offsets the group had are shown and recorded first (table `relais_ops.group_replays`
    in PostgreSQL: when, by whom, --reason), so `relais replay --undo --to GROUP` commits
    them again. `--dry-run` shows the change and makes none. A replay changes only Kafka's
    committed offsets of the group.
    """
    from ops.group_replay import replay as move_group
    from ops.group_replay import undo as undo_replay
    from shared.settings import Settings

    console = Console()
    if not to:
        raise typer.BadParameter("name the consumer group with --to GROUP")
    if undo:
        if topic is not None:
            raise typer.BadParameter("--undo takes no topic: it undoes the group's last replay")
        done = run(
            console,
            undo_replay(Settings(), to),
            cancelled="the group may be partly restored; run the command again",
        )
        record = done.record
        when = f"{record.at:%Y-%m-%d %H:%M:%S} UTC"
        why = f" ({record.reason})" if record.reason else ""
        console.print(
            f"undid the replay of {record.topic} for group {to!r} made {when} by {record.by}{why}"
        )
        if done.group_deleted:
            console.print(f"group {to!r} had no offsets before it: it is deleted again")
        for partition, offset in sorted(done.restored.items()):
            console.print(f"  partition {partition}: back to {offset:,}")
        for partition, offset in sorted(done.left.items()):
            console.print(
                f"  partition {partition}: had no offset before; Kafka cannot remove one "
                f"partition's offset, it stays at {offset:,}"
            )
        return
    if topic is None:
        raise typer.BadParameter("name the topic to re-read")
    positions = run(
        console,
        move_group(Settings(), topic, to, parse_since(since), dry_run=dry_run, reason=reason),
        cancelled="the group may be partly moved; run the command again",
    )
    title = f"group {to!r} on {topic}" + (" (dry run: nothing changed)" if dry_run else "")
    table = Table(title=title)
    for column in ("partition", "committed before", "starts at", "log end", "to read"):
        table.add_column(column, justify="right")
    for p in positions:
        before = "none" if p.before is None else f"{p.before:,}"
        table.add_row(str(p.partition), before, f"{p.offset:,}", f"{p.end:,}", f"{p.to_read:,}")
    console.print(table)
    to_read = sum(p.to_read for p in positions)
    if dry_run:
        console.print(f"{to_read:,} messages for {to!r} to read if applied; nothing changed")
        return
    console.print(f"{to_read:,} messages for {to!r} to read")
    console.print(
        f"the offsets before are recorded: `relais replay --undo --to {to}` puts them back"
    )
