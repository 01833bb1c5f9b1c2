"""The measures of a run, per office and overall ("all"), computed afterwards from the
timestamps: waits and resolution times in business hours, SLA breaches by advisory's own
policy (targets per priority, waits on the member paused), escalations, hand-offs, workload
balance, continuity, language match and utilisation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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


def of_run(
    run: Run, cases: Sequence[Case], policy: SlaPolicy, pairs: Sequence[tuple[int, int]]
) -> dict[str, Measures]:
    """Every measure, per office and for all offices together."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        groups[case.office].append(i)
    groups[ALL] = list(range(len(cases)))
    repeat_of: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, j in pairs:
        repeat_of[cases[i].office].append((i, j))
        repeat_of[ALL].append((i, j))
    staff: dict[str, list[str]] = defaultdict(list)
    for adviser, office in run.office_of.items():
        staff[office].append(adviser)
        staff[ALL].append(adviser)
    per_case = _PerCase(run, cases, policy)
    return {
        scope: _measures(run, per_case, idx, repeat_of[scope], staff[scope])
        for scope, idx in sorted(groups.items())
    }


class _PerCase:
    """Each case's wait, resolution time and breaches, computed once for every scope (None:
    no first response, or not resolved)."""

    def __init__(self, run: Run, cases: Sequence[Case], policy: SlaPolicy) -> None:
        targets = {
            family: (
                policy.target(policy.priority_of(family), SlaClock.FIRST_RESPONSE),
                policy.target(policy.priority_of(family), SlaClock.RESOLUTION),
            )
            for family in {c.topic_family for c in cases}
        }
        self.wait = [
            None if fr is None else fr - at
            for fr, at in zip(run.first_response, run.arrived, strict=True)
        ]
        self.time = [
            None if res is None else res - at
            for res, at in zip(run.resolved, run.arrived, strict=True)
        ]
        self.late_fr = [
            w is not None and w > targets[c.topic_family][0]
            for w, c in zip(self.wait, cases, strict=True)
        ]
        self.late_res = [
            t is not None and t - p > targets[c.topic_family][1]
            for t, p, c in zip(self.time, run.paused, cases, strict=True)
        ]


def _measures(
    run: Run,
    per: _PerCase,
    idx: Sequence[int],
    pairs: Sequence[tuple[int, int]],
    advisers: Sequence[str],
) -> Measures:
    waits = sorted(w for i in idx if (w := per.wait[i]) is not None)
    times = sorted(t for i in idx if (t := per.time[i]) is not None)
    held = [i for i in idx if run.adviser[i] is not None]
    n = max(1, len(idx))
    loads = [run.taken.get(a, 0) for a in advisers]
    mean_load = sum(loads) / len(loads) if loads else 0.0
    slots = sum(run.capacity[a] for a in advisers) * max(run.horizon, 1.0)
    return {
        "wait_p50_h": percentile(waits, 0.5) / HOUR,
        "wait_p90_h": percentile(waits, 0.9) / HOUR,
        "resolution_p50_h": percentile(times, 0.5) / HOUR,
        "resolution_p90_h": percentile(times, 0.9) / HOUR,
        "breach_first_response": sum(per.late_fr[i] for i in idx) / max(1, len(waits)),
        "breach_resolution": sum(per.late_res[i] for i in idx) / max(1, len(times)),
        "escalation_rate": sum(run.escalated[i] for i in idx) / n,
        "handoffs_per_case": sum(run.handoffs[i] for i in idx) / n,
        "load_max_over_mean": max(loads) / mean_load if mean_load else 0.0,
        "load_gini": gini(loads),
        "continuity": sum(run.adviser[i] == run.adviser[j] for i, j in pairs) / max(1, len(pairs)),
        "language_match": sum(run.speaks[i] for i in held) / max(1, len(held)),
        "utilisation": sum(run.held.get(a, 0.0) for a in advisers) / slots if slots else 0.0,
        "unserved": (len(idx) - len(held)) / n,
    }
