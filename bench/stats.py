"""Exact percentiles from every sample (no histogram buckets: the runs are small enough)."""

from __future__ import annotations

import math
from collections.abc import Sequence

PERCENTILES = (50.0, 95.0, 99.0, 99.9)


def percentile(sorted_samples: Sequence[float], p: float) -> float:
    """The nearest-rank percentile of already sorted samples (the sample at or above p%)."""
    if not sorted_samples:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_samples)))
    return sorted_samples[rank - 1]


def summary_ms(samples_s: Sequence[float]) -> dict[str, float | int | None]:
    """count, p50/p95/p99/p99.9 and max of latencies given in seconds, reported in ms (None
    without samples: JSON has no NaN)."""
    ordered = sorted(samples_s)
    result: dict[str, float | int | None] = {"count": len(ordered)}
    for p in PERCENTILES:
        result[f"p{p:g}_ms"] = round(percentile(ordered, p) * 1000, 2) if ordered else None
    result["max_ms"] = round(ordered[-1] * 1000, 2) if ordered else None
    return result


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0
