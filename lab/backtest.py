"""The backtest the report opens with: the model in force replayed over the log's period must
reproduce it. Routing decisions: all identical (``lab.decisions``). Outcomes, measured on the
log by the same code that measures a simulation: median wait to first response within ±10%,
p90 within ±15%, breach rates within ±2 points; each beside the period's own slice-to-slice
noise (its weeks, or eighths of a period shorter than three weeks)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from lab.cases import Case
from lab.history import as_run
from lab.inputs import Inputs
from lab.intervals import Interval
from lab.measures import ALL, Measures, of_run, repeats

# measure -> (tolerance, relative?)
TOLERANCES: dict[str, tuple[float, bool]] = {
    "wait_p50_h": (0.10, True),
    "wait_p90_h": (0.15, True),
    "breach_first_response": (0.02, False),
    "breach_resolution": (0.02, False),
}


def measured(inputs: Inputs, cases: Sequence[Case]) -> Measures:
    run = as_run(cases, inputs.stories, inputs.clock)
    return of_run(run, cases, inputs.policy, repeats(cases))[ALL]


def slices(cases: Sequence[Case]) -> list[list[Case]]:
    """The period cut in weeks, or in eight equal spans when shorter than three weeks."""
    if len(cases) < 2:
        return [list(cases)]
    start, end = cases[0].received_at, cases[-1].received_at
    span = end - start
    width = timedelta(weeks=1) if span >= timedelta(weeks=3) else span / 8 or timedelta(1)
    cut: dict[int, list[Case]] = {}
    for c in cases:
        cut.setdefault(min(int((c.received_at - start) / width), 10**6), []).append(c)
    return [s for _, s in sorted(cut.items()) if s]


def outcomes(inputs: Inputs, simulated: Mapping[str, Interval]) -> list[dict[str, Any]]:
    """One row per measure: measured, simulated (mean and interval over seeds), tolerance,
    slice-to-slice noise, within or not."""
    live = measured(inputs, inputs.cases)
    per_slice = [measured(inputs, s) for s in slices(inputs.cases) if len(s) >= 5]
    rows = []
    for name, (tolerance, relative) in TOLERANCES.items():
        m, sim = live[name], simulated[name]
        allowed = tolerance * abs(m) if relative else tolerance
        noise = _sd([s[name] for s in per_slice])
        rows.append(
            {
                "measure": name,
                "measured": m,
                "simulated": sim.mean,
                "simulated_low": sim.low,
                "simulated_high": sim.high,
                "tolerance": tolerance,
                "relative": relative,
                "noise_sd": noise,
                "within": abs(sim.mean - m) <= allowed + 1e-12,
            }
        )
    return rows


def _sd(xs: Sequence[float]) -> float:
    xs = [x for x in xs if not math.isnan(x)]
    if len(xs) < 2:
        return math.nan
    mean = sum(xs) / len(xs)
    return math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))
