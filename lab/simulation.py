"""One simulated run: a candidate model, a seed, a specialist speed-up.

Each office is simulated on its own (``lab.office``, SimPy): arrivals routed on arrival by
routing's own policies against the load the office has reached, a case releasing its
adviser's slot (the adviser then takes the oldest case waiting in a queue they serve),
absences starting and ending. Offices share nothing but the support team: escalated cases
reach it when their office's run says, and its queue (a pool of slots, first come first
served) is worked out afterwards, in the order they reached it. Breaches are computed
afterwards from the timestamps (``lab.measures``).

What is the same is done once (``Memory``): an office two candidates run alike (same floor,
same model for each case, same speed-up where it applies) goes through the same run under the
same seed, so it is run once. (Decisions were remembered too, keyed by all the policy reads;
since the lab asks the policy for its placement alone, deciding again costs less than the key.)"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from lab.cases import Case
from lab.clock import Clock
from lab.draws import Draw
from lab.durations import Durations
from lab.floor import Floor
from lab.models import Candidate
from lab.office import Given, OfficeRun
from lab.outcome import OfficeOutcome, Run
from services.routing.organisation.model import ModelChange, model_at
from shared.events import OrganisationModel

SPECIALISED = OrganisationModel.SPECIALISED
BEFORE = timedelta(microseconds=1)  # an instant's resolution: the one before a change
ALL = datetime(1970, 1, 1, tzinfo=UTC)  # any instant, for an office with no change


class Memory:
    """What the runs of one seed (and its draws) share in a process: the offices' runs, keyed
    by all an office's run reads (its signature, ``floor.signature``, among them)."""

    def __init__(self) -> None:
        self.offices: dict[tuple[object, ...], int] = {}
        self.runs: dict[tuple[object, ...], OfficeOutcome] = {}

    def office(self, floor: Floor) -> int:
        """A small number standing for the floor's signature."""
        return self.offices.setdefault(floor.signature, len(self.offices))

    def forget(self) -> None:
        """Before another seed: its runs are other runs."""
        self.runs.clear()


def in_force(
    cases: Sequence[Case], candidate: Candidate, stamps: Sequence[float] | None = None
) -> list[OrganisationModel | None]:
    """The model routing each case under the candidate (None: an office it does not staff).
    Routing's rule (``model_at``) is asked once per office and change, not once per case: the
    model in force only changes at a change's effective time. ``stamps``: each case's
    ``received_at.timestamp()`` (instants compare as their timestamps do, and faster)."""
    stamps = stamps if stamps is not None else [c.received_at.timestamp() for c in cases]
    offices = candidate.roster.offices
    steps = {code: _steps(staffing.changes) for code, staffing in offices.items()}
    found: list[OrganisationModel | None] = []
    for c, at in zip(cases, stamps, strict=True):
        step = steps.get(c.office)
        if step is None:
            found.append(None)
            continue
        bounds, models = step
        if not bounds or at >= bounds[-1]:  # after the last change (most cases)
            found.append(models[-1])
        else:
            found.append(models[bisect_right(bounds, at)])
    return found


def _steps(changes: Sequence[ModelChange]) -> tuple[list[float], list[OrganisationModel]]:
    """An office's model history as steps: ``models[k]`` is in force from ``bounds[k - 1]``
    (inclusive) to ``bounds[k]`` (timestamps), by ``model_at`` itself."""
    instants = sorted({c.effective_at for c in changes})
    first = model_at(changes, instants[0] - BEFORE if instants else ALL)[0]
    models = [first] + [model_at(changes, b)[0] for b in instants]
    return [b.timestamp() for b in instants], models


class Simulation:
    def __init__(
        self,
        cases: Sequence[Case],
        candidate: Candidate,
        durations: Durations,
        clock: Clock,
        seed: int,
        draws: Sequence[Draw],
        speedup: float = 0.0,
        arrived: list[float] | None = None,
        models: Sequence[OrganisationModel | None] | None = None,
        memory: Memory | None = None,
    ) -> None:
        """``arrived`` and ``models`` (each case on the time axis, the model routing it) are
        the same for every seed: computed here unless given. ``memory``: what the runs of this
        seed share (one of its own when not given)."""
        arrived = arrived if arrived is not None else [clock.seconds(c.received_at) for c in cases]
        models = models if models is not None else in_force(cases, candidate)
        self.given = Given(cases, arrived, models, draws, durations, seed)
        self.arrived, self.clock = arrived, clock
        self.candidate, self.speed = candidate, 1.0 + speedup
        self.memory = memory or Memory()
        self.support_slots = max(1, candidate.roster.support_slots)

    def run(self) -> Run:
        cases, roster = self.given.cases, self.candidate.roster
        by_office: dict[str, list[int]] = {}
        for i, case in enumerate(cases):
            by_office.setdefault(case.office, []).append(i)
        outcomes = [
            self._office(code, idx) for code, idx in by_office.items() if code in roster.offices
        ]
        return self._result(outcomes)

    def _office(self, code: str, idx: list[int]) -> OfficeOutcome:
        """The office's run: from the memory when an alike office ran under this seed."""
        floor = Floor(self.candidate.roster.offices[code], code in self.candidate.hybrid)
        models = tuple(self.given.models[i] for i in idx)
        speed = self.speed if SPECIALISED in models else 1.0  # the speed-up's only reach
        absences = tuple(
            (self.clock.seconds(a.starts_at), self.clock.seconds(a.ends_at), a.adviser_id)
            for a in self.candidate.roster.absences
            if a.adviser_id in floor.index
        )
        office_id = self.memory.office(floor)
        key = (office_id, self.given.seed, speed, absences, models)
        found = self.memory.runs.get(key)
        if found is None:
            found = OfficeRun(self.given, idx, floor, speed, absences).run()
            self.memory.runs[key] = found
        return found

    def _result(self, outcomes: Sequence[OfficeOutcome]) -> Run:
        n = len(self.given.cases)
        fr: list[float | None] = [None] * n
        res: list[float | None] = [None] * n
        paused, handoffs, speaks = [0.0] * n, [0] * n, [False] * n
        adviser: list[str | None] = [None] * n
        escalated = [False] * n
        reached: list[tuple[float, int]] = []  # (when it reached the support team, case)
        held: dict[str, float] = {}
        taken: dict[str, int] = {}
        end = 0.0
        for o in outcomes:
            for j, i in enumerate(o.cases):
                fr[i], res[i], paused[i] = o.first_response[j], o.resolved[j], o.paused[j]
                adviser[i], handoffs[i], speaks[i] = o.adviser[j], o.handoffs[j], o.speaks[j]
                if (at := o.escalated_at[j]) is not None:
                    escalated[i] = True
                    reached.append((at, i))
            held.update(o.held)
            taken.update(o.taken)
            end = max(end, o.end)
        self._support(sorted(reached), res)
        staff = [a for s in self.candidate.roster.offices.values() for a in s.advisers]
        arrived = self.arrived
        return Run(
            arrived=arrived,
            first_response=fr,
            resolved=res,
            paused=paused,
            adviser=adviser,
            escalated=escalated,
            handoffs=handoffs,
            speaks=speaks,
            held=held,
            taken=taken,
            capacity={a.adviser_id: a.capacity for a in staff},
            office_of={a.adviser_id: a.office for a in staff},
            horizon=max(end, arrived[-1] if arrived else 0.0),
        )

    def _support(self, reached: Sequence[tuple[float, int]], res: list[float | None]) -> None:
        """The support team: a pool of slots, first come first served, in the order escalated
        cases reached it."""
        slots = [0.0] * self.support_slots
        for at, i in reached:
            start = max(at, heapq.heappop(slots))
            res[i] = end = start + self.given.draws[i].support
            heapq.heappush(slots, end)
