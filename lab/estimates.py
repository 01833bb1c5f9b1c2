"""Service times estimated from the log: per topic family, each step's mean and spread, the
share of escalations and of waits on the member, measured on the lab's time axis. A family
with too few cases takes the estimate pooled over all families; with too few cases in all,
the scenario's defaults stand."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from lab.cases import Case
from lab.clock import Clock
from lab.durations import Durations, Spread, Steps
from lab.history import Story, paused

ENOUGH = 5  # samples below which a step is not estimated from its family alone
KEEP = 1000  # samples kept per step: evenly spaced quantiles of what the log measured


def spread(samples: Sequence[float], fallback: Spread) -> Spread:
    xs = [x for x in samples if x >= 0]
    if len(xs) < ENOUGH:
        return fallback
    mean = sum(xs) / len(xs)
    if mean <= 0:
        return Spread(0.0, 0.0)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (len(xs) - 1))
    xs.sort()
    kept = tuple(xs[int(k * len(xs) / KEEP)] for k in range(KEEP)) if len(xs) > KEEP else tuple(xs)
    return Spread(mean, sd / mean, kept)


def share(hits: int, total: int, fallback: float) -> float:
    return hits / total if total >= ENOUGH else fallback


class _Samples:
    def __init__(self) -> None:
        self.steps: dict[str, list[float]] = defaultdict(list)
        self.escalated = self.closed = self.waited = self.resolved = 0

    def steps_or(self, fallback: Steps) -> Steps:
        s = self.steps
        return Steps(
            pickup=spread(s["pickup"], fallback.pickup),
            reply=spread(s["reply"], fallback.reply),
            resolve=spread(s["resolve"], fallback.resolve),
            escalate_after=spread(s["escalate_after"], fallback.escalate_after),
            support=spread(s["support"], fallback.support),
            wait=spread(s["wait"], fallback.wait),
            p_escalate=share(self.escalated, self.closed, fallback.p_escalate),
            p_wait=share(self.waited, self.resolved, fallback.p_wait),
        )


def estimate(
    cases: Sequence[Case], found: Mapping[str, Story], clock: Clock, defaults: Durations
) -> Durations:
    pooled = _Samples()
    by_family: defaultdict[str, _Samples] = defaultdict(_Samples)
    for c in cases:
        s = found.get(c.case_id)
        if s is not None:
            for target in (pooled, by_family[c.topic_family]):
                _sample(target, c, s, clock)
    overall = pooled.steps_or(defaults.default)
    return Durations(
        {family: samples.steps_or(overall) for family, samples in sorted(by_family.items())},
        overall,
        source=f"estimated from {sum(1 for c in cases if c.case_id in found)} cases of the log",
    )


def _sample(into: _Samples, c: Case, s: Story, clock: Clock) -> None:
    t = clock.seconds
    # Pickup, for a case routing gave an adviser straight away: from its receipt (when the
    # simulation routes it and its adviser holds it) to the claim. Routing's own latency is
    # part of it: the simulation has no other step for it, and the measured wait counts it.
    if s.routed is not None and s.routed.adviser_id and s.claimed:
        into.steps["pickup"].append(t(s.claimed) - t(c.received_at))
    if s.claimed and s.replied:
        into.steps["reply"].append(t(s.replied) - t(s.claimed))
    if s.escalated is not None or s.resolved is not None:
        into.closed += 1
    if s.escalated is not None:
        into.escalated += 1
        if s.replied:
            into.steps["escalate_after"].append(t(s.escalated) - t(s.replied))
        if s.resolved is not None and s.support_claimed:
            into.steps["support"].append(t(s.resolved.resolved_at) - t(s.support_claimed))
    elif s.resolved is not None and s.replied:
        into.resolved += 1
        wait = paused(s, clock)
        into.waited += wait > 0
        if wait > 0:
            into.steps["wait"].append(wait)
        into.steps["resolve"].append(t(s.resolved.resolved_at) - t(s.replied) - wait)
