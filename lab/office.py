"""One office's advisers at work during a run: its cases routed on arrival by routing's own
policies against the load the office has reached, held, handed on and released, in SimPy.

An office's run depends on nothing outside it: its cases, its floor (desks, advisers), the
model each case is routed under, the draws, the speed-up. Escalated cases leave the office
for the support team, which is shared by every office; when they reach it is recorded here
and the support team's queue is worked out afterwards (``lab.simulation``). So two candidates
that run an office alike share its run.

Within a held case the steps are closed form (claim, first reply, waits, resolution: drawn
durations added on the time axis), so a case costs two or three events, not a tick a minute."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import simpy
from simpy.events import Timeout

from lab.cases import Case
from lab.draws import Draw, draw
from lab.durations import Durations
from lab.floor import Floor
from lab.outcome import OfficeOutcome
from services.routing import policies
from shared.events import OrganisationModel

SPECIALISED = OrganisationModel.SPECIALISED
RESOLVE, ESCALATE, HANDOFF = 0, 1, 2  # what a held case's end event does


@dataclass(frozen=True)
class Given:
    """What every office of a run is simulated from (indexed by the run's case index)."""

    cases: Sequence[Case]
    arrived: Sequence[float]
    models: Sequence[OrganisationModel | None]
    draws: Sequence[Draw]
    durations: Durations
    seed: int


class OfficeRun:
    def __init__(
        self,
        given: Given,
        cases: list[int],
        floor: Floor,
        speed: float,
        absences: Sequence[tuple[float, float, str]],
    ) -> None:
        """``cases``: the run's indices of the office's cases, in order of arrival."""
        self.given, self.idx, self.floor, self.speed = given, cases, floor, speed
        self.absences = absences
        # the office's cases, their models and draws, by the office's own index j
        self.cases = [given.cases[i] for i in cases]
        self.models = [given.models[i] for i in cases]
        self.draws = [given.draws[i] for i in cases]
        m = len(cases)
        self.fr: list[float | None] = [None] * m
        self.res: list[float | None] = [None] * m
        self.esc: list[float | None] = [None] * m
        self.paused = [0.0] * m
        self.adviser: list[str | None] = [None] * m
        self.handoffs = [0] * m
        self.speaks = [False] * m
        self.stage = [0] * m  # 1: at a hybrid's front desk; 2: handed on to a specialist
        self.since = [0.0] * m  # when its current adviser took it
        self.held = [0.0] * len(floor.advisers)  # per adviser: slot-seconds held
        self.taken = [0] * len(floor.advisers)  # per adviser: cases taken
        self.own: dict[str, str] = {}
        self.requests: dict[tuple[str, str, str | None], policies.Request] = {}
        self.env = simpy.Environment()
        self._next = 0

    def run(self) -> OfficeOutcome:
        self._arrive_from(0.0)
        for start, end, who in self.absences:
            self.env.process(self._absence(start, end, who))
        self.env.run()
        ids = [a.adviser_id for a in self.floor.advisers]
        worked = [k for k, n in enumerate(self.taken) if n]
        return OfficeOutcome(
            self.idx,
            self.fr,
            self.res,
            self.esc,
            self.paused,
            self.adviser,
            self.handoffs,
            self.speaks,
            {ids[k]: self.held[k] for k in worked},
            {ids[k]: self.taken[k] for k in worked},
            self.env.now,
        )

    def _arrive_from(self, now: float) -> None:
        """Routes the cases arriving now, then waits for the next one (one event a time of
        arrival, no process to resume)."""
        arrived, idx, j = self.given.arrived, self.idx, self._next
        while j < len(idx) and arrived[idx[j]] <= now:
            self._next = j + 1
            self._route(j)
            j = self._next
        if j < len(idx):
            Timeout(self.env, arrived[idx[j]] - now).callbacks.append(self._arrive)

    def _arrive(self, event: simpy.events.Event) -> None:
        self._arrive_from(self.env.now)

    def _absence(self, start: float, end: float, who: str) -> simpy.events.ProcessGenerator:
        floor, k = self.floor, self.floor.index[who]
        yield self.env.timeout(max(0.0, start - self.env.now))
        floor.set_available(k, False)
        yield self.env.timeout(max(0.0, end - self.env.now))
        floor.set_available(k, True)
        self._pull(k)

    def _route(self, j: int) -> None:
        """Routing's own policy places the case, on the office as the run has it now: its
        placement alone (the adviser and the queue), not the candidates and reason live
        routing records (``policies.place``)."""
        model = self.models[j]
        if model is None:
            return  # an office nobody staffs: the case waits for good
        case, floor = self.cases[j], self.floor
        what = (case.language, case.topic_family, self.own.get(case.member_id))
        asked = self.requests.get(what)
        if asked is None:  # immutable: one per kind of request, made once
            asked = self.requests[what] = policies.Request(case.office, *what)
        if floor.hybrid and self.stage[j] == 0:
            self.stage[j] = 1
            placed = policies.place_polyvalent(asked, floor.view(model, front_only=True))
        else:
            placed = policies.place(asked, floor.view(model))
        if placed.adviser is None:
            floor.queue(placed.queue).append(j)
        else:
            self._hold(j, floor.index[placed.adviser.adviser_id])

    def _hold(self, j: int, k: int) -> None:
        """Adviser ``k`` holds the j-th case from now: its steps, drawn, in closed form; one
        event at its end (released: resolved, escalated or handed on)."""
        floor, env, case = self.floor, self.env, self.cases[j]
        now = env.now
        adviser = floor.load(k, +1)
        stage = self.stage[j]
        d = self.draws[j] if stage < 2 else draw(self.given.seed, case, self.given.durations, 2)
        # the swept speed-up reaches a specialist working their own families, under the
        # specialised model
        specialist = self.models[j] is SPECIALISED and case.topic_family in floor.specialism[k]
        speed = self.speed if specialist else 1.0
        reply = now + d.pickup + speed * d.reply
        if self.fr[j] is None:
            self.fr[j] = reply
        self.adviser[j] = adviser.adviser_id
        self.speaks[j] = case.language in adviser.languages
        self.taken[k] += 1
        self.since[j] = now
        if stage == 1 and floor.specialist_desk(case.topic_family):
            self.stage[j] = 2
            self.handoffs[j] += 1
            end, what = reply, HANDOFF
        elif d.escalated:
            self.handoffs[j] += 1
            end, what = reply + speed * d.after, ESCALATE
        else:
            self.paused[j] = d.wait
            self.res[j] = end = reply + speed * d.after + d.wait
            what = RESOLVE
        delay = end - now
        Timeout(env, delay if delay > 0 else 0.0, (what, j, k)).callbacks.append(self._fire)

    def _fire(self, event: simpy.events.Event) -> None:
        what, j, k = event._value
        now = self.env.now
        who = self.floor.load(k, -1).adviser_id
        self.held[k] = self.held[k] + now - self.since[j]  # this order: (held + now) - since
        if what == RESOLVE:
            self.own[self.cases[j].member_id] = who
        elif what == ESCALATE:
            self.esc[j] = now
        else:
            self._route(j)
        self._pull(k)

    def _pull(self, k: int) -> None:
        """A slot freed (or the adviser came back): the oldest case waiting in a queue the
        adviser serves, if any."""
        adviser = self.floor.advisers[k]
        if not (adviser.available and adviser.capacity > adviser.open_cases):
            return
        oldest = None
        for queue in self.floor.serving[k]:
            if queue and (oldest is None or queue[0] < oldest[0]):
                oldest = queue
        if oldest is not None:
            self._hold(oldest.popleft(), k)
