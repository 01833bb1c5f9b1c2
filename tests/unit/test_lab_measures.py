"""The lab's measures, read in one pass over a run's cases, are each measure's definition
computed scope by scope (a plain reference here), on simulated runs of every kind of model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lab import clock, draws
from lab.cases import Case, generated
from lab.durations import Durations
from lab.measures import ALL, HOUR, Measures, gini, of_run, percentile, repeats
from lab.models import ModelSpec, apply
from lab.organisation import fold
from lab.outcome import Run
from lab.simulation import Simulation
from services.advisory.sla.policy import SlaPolicy
from services.routing.organisation import seed
from shared.business_calendar import Calendar
from shared.sla_events import SlaClock

ORGANISATION = Path(__file__).parents[2] / "lab" / "examples" / "organisation-100.json"
CASES = generated(2000, datetime(2026, 3, 2, tzinfo=UTC), seed=5, days=20)
CLOCK = clock.business(Calendar(), CASES[0].received_at, CASES[-1].received_at)


def reference(run: Run, cases: Sequence[Case], policy: SlaPolicy) -> dict[str, Measures]:
    """Each measure straight from its definition, for each scope on its own."""
    pairs = repeats(cases)
    scopes = {c.office for c in cases} | {ALL}
    found = {}
    for scope in sorted(scopes):
        idx = [i for i, c in enumerate(cases) if scope in (ALL, c.office)]
        advisers = [a for a, o in run.office_of.items() if scope in (ALL, o)]
        fr = {i: f - run.arrived[i] for i in idx if (f := run.first_response[i]) is not None}
        res = {i: r - run.arrived[i] for i in idx if (r := run.resolved[i]) is not None}
        late_fr = [
            w > policy.target(policy.priority_of(cases[i].topic_family), SlaClock.FIRST_RESPONSE)
            for i, w in fr.items()
        ]
        late_res = [
            t - run.paused[i]
            > policy.target(policy.priority_of(cases[i].topic_family), SlaClock.RESOLUTION)
            for i, t in res.items()
        ]
        held = [i for i in idx if run.adviser[i] is not None]
        mine = [(i, j) for i, j in pairs if scope in (ALL, cases[i].office)]
        loads = [run.taken.get(a, 0) for a in advisers]
        slots = sum(run.capacity[a] for a in advisers) * max(run.horizon, 1.0)
        found[scope] = {
            "wait_p50_h": percentile(sorted(fr.values()), 0.5) / HOUR,
            "wait_p90_h": percentile(sorted(fr.values()), 0.9) / HOUR,
            "resolution_p50_h": percentile(sorted(res.values()), 0.5) / HOUR,
            "resolution_p90_h": percentile(sorted(res.values()), 0.9) / HOUR,
            "breach_first_response": sum(late_fr) / max(1, len(late_fr)),
            "breach_resolution": sum(late_res) / max(1, len(late_res)),
            "escalation_rate": sum(run.escalated[i] for i in idx) / max(1, len(idx)),
            "handoffs_per_case": sum(run.handoffs[i] for i in idx) / max(1, len(idx)),
            "load_max_over_mean": max(loads) / (sum(loads) / len(loads)),
            "load_gini": gini(loads),
            "continuity": sum(run.adviser[i] == run.adviser[j] for i, j in mine)
            / max(1, len(mine)),
            "language_match": sum(run.speaks[i] for i in held) / max(1, len(held)),
            "utilisation": sum(run.held.get(a, 0.0) for a in advisers) / slots,
            "unserved": (len(idx) - len(held)) / max(1, len(idx)),
        }
    return found


@pytest.mark.parametrize("kind", ["in_force", "specialised", "hybrid", "polyvalent"])
def test_the_measures_of_a_run_are_their_definitions(kind: str) -> None:
    roster = fold(seed.facts(seed.load(ORGANISATION)))
    candidate = apply(ModelSpec(name=kind, kind=kind), roster)
    drawn = draws.draws(3, CASES, Durations())
    run = Simulation(CASES, candidate, Durations(), CLOCK, 3, drawn).run()
    measured = of_run(run, CASES, SlaPolicy(), repeats(CASES))
    assert measured == reference(run, CASES, SlaPolicy())
    # ...and the run is one where each measure can be told apart
    assert 0 < measured[ALL]["escalation_rate"] < 1
    assert 0 < measured[ALL]["continuity"] < 1
    assert len(measured) == len({c.office for c in CASES}) + 1
