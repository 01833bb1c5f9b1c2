"""`relais partitions grow TOPIC --to N`: more partitions for a topic while Relais runs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from relais_cli.errors import run

app = typer.Typer(
    help="Partitions of a topic. `grow` adds partitions while Relais runs, keeping every "
    "case's events in order for every consumer: it pauses the topic's producer, waits until "
    "every reader has applied everything, adds the partitions, then resumes (docs/scaling.md).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@app.command()
def grow(
    topic: Annotated[str, typer.Argument(help="The topic, e.g. request-received.")],
    to: Annotated[int, typer.Option("--to", help="How many partitions it will have.")],
    producer: Annotated[
        str | None,
        typer.Option(
            help="The service whose outbox writes the topic, for a topic outside the contract "
            "(a contract topic's is known)."
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            min=1.0,
            help="Seconds to wait for the readers to apply everything (then nothing is "
            "changed) and to take the new partitions.",
        ),
    ] = 120.0,
    external: Annotated[
        bool,
        typer.Option(
            help="Someone else adds the partitions (Kubernetes: the KafkaTopic's "
            "spec.partitions, raised by hand once the command says so); the command pauses, "
            "waits for the readers, then waits for the partitions to appear."
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Add partitions to TOPIC: pause its producer's outbox relay (commands are still
    accepted; their events wait in the outbox), wait until every consumer group reading it has
    applied everything, add the partitions, wait until the groups own them, resume the relay.
    Partitions cannot be removed afterwards."""
    from ops.partitions import grow as grow_topic
    from ops.partitions import plan as plan_for
    from shared.settings import Settings

    console = Console()
    settings = Settings()
    plan = run(console, plan_for(settings, topic, to, producer), cancelled="nothing changed")
    for line in plan.lines():
        console.print(line)
    if not yes:
        typer.confirm(f"Grow {topic} to {to} partitions? Kafka cannot take them back.", abort=True)
    grown = run(
        console,
        grow_topic(settings, plan, timeout_s=timeout, say=console.print, external=external),
        cancelled=f"the relay of {plan.producer} resumes; `relais lag` shows how many "
        f"partitions {topic} has now",
    )
    console.print(
        f"{topic} grew from {plan.current} to {plan.wanted} partitions; "
        f"{plan.producer}'s events waited {grown.paused_s:.1f}s in its outbox"
    )
    cut = ", ".join(f"{p}:{o}" for p, o in sorted(grown.cut.items()))
    console.print(f"the old partitions ended at (partition:offset) {cut}")
    for group, missing in grown.late.items():
        console.print(
            f"[yellow]{group} did not own partitions {', '.join(map(str, missing))} yet[/yellow]: "
            "it reads them from their start when it does (nothing is lost; Relais's consumers "
            "look every RELAIS_KAFKA_METADATA_MAX_AGE_MS)"
        )
