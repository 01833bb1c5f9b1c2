"""From the seeds' measures to what the report shows: each variant's measures with their 95%
intervals, per office and overall; each variant's paired difference from the reference (the
first variant); and the break-even speed-up of each swept model."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from lab.experiment import SeedResult, Variant
from lab.intervals import interval, paired
from lab.measures import ALL

BREAK_EVEN_ON = ("wait_p50_h", "breach_first_response", "resolution_p50_h")


def summarise(variants: Sequence[Variant], results: Sequence[SeedResult]) -> list[dict[str, Any]]:
    out = []
    for k, v in enumerate(variants):
        scopes = results[0].measures[k]
        out.append(
            {
                "label": v.label,
                "model": v.candidate.name,
                "kind": v.candidate.kind,
                "speedup": v.speedup,
                "measures": {
                    scope: {
                        m: interval([r.measures[k][scope][m] for r in results]).as_dict()
                        for m in scopes[scope]
                    }
                    for scope in scopes
                },
                "difference": {
                    scope: {
                        m: paired(
                            [r.measures[k][scope][m] for r in results],
                            [r.measures[0][scope][m] for r in results],
                        ).as_dict()
                        for m in scopes[scope]
                    }
                    for scope in scopes
                },
            }
        )
    return out


def break_even(summary: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each model swept over speed-ups: the speed-up at which it matches the reference on
    each of ``BREAK_EVEN_ON`` (linear between swept points; None when not within the sweep)."""
    found = []
    for name in dict.fromkeys(s["model"] for s in summary):
        points = sorted((s["speedup"], s["difference"][ALL]) for s in summary if s["model"] == name)
        if len(points) < 2:
            continue
        for measure in BREAK_EVEN_ON:
            xs = [(x, d[measure]["mean"]) for x, d in points]
            found.append({"model": name, "measure": measure, "speedup": zero_crossing(xs)})
    return found


def zero_crossing(points: Sequence[tuple[float, float]]) -> float | None:
    """Where the piecewise-linear curve through ``points`` crosses 0 (the speed-up nearest
    to none when several)."""
    crossings = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if math.isnan(y0) or math.isnan(y1):
            continue
        if y0 == 0:
            crossings.append(x0)
        elif y0 * y1 < 0:
            crossings.append(x0 + (x1 - x0) * (0 - y0) / (y1 - y0))
    if points and points[-1][1] == 0:
        crossings.append(points[-1][0])
    return max(crossings) if crossings else None
