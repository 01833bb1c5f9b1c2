"""The organisation as routing sees it when it decides: offices and their model, desks,
advisers with their languages, skills, capacity and current load. Plain immutable data, so a
decision is a pure function of it (and can be replayed from the inputs it records)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from services.routing.domain import EVENT_NAMESPACE
from shared.events import OrganisationModel, Tier
from shared.organisation_events import DeskKind

if TYPE_CHECKING:
    from services.routing.organisation.standings import Standings

DEFAULT_MODEL = OrganisationModel.POLYVALENT  # an office nobody set a model for: the legacy one
# routing's offices, in shared.locks' two-key space. An office's routing decisions (handlers)
# and the changes to its organisation (organisation.commands) take the same lock, so a batch of
# decisions sees the organisation before a change or after it, never halfway.
OFFICE_LOCKS = 5


def office_lock_key(office: str) -> UUID:
    """The lock of an office (or of anything else named like one, e.g. "adviser:<id>")."""
    return uuid5(EVENT_NAMESPACE, f"office:{office}")


@dataclass(frozen=True)
class Desk:
    desk_id: str
    office: str
    kind: DeskKind
    topic_families: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Adviser:
    adviser_id: str
    office: str
    languages: frozenset[str]
    skills: frozenset[str]
    capacity: int
    open_cases: int = 0
    available: bool = True
    desk: str | None = None

    @property
    def free(self) -> int:
        return self.capacity - self.open_cases

    @property
    def has_room(self) -> bool:
        return self.available and self.free > 0


@dataclass(frozen=True)
class Office:
    office: str
    model: OrganisationModel
    desks: tuple[Desk, ...] = ()
    advisers: tuple[Adviser, ...] = ()
    model_since: datetime | None = None

    @cached_property
    def _desks_in_order(self) -> tuple[Desk, ...]:
        # Worked out once per office: a decision asks for its desks several times.
        return tuple(sorted(self.desks, key=lambda d: d.desk_id))

    @cached_property
    def _staff(self) -> dict[str, tuple[Adviser, ...]]:
        by_desk: dict[str, list[Adviser]] = {}
        for a in self.advisers:
            if a.desk is not None:
                by_desk.setdefault(a.desk, []).append(a)
        return {desk: tuple(staff) for desk, staff in by_desk.items()}

    @cached_property
    def first_line_queue(self) -> str:
        return f"{self.office}/{Tier.FIRST_LINE.value}"

    def desk_for(self, topic_family: str) -> Desk | None:
        """The desk of a topic family under the specialised model: front desk families first."""
        found = self._desk_of.get(topic_family, self)  # the office itself: not looked up yet
        if found is self:
            found = self._desk_of[topic_family] = self._find_desk(topic_family)
        assert found is None or isinstance(found, Desk)
        return found

    @cached_property
    def _desk_of(self) -> dict[str, Desk | Office | None]:
        return {}  # topic family -> its desk, as looked up so far (a decision asks each time)

    def _find_desk(self, topic_family: str) -> Desk | None:
        for kind in (DeskKind.FRONT, DeskKind.SPECIALIST):
            for desk in self._desks_in_order:
                if desk.kind is kind and topic_family in desk.topic_families:
                    return desk
        return None

    def front_desk(self) -> Desk | None:
        return self._front

    @cached_property
    def _front(self) -> Desk | None:
        return next((d for d in self._desks_in_order if d.kind is DeskKind.FRONT), None)

    def advisers_of(self, desk: Desk | None) -> tuple[Adviser, ...]:
        if desk is None:
            return self.advisers
        return self._staff.get(desk.desk_id, ())

    @cached_property
    def _by_id(self) -> dict[str, Adviser]:
        return {a.adviser_id: a for a in reversed(self.advisers)}  # the first of an id wins

    def adviser(self, adviser_id: str) -> Adviser | None:
        return self._by_id.get(adviser_id)

    @cached_property
    def _standings(self) -> dict[str | None, Standings]:
        return {}

    @cached_property
    def _pools_of(self) -> dict[str, list[Standings]]:
        return {}  # adviser id -> the pools built so far that hold them (``moved``)

    def standings(self, desk: Desk | None) -> Standings:
        """``advisers_of(desk)`` in the policies' order of preference: sorted once per office
        and pool, then kept in order by ``moved``."""
        name = desk.desk_id if desk is not None else None
        found = self._standings.get(name)
        if found is None:
            # imported here: the pools are built of this module's advisers
            from services.routing.organisation.standings import Standings

            found = self._standings[name] = Standings(self.advisers_of(desk))
            for a in found.advisers:
                self._pools_of.setdefault(a.adviser_id, []).append(found)
        return found

    def moved(self, adviser: Adviser) -> None:
        """One of the office's advisers changed load or availability in place (the lab's
        simulation does; routing builds a new office instead): its pools stay in order."""
        for pool in self._pools_of.get(adviser.adviser_id, ()):
            pool.moved(adviser)

    def pools_holding(self, adviser_id: str) -> list[Standings]:
        """The pools built so far that hold the adviser: the office's own list, which grows as
        it builds pools (so a simulation can tell them of a change itself, as ``moved``)."""
        return self._pools_of.setdefault(adviser_id, [])


@dataclass(frozen=True)
class ModelChange:
    """An office's model from ``effective_at`` on (an OfficeModelChanged fact)."""

    office: str
    model: OrganisationModel
    effective_at: datetime
    occurred_at: datetime
    event_id: UUID


def model_at(
    changes: Iterable[ModelChange], at: datetime
) -> tuple[OrganisationModel, datetime | None]:
    """The model in force at ``at`` and since when: the change with the latest effective time
    not after ``at`` (two changes for the same instant: the later decided wins)."""
    in_force = [c for c in changes if c.effective_at <= at]
    if not in_force:
        return DEFAULT_MODEL, None
    latest = max(in_force, key=lambda c: (c.effective_at, c.occurred_at, c.event_id))
    return latest.model, latest.effective_at
