"""One office during a simulated run: its advisers' live load and availability, and the
office as routing's policies see it at each decision.

The floor owns private copies of its advisers and updates their load and availability in
place (``object.__setattr__`` on routing's frozen ``Adviser``): the offices handed to the
policies hold these very objects, so they are built once per model and always current, and a
decision costs no rebuilding. Policies only read advisers during a call; what the offices keep
of them (their pools in order of preference, ``Office.standings``) is told of every change,
straight from the floor (it holds each adviser's pools)."""

from __future__ import annotations

import copy
from collections import deque
from datetime import datetime
from functools import cache

from services.routing.deciding import Staffing
from services.routing.organisation.model import Adviser, Office, model_at
from services.routing.organisation.standings import Standings
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind


def signature(staffing: Staffing, hybrid: bool) -> tuple[object, ...]:
    """What a decision reads of an office that a run does not change: its desks, its advisers'
    profiles, whether it runs a hybrid front. Two candidates' offices with the same signature
    decide alike from the same advisers' load."""
    profiles = tuple(
        (a.adviser_id, a.desk, a.languages, a.skills, a.capacity) for a in staffing.advisers
    )
    return staffing.office, staffing.desks, profiles, hybrid


class Floor:
    def __init__(self, staffing: Staffing, hybrid: bool) -> None:
        self.code = staffing.office
        self.desks = staffing.desks
        self.changes = staffing.changes
        self.hybrid = hybrid
        self.signature = signature(staffing, hybrid)
        self.advisers: list[Adviser] = [copy.copy(a) for a in staffing.advisers]
        self.index = {a.adviser_id: i for i, a in enumerate(self.advisers)}
        self.front = {d.desk_id for d in self.desks if d.kind is DeskKind.FRONT}
        self.families = {d.desk_id: d.topic_families for d in self.desks}
        # per adviser, fixed: the families they are a specialist of (their desk's, unless it
        # is the front desk), and the queues they take cases from when a slot frees
        self.specialism = [
            self.families.get(a.desk, frozenset())
            if a.desk is not None and a.desk not in self.front
            else frozenset()
            for a in self.advisers
        ]
        self.queues: dict[str, deque[int]] = {}
        self.specialist_desk = cache(self._specialist_desk)
        self.serves = [self.served_by(a) for a in self.advisers]
        self.serving = [[self.queue(name) for name in names] for names in self.serves]
        self._views: dict[tuple[OrganisationModel, bool], Office] = {}
        # per adviser: the lists of pools holding them, one list per view (each grows as its
        # office builds pools: ``Office.pools_holding``)
        self._pools: list[list[list[Standings]]] = [[] for _ in self.advisers]

    def model(self, at: datetime) -> OrganisationModel:
        """The model in force for a case received at ``at`` (routing's own rule)."""
        return model_at(self.changes, at)[0]

    def view(self, model: OrganisationModel, front_only: bool = False) -> Office:
        """The office under ``model`` (its front desk alone for a hybrid's first stage)."""
        key = (model, front_only)
        office = self._views.get(key)
        if office is None:
            staff = self.advisers
            if front_only:
                staff = [a for a in staff if a.desk in self.front]
            office = Office(self.code, model, self.desks, tuple(staff))
            self._views[key] = office
            for a in office.advisers:
                self._pools[self.index[a.adviser_id]].append(office.pools_holding(a.adviser_id))
        return office

    def queue(self, name: str) -> deque[int]:
        found = self.queues.get(name)
        if found is None:
            found = self.queues[name] = deque()
        return found

    def load(self, i: int, delta: int) -> Adviser:
        """Adviser ``i`` holds ``delta`` cases more; the pools holding them put them in place."""
        a = self.advisers[i]
        object.__setattr__(a, "open_cases", a.open_cases + delta)
        for pools in self._pools[i]:
            for pool in pools:
                pool.moved(a)
        return a

    def set_available(self, i: int, available: bool) -> None:
        a = self.advisers[i]
        object.__setattr__(a, "available", available)
        for pools in self._pools[i]:
            for pool in pools:
                pool.moved(a)

    def _specialist_desk(self, family: str) -> bool:
        """Whether a specialist desk takes the family (a hybrid's front hands it on)."""
        desk = Office(self.code, OrganisationModel.SPECIALISED, self.desks).desk_for(family)
        return desk is not None and desk.kind is DeskKind.SPECIALIST

    def served_by(self, adviser: Adviser) -> tuple[str, ...]:
        """The queues an adviser takes cases from when a slot frees: their desk's, and the
        office's first-line queue (a hybrid's specialists leave that one to the front)."""
        first_line = f"{self.code}/first_line"
        if adviser.desk is None:
            return (first_line,)
        own = f"{self.code}/{adviser.desk}"
        if self.hybrid and adviser.desk not in self.front:
            return (own,)
        return (own, first_line)
