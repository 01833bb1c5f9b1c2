"""A whole lab run, from a scenario to its result (a JSON-ready dict): gather the inputs,
check the routing decisions, simulate every variant under every seed, summarise, and hold the
model in force against the log."""

from __future__ import annotations

import resource
import time
from dataclasses import asdict
from typing import Any

from lab import backtest, decisions, experiment, summary, switch
from lab.durations import Steps
from lab.history import as_run
from lab.inputs import Inputs, gather
from lab.intervals import interval
from lab.measures import ALL, LABELS
from lab.models import ModelSpec, apply
from lab.scenario import Scenario


async def run(scenario: Scenario, bootstrap: str | None, workers: int = 2) -> dict[str, Any]:
    began = time.perf_counter()
    inputs = await gather(scenario, bootstrap)
    read = time.perf_counter() - began
    return simulate(scenario, inputs, workers, read)


def simulate(
    scenario: Scenario, inputs: Inputs, workers: int, read_s: float = 0.0
) -> dict[str, Any]:
    specs = list(scenario.models)
    if inputs.from_log and not any(s.kind == "in_force" for s in specs):
        specs.insert(0, ModelSpec(name="in force", kind="in_force"))  # the backtest needs it
    candidates = [apply(s, inputs.roster) for s in specs]
    variants = experiment.variants(candidates, scenario.assumptions.specialist_speedups)
    setup = experiment.Setup(inputs.cases, variants, inputs.durations, inputs.clock, inputs.policy)
    seeds = list(range(scenario.first_seed, scenario.first_seed + scenario.seeds))
    began = time.perf_counter()
    results = experiment.run(setup, seeds, workers)
    simulated_s = time.perf_counter() - began
    summarised = summary.summarise(variants, results)
    return {
        "title": scenario.title,
        "scenario": scenario.model_dump(mode="json"),
        "inputs": _inputs(inputs),
        "backtest": _backtest(inputs, variants, results),
        "variants": summarised,
        "break_even": summary.break_even(summarised),
        "switches": _switches(inputs),
        "queues": {v.label: results[0].queues[k] for k, v in enumerate(variants)},
        "labels": LABELS,
        "timing": {
            "read_s": read_s,
            "simulate_s": simulated_s,
            "cases": len(inputs.cases),
            "runs": len(variants) * len(seeds),
            "workers": workers,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "peak_rss_workers_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        },
    }


def _inputs(inputs: Inputs) -> dict[str, Any]:
    cases = inputs.cases
    return {
        "cases": len(cases),
        "from": cases[0].received_at.isoformat() if cases else None,
        "to": cases[-1].received_at.isoformat() if cases else None,
        "source": "log" if inputs.from_log else "generated",
        "offices": {c: len(s.advisers) for c, s in inputs.roster.offices.items()},
        "support_slots": inputs.roster.support_slots,
        "durations_source": inputs.durations.source,
        "durations": {f: _steps(steps) for f, steps in inputs.durations.by_family.items()}
        | {"(default)": _steps(inputs.durations.default)},
        "clock": "continuous" if inputs.clock.calendar is None else "business",
    }


def _steps(steps: Steps) -> dict[str, Any]:
    """A family's steps as the report states them: means (hours), spreads, sample counts."""
    found: dict[str, Any] = {}
    for name, value in asdict(steps).items():
        if isinstance(value, dict):
            found[name] = {
                "mean_h": value["mean"] / 3600,
                "cv": value["cv"],
                "samples": len(value["samples"]),
            }
        else:
            found[name] = value
    return found


def _switches(inputs: Inputs) -> list[dict[str, Any]]:
    if not inputs.from_log:
        return []
    measured = as_run(inputs.cases, inputs.stories, inputs.clock)
    return switch.analyse(inputs.cases, measured, inputs.facts)


def _backtest(
    inputs: Inputs, variants: list[experiment.Variant], results: list[experiment.SeedResult]
) -> dict[str, Any] | None:
    if not inputs.from_log:
        return None
    agreement = decisions.check(inputs.requests, inputs.routed, inputs.facts)
    k = next(i for i, v in enumerate(variants) if v.candidate.kind == "in_force" and v.speedup == 0)
    simulated = {m: interval([r.measures[k][ALL][m] for r in results]) for m in backtest.TOLERANCES}
    rows = backtest.outcomes(inputs, simulated)
    return {
        "decisions": agreement.decisions,
        "identical": agreement.identical,
        "identical_share": agreement.share,
        "replayed_from_inputs": agreement.replayed,
        "differences": list(agreement.differences),
        "outcomes": rows,
        "within_tolerance": agreement.share == 1.0 and all(r["within"] for r in rows),
    }
