"""A lab experiment: every candidate model (at each swept speed-up) under every seed, run in
worker processes, the measures summarised with their intervals. A worker takes a whole seed,
so a seed's draws are made once and shared by every model (common random numbers)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lab.cases import Case
from lab.clock import Clock
from lab.draws import draws
from lab.durations import Durations
from lab.measures import Measures, Scopes, of_run, repeats, scopes
from lab.models import Candidate
from lab.series import Series, waiting
from lab.simulation import Memory, Simulation, in_force
from services.advisory.sla.policy import SlaPolicy
from shared.events import OrganisationModel


@dataclass(frozen=True)
class Variant:
    """A candidate model at one assumed specialist speed-up (e.g. -0.1: 10% faster)."""

    candidate: Candidate
    speedup: float

    @property
    def label(self) -> str:
        if self.candidate.kind in ("specialised", "hybrid", "in_force") and self.speedup:
            return f"{self.candidate.name} (specialists {self.speedup:+.0%})"
        return self.candidate.name


@dataclass(frozen=True)
class Setup:
    cases: Sequence[Case]
    variants: Sequence[Variant]
    durations: Durations
    clock: Clock
    policy: SlaPolicy
    # Filled by ``run`` before the workers fork, so they share it: see ``prepared``.
    shared: Prepared | None = None


@dataclass(frozen=True)
class Prepared:
    """What every seed shares: each case on the time axis, the model routing it under each
    variant, the repeat requests (``measures.repeats``) and what measuring reads per office."""

    arrived: list[float]
    models: list[list[OrganisationModel | None]]
    pairs: list[tuple[int, int]]
    scopes: Scopes


def prepared(setup: Setup) -> Prepared:
    stamps = [c.received_at.timestamp() for c in setup.cases]
    arrived = [setup.clock.since(t) for t in stamps]
    models = [in_force(setup.cases, v.candidate, stamps) for v in setup.variants]
    pairs = repeats(setup.cases)
    return Prepared(arrived, models, pairs, scopes(setup.cases, setup.policy, pairs))


@dataclass(frozen=True)
class SeedResult:
    seed: int
    measures: list[dict[str, Measures]]  # per variant: scope -> measure -> value
    queues: list[Series]  # per variant: cases waiting for a first response over time


def variants(candidates: Sequence[Candidate], speedups: Sequence[float]) -> list[Variant]:
    """Each candidate at each speed-up; the polyvalent ones at 0 (they have no specialists)."""
    found = []
    for c in candidates:
        sweep = speedups if c.kind in ("specialised", "hybrid") else (0.0,)
        found += [Variant(c, s) for s in sweep]
    return found


# What the runs of a seed share in this process (lab.simulation.Memory): routing's decisions,
# and the run of an office two candidates run alike. Forgotten at each seed: across seeds the
# advisers' loads rarely repeat, and an office's run is the seed's.
_MEMORY = Memory()


def one_seed(setup: Setup, seed: int) -> SeedResult:
    drawn = draws(seed, setup.cases, setup.durations)
    shared = setup.shared or prepared(setup)
    arrived, models, pairs = shared.arrived, shared.models, shared.pairs
    measures, queues = [], []
    _MEMORY.forget()
    for k, v in enumerate(setup.variants):
        run = Simulation(
            setup.cases,
            v.candidate,
            setup.durations,
            setup.clock,
            seed,
            drawn,
            v.speedup,
            arrived,
            models[k],
            _MEMORY,
        ).run()
        measures.append(of_run(run, setup.cases, setup.policy, pairs, shared.scopes))
        queues.append(waiting(run))
    return SeedResult(seed, measures, queues)


_SETUP: Setup | None = None  # the workers' copy, inherited when they fork


def _worker(seed: int) -> SeedResult:
    assert _SETUP is not None
    return one_seed(_SETUP, seed)


def run(setup: Setup, seeds: Sequence[int], workers: int = 2) -> list[SeedResult]:
    """Every seed, in ``workers`` processes (forked: the cases are not copied)."""
    global _SETUP
    setup = replace(setup, shared=prepared(setup))
    if workers <= 1 or len(seeds) <= 1:
        return [one_seed(setup, s) for s in seeds]
    _SETUP = setup
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(seeds))) as pool:
            return pool.map(_worker, seeds, chunksize=1)
    finally:
        _SETUP = None
