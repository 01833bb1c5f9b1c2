"""The organisation as routing sees it when it decides: offices and their model, desks,
advisers with their languages, skills, capacity and current load. Plain immutable data, so a
decision is a pure function of it (and can be replayed from the inputs it records)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.events import OrganisationModel


class DeskKind(StrEnum):
    FRONT = "front"  # simple questions, specialised model
    SPECIALIST = "specialist"  # one or more topic families, specialised model
    SUPPORT = "support"  # second line: escalated cases


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

    def desk_for(self, topic_family: str) -> Desk | None:
        """The desk of a topic family under the specialised model: front desk families first."""
        for kind in (DeskKind.FRONT, DeskKind.SPECIALIST):
            for desk in self.desks:
                if desk.kind is kind and topic_family in desk.topic_families:
                    return desk
        return None

    def front_desk(self) -> Desk | None:
        return next((d for d in self.desks if d.kind is DeskKind.FRONT), None)

    def advisers_of(self, desk: Desk | None) -> tuple[Adviser, ...]:
        if desk is None:
            return self.advisers
        return tuple(a for a in self.advisers if a.desk == desk.desk_id)
