"""Queues over time: how many cases wait for their first response, sampled over the period
(from the run's timestamps, afterwards)."""

from __future__ import annotations

from bisect import bisect_right

from lab.outcome import Run

POINTS = 120
Series = list[tuple[float, int]]  # (business hours since the start, cases waiting)


def waiting(run: Run, points: int = POINTS) -> Series:
    arrived = sorted(run.arrived)
    answered = sorted(f for f in run.first_response if f is not None)
    if not arrived:
        return []
    end = arrived[-1]
    step = end / points if end > 0 else 1.0
    return [
        (t / 3600, bisect_right(arrived, t) - bisect_right(answered, t))
        for t in (k * step for k in range(points + 1))
    ]
