"""One office during a simulated run: its advisers' live load and availability, and the
office as routing's policies see it at each decision.

The floor owns private copies of its advisers and updates their load and availability in
place (``object.__setattr__`` on routing's frozen ``Adviser``): the offices handed to the
policies hold these very objects, so they are built once per model and always current, and a
decision costs no rebuilding. Policies only read advisers during a call; what the offices keep
of them (their pools in order of preference, ``Office.standings``) is told of every change."""

from __future__ import annotations

import copy
from array import array
from collections import deque
from datetime import datetime
from functools import cache

from services.routing.deciding import Staffing
from services.routing.organisation.model import Adviser, Office, model_at
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
        # What changes of the office during a run, packed: each adviser's open cases and
        # availability, kept with them. With the model and the request, all a decision reads
        # that a run changes (``Simulation`` keys its remembered decisions on it).
        self.state = array("I", [x for a in self.advisers for x in (a.open_cases, a.available)])
        self.front = {d.desk_id for d in self.desks if d.kind is DeskKind.FRONT}
        self.families = {d.desk_id: d.topic_families for d in self.desks}
        self.queues: dict[str, deque[int]] = {}
        self.specialist_desk = cache(self._specialist_desk)
        self.serves = [self.served_by(a) for a in self.advisers]  # per adviser, fixed
        self._views: dict[tuple[OrganisationModel, bool], Office] = {}

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
        return office

    def load(self, i: int, delta: int) -> Adviser:
        a = self.advisers[i]
        object.__setattr__(a, "open_cases", a.open_cases + delta)
        self.state[2 * i] = a.open_cases
        for office in self._views.values():  # their pools in order put the adviser in place
            office.moved(a)
        return a

    def set_available(self, i: int, available: bool) -> None:
        a = self.advisers[i]
        object.__setattr__(a, "available", available)
        self.state[2 * i + 1] = available
        self._moved(a)

    def _moved(self, a: Adviser) -> None:
        """The views' pools of advisers, kept in the policies' order (``Office.standings``),
        put the adviser back in their place."""
        for office in self._views.values():
            office.moved(a)

    def now(self) -> bytes:
        """The office's changing state now (advisers' load and availability), as a key."""
        return self.state.tobytes()

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
