"""The lab's simulation: deterministic under a seed, common random numbers across models,
the swept speed-up applied to specialists only, business time in closed form."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab import clock, draws
from lab.cases import Case, generated
from lab.durations import Durations, Spread, Steps
from lab.measures import ALL, of_run, repeats
from lab.models import ModelSpec, apply
from lab.organisation import Roster, fold
from lab.outcome import OfficeOutcome
from lab.simulation import Memory, Simulation, in_force
from services.advisory.sla.policy import SlaPolicy
from services.routing.deciding import Staffing
from services.routing.organisation import seed
from services.routing.organisation.model import ModelChange, model_at
from shared.business_calendar import Calendar, business_seconds
from shared.events import OrganisationModel

ORGANISATION = Path(__file__).parents[2] / "lab" / "examples" / "organisation-100.json"
START = datetime(2026, 3, 2, tzinfo=UTC)
CASES = generated(3000, START, seed=3, days=30)
CLOCK = clock.business(Calendar(), CASES[0].received_at, CASES[-1].received_at)


@pytest.fixture(scope="module")
def roster() -> Roster:
    return fold(seed.facts(seed.load(ORGANISATION)))


def measures(roster: Roster, kind: str, run_seed: int, speedup: float = 0.0) -> dict[str, float]:
    candidate = apply(ModelSpec(name=kind, kind=kind), roster)
    drawn = draws.draws(run_seed, CASES, Durations())
    run = Simulation(CASES, candidate, Durations(), CLOCK, run_seed, drawn, speedup).run()
    return of_run(run, CASES, SlaPolicy(), repeats(CASES))[ALL]


def test_a_run_is_deterministic_under_its_seed(roster: Roster) -> None:
    # Given the same cases, model and seed, twice; When both run; Then they agree exactly
    assert measures(roster, "specialised", 4) == measures(roster, "specialised", 4)
    # ...and another seed draws other durations
    assert measures(roster, "specialised", 4) != measures(roster, "specialised", 5)


def test_a_case_draws_the_same_whatever_else_is_simulated() -> None:
    # Common random numbers: a case's draws depend on (seed, case) only
    few = draws.draws(9, CASES[:10], Durations())
    alone = draws.draws(9, CASES[5:6], Durations())
    assert few[5] == alone[0]
    assert draws.draws(10, CASES[5:6], Durations())[0] != alone[0]


def test_bulk_draws_are_each_cases_own_draws() -> None:
    # Given steps of every kind: the log's samples, a lognormal, a step of no time
    sampled = Steps(
        pickup=Spread(600.0, samples=(60.0, 600.0, 3600.0)),
        reply=Spread(1800.0, 0.5),
        resolve=Spread(0.0),
        escalate_after=Spread(7200.0, 2.0),
        support=Spread(3600.0, samples=(100.0,)),
        wait=Spread(9000.0, 1.5),
        p_escalate=0.3,
        p_wait=0.5,
    )
    durations = Durations(
        {"expenses": sampled, "payments_advances": replace(sampled, resolve=Spread(5.0))}
    )
    # When a seed's draws are made in bulk, Then each is the case's own draw, exactly
    bulk = draws.draws(11, CASES[:500], durations)
    assert bulk == [draws.draw(11, c, durations) for c in CASES[:500]]
    assert {d.escalated for d in bulk} == {True, False}
    assert any(d.wait == 0.0 for d in bulk)
    assert any(d.wait > 0.0 for d in bulk)


def test_models_differ_by_how_they_route(roster: Roster) -> None:
    polyvalent, specialised = measures(roster, "polyvalent", 1), measures(roster, "specialised", 1)
    # the member's own adviser takes their repeat requests only in the polyvalent model
    assert polyvalent["continuity"] > specialised["continuity"] + 0.3
    # same draws: same escalations whatever the model
    assert polyvalent["escalation_rate"] == specialised["escalation_rate"]


def test_the_speedup_shortens_specialists_work_only(roster: Roster) -> None:
    assert (
        measures(roster, "specialised", 2, -0.2)["resolution_p50_h"]
        < measures(roster, "specialised", 2)["resolution_p50_h"]
    )
    assert measures(roster, "polyvalent", 2, -0.2) == measures(roster, "polyvalent", 2)


def test_business_time_in_closed_form_counts_as_advisorys_calendar() -> None:
    calendar = Calendar()
    start = datetime(2026, 4, 3, 16, 0, tzinfo=UTC)  # a Friday, before Easter Monday
    axis = clock.business(calendar, start, start + timedelta(days=10))
    for hours in (0.5, 3, 30, 75, 101):
        end = start + timedelta(hours=hours)
        assert axis.seconds(end) - axis.seconds(start) == pytest.approx(
            business_seconds(calendar, start, end)
        )
    # an instant on the axis maps back to the instant it came from (office hours)
    monday_noon = datetime(2026, 4, 7, 10, 0, tzinfo=UTC)
    assert axis.instant(axis.seconds(monday_noon)) == monday_noon


class Unkept(dict[tuple[object, ...], OfficeOutcome]):
    """A memory that keeps nothing: every office is run, there and then."""

    def __setitem__(self, key: tuple[object, ...], value: OfficeOutcome) -> None:
        pass


def test_offices_run_alike_are_run_once_and_give_the_same(roster: Roster) -> None:
    # Given a memory of office runs filled by the model in force (Liège and Charleroi run
    # specialised, as they do under "specialised everywhere")
    memory = Memory()
    drawn = draws.draws(6, CASES, Durations())
    in_force = apply(ModelSpec(name="in force", kind="in_force"), roster)
    Simulation(CASES, in_force, Durations(), CLOCK, 6, drawn, memory=memory).run()
    remembered = dict(memory.runs)
    # When the specialised model runs with that memory, and without any
    specialised = apply(ModelSpec(name="specialised", kind="specialised"), roster)
    with_memory = Simulation(CASES, specialised, Durations(), CLOCK, 6, drawn, memory=memory)
    none = Memory()
    none.runs = Unkept()
    every_time = Simulation(CASES, specialised, Durations(), CLOCK, 6, drawn, memory=none)
    # Then both runs are the same, case by case
    assert with_memory.run() == every_time.run()
    # ...the memory kept what it had and added the offices not alike (the others were run)
    assert remembered.items() <= memory.runs.items()
    assert len(remembered) < len(memory.runs) < 2 * len(remembered)
    # ...and under another seed nothing is taken from it
    other = Simulation(
        CASES, specialised, Durations(), CLOCK, 7, draws.draws(7, CASES, Durations())
    )
    assert other.run() != with_memory.run()


@given(
    changes=st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 3), st.sampled_from(list(OrganisationModel))),
        max_size=6,
    ),
    instants=st.lists(st.integers(-2, 24), min_size=1, max_size=30),
)
def test_the_model_of_each_case_is_routings_rule(
    changes: list[tuple[int, int, OrganisationModel]], instants: list[int]
) -> None:
    # Given an office's model changes (some at the same effective time, decided apart)
    history = tuple(
        ModelChange(
            "mons", model, START + timedelta(hours=at), START + timedelta(hours=decided), uuid4()
        )
        for at, decided, model in changes
    )
    roster = Roster({"mons": Staffing("mons", changes=history)}, 1)
    cases = [
        Case(f"c{n}", "m", "mons", "fr", "expenses", START + timedelta(hours=h))
        for n, h in enumerate(sorted(instants))
    ] + [Case("elsewhere", "m", "namur", "fr", "expenses", START)]
    candidate = apply(ModelSpec(name="in force", kind="in_force"), roster)
    # When the lab works out the model routing each case (once per change, not per case)
    found = in_force(cases, candidate)
    # Then it is routing's own rule, case by case; None for an office the candidate lacks
    assert found == [model_at(history, c.received_at)[0] for c in cases[:-1]] + [None]
