"""The measures of a run, per office and overall ("all"), computed afterwards from the
timestamps: waits and resolution times in business hours, SLA breaches by advisory's own
policy (targets per priority, waits on the member paused), escalations, hand-offs, workload
balance, continuity, language match and utilisation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from lab.cases import Case
from lab.outcome import Run
from services.advisory.sla.policy import SlaPolicy
from shared.sla_events import SlaClock

HOUR = 3600.0
REPEAT_WITHIN = timedelta(days=90)
ALL = "all"
Measures = dict[str, float]

# name -> (label, unit); the order of the report's tables.
LABELS: dict[str, tuple[str, str]] = {
    "wait_p50_h": ("wait to first response, median", "h"),
    "wait_p90_h": ("wait to first response, p90", "h"),
    "resolution_p50_h": ("resolution time, median", "h"),
    "resolution_p90_h": ("resolution time, p90", "h"),
    "breach_first_response": ("SLA breaches, first response", "%"),
    "breach_resolution": ("SLA breaches, resolution", "%"),
    "escalation_rate": ("escalated", "%"),
    "handoffs_per_case": ("hand-offs per case", ""),
    "load_max_over_mean": ("workload, busiest adviser / mean", ""),
    "load_gini": ("workload, Gini", ""),
    "continuity": ("repeat requests (90 days) to the same adviser", "%"),
    "language_match": ("served in their language", "%"),
    "utilisation": ("utilisation of advisers' slots", "%"),
    "unserved": ("never taken by an adviser", "%"),
}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted ``values`` (nan when empty)."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, int(q * len(values) + 0.5) - 1))]


def gini(values: Sequence[float]) -> float:
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum((i + 1) * v for i, v in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n


def repeats(cases: Sequence[Case]) -> list[tuple[int, int]]:
    """(request, the member's previous request) for requests within 90 days of the previous."""
    last: dict[str, int] = {}
    pairs = []
    for i, case in enumerate(cases):
        j = last.get(case.member_id)
        if j is not None and case.received_at - cases[j].received_at <= REPEAT_WITHIN:
            pairs.append((i, j))
        last[case.member_id] = i
    return pairs


@dataclass(frozen=True)
class Scopes:
    """What measuring any run of the same cases reads the same way: each office's cases (run
    indices, in order), their SLA targets (first response, resolution) and repeat requests."""

    cases: dict[str, list[int]]
    targets: dict[str, tuple[list[float], list[float]]]
    pairs: dict[str, list[tuple[int, int]]]


def scopes(cases: Sequence[Case], policy: SlaPolicy, pairs: Sequence[tuple[int, int]]) -> Scopes:
    targets = {
        family: (
            policy.target(policy.priority_of(family), SlaClock.FIRST_RESPONSE),
            policy.target(policy.priority_of(family), SlaClock.RESOLUTION),
        )
        for family in {c.topic_family for c in cases}
    }
    by_office: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        by_office[case.office].append(i)
    pairs_of: dict[str, list[tuple[int, int]]] = {office: [] for office in by_office}
    for i, j in pairs:
        pairs_of[cases[i].office].append((i, j))
    return Scopes(
        dict(by_office),
        {
            office: (
                [targets[cases[i].topic_family][0] for i in idx],
                [targets[cases[i].topic_family][1] for i in idx],
            )
            for office, idx in by_office.items()
        },
        pairs_of,
    )


def of_run(
    run: Run,
    cases: Sequence[Case],
    policy: SlaPolicy,
    pairs: Sequence[tuple[int, int]],
    within: Scopes | None = None,
) -> dict[str, Measures]:
    """Every measure, per office and for all offices together: each office's cases tallied
    field by field (``within``: their scopes, when the caller measures many runs of the same
    cases); all offices' are their sum (their waits and times merged)."""
    within = within or scopes(cases, policy, pairs)
    tallies = {
        office: _Tally.of(run, idx, *within.targets[office], within.pairs[office])
        for office, idx in within.cases.items()
    }
    tallies[ALL] = _Tally.total(tallies.values())
    staff: dict[str, list[str]] = defaultdict(list)
    for who, office in run.office_of.items():
        staff[office].append(who)
        staff[ALL].append(who)
    return {scope: tallies[scope].measures(run, staff[scope]) for scope in sorted(tallies)}


class _Tally:
    """One scope's counts, and its waits and resolution times (None: not measured)."""

    __slots__ = (
        "cases",
        "escalated",
        "handoffs",
        "held",
        "late_fr",
        "late_res",
        "pairs",
        "same",
        "speaks",
        "times",
        "waits",
    )

    def __init__(self) -> None:
        self.cases = self.escalated = self.handoffs = self.held = self.speaks = 0
        self.late_fr = self.late_res = self.pairs = self.same = 0
        self.waits: list[float] = []
        self.times: list[float] = []

    @classmethod
    def of(
        cls,
        run: Run,
        idx: Sequence[int],
        target_fr: Sequence[float],
        target_res: Sequence[float],
        pairs: Sequence[tuple[int, int]],
    ) -> _Tally:
        """One office's cases (run indices ``idx``), a field at a time."""
        first = [run.first_response[i] for i in idx]
        resolved = [run.resolved[i] for i in idx]
        arrived = [run.arrived[i] for i in idx]
        paused = [run.paused[i] for i in idx]
        adviser = [run.adviser[i] for i in idx]
        speaks = [run.speaks[i] for i in idx]
        t = cls()
        t.cases = len(idx)
        t.waits = [f - a for f, a in zip(first, arrived, strict=True) if f is not None]
        t.late_fr = sum(
            [f is not None and f - a > x for f, a, x in zip(first, arrived, target_fr, strict=True)]
        )
        t.times = [r - a for r, a in zip(resolved, arrived, strict=True) if r is not None]
        t.late_res = sum(
            [
                r is not None and r - a - p > x
                for r, a, p, x in zip(resolved, arrived, paused, target_res, strict=True)
            ]
        )
        t.escalated = sum([run.escalated[i] for i in idx])
        t.handoffs = sum([run.handoffs[i] for i in idx])
        t.held = len(adviser) - adviser.count(None)
        t.speaks = sum([s for s, a in zip(speaks, adviser, strict=True) if a is not None])
        t.pairs = len(pairs)
        everyone = run.adviser
        t.same = sum([everyone[i] == everyone[j] for i, j in pairs])
        return t

    @classmethod
    def total(cls, tallies: Iterable[_Tally]) -> _Tally:
        found = cls()
        for t in tallies:
            for name in cls.__slots__:
                setattr(found, name, getattr(found, name) + getattr(t, name))
        return found

    def measures(self, run: Run, advisers: Sequence[str]) -> Measures:
        waits, times = sorted(self.waits), sorted(self.times)
        n = max(1, self.cases)
        loads = [run.taken.get(a, 0) for a in advisers]
        mean_load = sum(loads) / len(loads) if loads else 0.0
        slots = sum(run.capacity[a] for a in advisers) * max(run.horizon, 1.0)
        return {
            "wait_p50_h": percentile(waits, 0.5) / HOUR,
            "wait_p90_h": percentile(waits, 0.9) / HOUR,
            "resolution_p50_h": percentile(times, 0.5) / HOUR,
            "resolution_p90_h": percentile(times, 0.9) / HOUR,
            "breach_first_response": self.late_fr / max(1, len(waits)),
            "breach_resolution": self.late_res / max(1, len(times)),
            "escalation_rate": self.escalated / n,
            "handoffs_per_case": self.handoffs / n,
            "load_max_over_mean": max(loads) / mean_load if mean_load else 0.0,
            "load_gini": gini(loads),
            "continuity": self.same / max(1, self.pairs),
            "language_match": self.speaks / max(1, self.held),
            "utilisation": sum(run.held.get(a, 0.0) for a in advisers) / slots if slots else 0.0,
            "unserved": (self.cases - self.held) / n,
        }
