"""The organisation as routing sees it when it decides: offices and their model, desks,
advisers with their languages, skills, capacity and current load. Plain immutable data, so a
decision is a pure function of it (and can be replayed from the inputs it records)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from uuid import UUID, uuid5

from services.routing.domain import EVENT_NAMESPACE
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind

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

    def desk_for(self, topic_family: str) -> Desk | None:
        """The desk of a topic family under the specialised model: front desk families first."""
        for kind in (DeskKind.FRONT, DeskKind.SPECIALIST):
            for desk in self._desks_in_order:
                if desk.kind is kind and topic_family in desk.topic_families:
                    return desk
        return None

    def front_desk(self) -> Desk | None:
        return next((d for d in self._desks_in_order if d.kind is DeskKind.FRONT), None)

    def advisers_of(self, desk: Desk | None) -> tuple[Adviser, ...]:
        if desk is None:
            return self.advisers
        return self._staff.get(desk.desk_id, ())


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
