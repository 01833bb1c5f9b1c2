"""One simulated run: a candidate model, a seed, a specialist speed-up.

SimPy schedules what must happen in time order: arrivals (routed on arrival by routing's own
policies, against the load the simulation has reached), a case releasing its adviser's slot
(the adviser then takes the oldest case waiting in a queue they serve), escalations reaching
the support team, absences starting and ending. Within a held case the steps are closed form
(claim, first reply, waits, resolution: drawn durations added on the business-time axis), so a
case costs two or three events, not a tick per minute. Breaches are computed afterwards from
the timestamps (``lab.measures``)."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from typing import cast

import simpy
from simpy.events import Timeout

from lab.cases import Case
from lab.clock import Clock
from lab.draws import Draw, draw
from lab.durations import Durations
from lab.floor import Floor
from lab.models import Candidate
from lab.outcome import Run
from services.routing import policies
from services.routing.organisation.model import model_at
from shared.events import OrganisationModel

SPECIALISED = OrganisationModel.SPECIALISED
RESOLVE, ESCALATE, HANDOFF = 0, 1, 2  # what a held case's end event does
# A decision: the adviser (None: queued) and the queue. Remembered by everything the policy
# reads (the request, the office's model and its advisers' load and availability): routing is
# a pure function of them, so a decision met again (later in the run, under another seed or
# speed-up of the same candidate) is the policy's own answer, not a guess.
Decided = tuple[str | None, str]
REMEMBERED = 1_000_000  # decisions kept before the memory starts afresh


class Memory:
    """The decisions met so far, shared by the runs of a process: keyed by the office's
    signature (``floor.signature``: two candidates' offices alike share their decisions), the
    model, the request and the advisers' load and availability."""

    def __init__(self) -> None:
        self.offices: dict[tuple[object, ...], int] = {}
        self.decided: dict[tuple[object, ...], Decided] = {}

    def office(self, floor: Floor) -> int:
        """A small number standing for the floor's signature."""
        return self.offices.setdefault(floor.signature, len(self.offices))

    def forget(self) -> None:
        self.decided.clear()


def in_force(cases: Sequence[Case], candidate: Candidate) -> list[OrganisationModel | None]:
    """The model routing each case under the candidate (None: an office it does not staff)."""
    offices = candidate.roster.offices
    return [
        model_at(offices[c.office].changes, c.received_at)[0] if c.office in offices else None
        for c in cases
    ]


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
        the same for every seed: computed here unless given. ``memory``: the decisions met so
        far (shared by the runs of a process)."""
        self.cases, self.durations, self.seed, self.speed = cases, durations, seed, 1.0 + speedup
        self.draws = draws
        roster = candidate.roster
        self.floors = {c: Floor(s, c in candidate.hybrid) for c, s in roster.offices.items()}
        self.arrived = (
            arrived if arrived is not None else [clock.seconds(c.received_at) for c in cases]
        )
        self.models = models if models is not None else in_force(cases, candidate)
        n = len(cases)
        self.fr: list[float | None] = [None] * n
        self.res: list[float | None] = [None] * n
        self.paused = [0.0] * n
        self.adviser: list[str | None] = [None] * n
        self.escalated = [False] * n
        self.handoffs = [0] * n
        self.speaks = [False] * n
        self.stage = [0] * n  # 1: at a hybrid's front desk; 2: handed on to a specialist
        self.since = [0.0] * n  # when its current adviser took it
        self.held: dict[str, float] = {}
        self.taken: dict[str, int] = {}
        self.own: dict[str, str] = {}
        self.support = [0.0] * max(1, roster.support_slots)
        self.memory = memory or Memory()
        self.decided = self.memory.decided
        self.office_ids = {c: self.memory.office(f) for c, f in self.floors.items()}
        self.env = simpy.Environment()
        self.clock = clock
        self.absences = [
            (clock.seconds(a.starts_at), clock.seconds(a.ends_at), a.adviser_id)
            for a in roster.absences
        ]

    def run(self) -> Run:
        self._next = 0
        self._arrive_from(0.0)
        for start, end, who in self.absences:
            self.env.process(self._absence(start, end, who))
        self.env.run()
        return self._result()

    def _arrive_from(self, now: float) -> None:
        """Routes the cases arriving now, then waits for the next one (one event a time of
        arrival, no process to resume)."""
        arrived, i = self.arrived, self._next
        while i < len(arrived) and arrived[i] <= now:
            self._next = i + 1
            self._route(i)
            i = self._next
        if i < len(arrived):
            Timeout(self.env, arrived[i] - now).callbacks.append(self._arrive)

    def _arrive(self, event: simpy.events.Event) -> None:
        self._arrive_from(self.env.now)

    def _absence(self, start: float, end: float, who: str) -> simpy.events.ProcessGenerator:
        for floor in self.floors.values():
            if who in floor.index:
                yield self.env.timeout(max(0.0, start - self.env.now))
                floor.set_available(floor.index[who], False)
                yield self.env.timeout(max(0.0, end - self.env.now))
                floor.set_available(floor.index[who], True)
                self._pull(floor, floor.index[who])

    def _route(self, i: int) -> None:
        case, model = self.cases[i], self.models[i]
        floor = self.floors.get(case.office)
        if floor is None or model is None:
            return  # an office nobody staffs: the case waits for good
        front_stage = floor.hybrid and self.stage[i] == 0
        if front_stage:
            self.stage[i] = 1
        own = self.own.get(case.member_id)
        office = self.office_ids[case.office]
        key = (office, model, front_stage, case.language, case.topic_family, own, floor.now())
        decided = self.decided.get(key)
        if decided is None:
            decided = self._decide(floor, model, front_stage, case, own)
            if len(self.decided) >= REMEMBERED:
                self.memory.forget()
            self.decided[key] = decided
        adviser_id, queue = decided
        if adviser_id is None:
            floor.queues.setdefault(queue, deque()).append(i)
        else:
            self._hold(i, floor, floor.index[adviser_id])

    @staticmethod
    def _decide(
        floor: Floor, model: OrganisationModel, front_stage: bool, case: Case, own: str | None
    ) -> Decided:
        """Routing's own policy, on the office as the run has it now."""
        asked = policies.Request(case.office, case.language, case.topic_family, own)
        if front_stage:
            choice = policies.polyvalent(asked, floor.view(model, front_only=True))
        else:
            choice = policies.decide(asked, floor.view(model))
        return choice.adviser_id, choice.queue

    def _hold(self, i: int, floor: Floor, k: int) -> None:
        """Adviser ``k`` holds case ``i`` from now: its steps, drawn, in closed form."""
        now, case = self.env.now, self.cases[i]
        adviser = floor.load(k, +1)
        d = self.draws[i] if self.stage[i] < 2 else draw(self.seed, case, self.durations, 2)
        speed = self.speed if self._specialist(i, floor, adviser.desk) else 1.0
        reply = now + d.pickup + speed * d.reply
        if self.fr[i] is None:
            self.fr[i] = reply
        self.adviser[i] = adviser.adviser_id
        self.speaks[i] = case.language in adviser.languages
        self.taken[adviser.adviser_id] = self.taken.get(adviser.adviser_id, 0) + 1
        self.since[i] = now
        if self.stage[i] == 1 and floor.specialist_desk(case.topic_family):
            self.stage[i] = 2
            self.handoffs[i] += 1
            self._at(reply, HANDOFF, i, floor, k)
        elif d.escalated:
            self.escalated[i] = True
            self.handoffs[i] += 1
            self._at(reply + speed * d.after, ESCALATE, i, floor, k)
        else:
            self.paused[i] = d.wait
            self.res[i] = end = reply + speed * d.after + d.wait
            self._at(end, RESOLVE, i, floor, k)

    def _specialist(self, i: int, floor: Floor, desk: str | None) -> bool:
        """Whether the case is worked by a specialist of its family (where the swept speed-up
        applies): a specialist desk's adviser, under the specialised model."""
        if self.models[i] is not SPECIALISED or desk is None or desk in floor.front:
            return False
        return self.cases[i].topic_family in floor.families.get(desk, ())

    def _at(self, at: float, what: int, i: int, floor: Floor, k: int) -> None:
        delay = at - self.env.now
        event = Timeout(self.env, delay if delay > 0 else 0.0, (what, i, floor, k))
        event.callbacks.append(self._fire)

    def _fire(self, event: simpy.events.Event) -> None:
        what, i, floor, k = cast(tuple[int, int, Floor, int], event.value)
        now = self.env.now
        adviser = floor.load(k, -1)
        who = adviser.adviser_id
        self.held[who] = self.held.get(who, 0.0) + now - self.since[i]
        if what == RESOLVE:
            self.own[self.cases[i].member_id] = who
        elif what == ESCALATE:
            self._to_support(i)
        else:
            self._route(i)
        self._pull(floor, k)

    def _to_support(self, i: int) -> None:
        """The support team: a pool of slots, first come first served (closed form: escalations
        reach it in time order)."""
        start = max(self.env.now, heapq.heappop(self.support))
        end = start + self.draws[i].support
        heapq.heappush(self.support, end)
        self.res[i] = end

    def _pull(self, floor: Floor, k: int) -> None:
        """A slot freed (or the adviser came back): the oldest case waiting in a queue the
        adviser serves, if any."""
        adviser = floor.advisers[k]
        if not (adviser.available and adviser.capacity > adviser.open_cases):
            return
        oldest = None
        for name in floor.serves[k]:
            queue = floor.queues.get(name)
            if queue and (oldest is None or queue[0] < oldest[0]):
                oldest = queue
        if oldest is not None:
            self._hold(oldest.popleft(), floor, k)

    def _result(self) -> Run:
        advisers = [a for f in self.floors.values() for a in f.advisers]
        return Run(
            arrived=self.arrived,
            first_response=self.fr,
            resolved=self.res,
            paused=self.paused,
            adviser=self.adviser,
            escalated=self.escalated,
            handoffs=self.handoffs,
            speaks=self.speaks,
            held=self.held,
            taken=self.taken,
            capacity={a.adviser_id: a.capacity for a in advisers},
            office_of={a.adviser_id: a.office for a in advisers},
            horizon=max(self.env.now, self.arrived[-1] if self.arrived else 0.0),
        )
