"""`relais lab`: replay a period of requests through candidate organisation models and write
the report (HTML) and the result (JSON). Reads the log; never a service's projection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def lab(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="A scenario file (.toml or .json, see docs/lab.md); default: the "
            "whole log, the model in force against specialised and polyvalent everywhere."
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Where to write lab-report.html and lab-result.json.")
    ] = Path("lab-out"),
    seeds: Annotated[
        int | None, typer.Option(help="Seeded repetitions (overrides the scenario).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each takes whole seeds).")] = 2,
) -> None:
    """The reform lab: every request routed by routing's own policies under each candidate
    model, the advisers' work simulated (SimPy) in business time, the measures side by side
    with 95 % intervals over seeds, and first the backtest of the model in force."""
    import orjson

    from lab import report
    from lab.inputs import NothingToReplay
    from lab.run import run as run_lab
    from lab.scenario import load
    from relais_cli.errors import run
    from shared.settings import Settings

    console = Console()
    chosen = load(scenario)
    if seeds is not None:
        chosen = chosen.model_copy(update={"seeds": seeds})
    try:
        result = run(
            console,
            run_lab(chosen, Settings().kafka_bootstrap_servers, workers),
            cancelled="nothing written",
        )
    except NothingToReplay as exc:
        console.print(f"[red]nothing to replay: {exc}[/red]")
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    (out / "lab-result.json").write_bytes(
        orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY)
    )
    (out / "lab-report.html").write_text(report.render(result))
    b = result["backtest"]
    if b is not None:
        console.print(
            f"backtest: {b['identical']}/{b['decisions']} routing decisions identical; outcomes "
            + ("within tolerance" if b["within_tolerance"] else "[red]NOT within tolerance[/red]")
        )
    t = result["timing"]
    console.print(
        f"{t['cases']:,} cases x {t['runs']} runs simulated in {t['simulate_s']:.1f} s "
        f"({t['workers']} workers); report: {out / 'lab-report.html'}"
    )
