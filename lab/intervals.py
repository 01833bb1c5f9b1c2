"""95% intervals over seeded repetitions (Student's t), and paired differences between models:
the same seed gives both models the same draws, so their per-seed differences are paired."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Two-sided 95% quantiles of Student's t by degrees of freedom (1..30); the normal's beyond.
T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n}


def interval(values: Sequence[float]) -> Interval:
    """The mean of ``values`` with its 95% interval (a point when there is one value)."""
    xs = [v for v in values if not math.isnan(v)]
    if not xs:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = sum(xs) / len(xs)
    if len(xs) == 1:
        return Interval(mean, mean, mean, 1)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))
    t = T975[len(xs) - 2] if len(xs) - 1 <= len(T975) else 1.96
    half = t * sd / math.sqrt(len(xs))
    return Interval(mean, mean - half, mean + half, len(xs))


def paired(values: Sequence[float], reference: Sequence[float]) -> Interval:
    """The interval of the per-seed differences ``values - reference``."""
    return interval([v - r for v, r in zip(values, reference, strict=True)])
