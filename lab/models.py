"""Candidate organisation models: what a scenario asks for, applied to the organisation.

- ``in_force``: the offices as the organisation says, their model history included;
- ``polyvalent`` / ``specialised``: the offices named (all when none) run that model all along;
- ``hybrid``: specialised desks behind a polyvalent front: every case goes first to the front
  desk (the polyvalent policy among its advisers), which hands the families of a specialist
  desk on to it (the specialised policy);
- ``desks``: another desk layout (desk -> topic families; ``front`` is the front desk);
- ``staffing``: advisers added to a desk (an adviser more at the payments desk)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from lab.organisation import Roster
from services.routing.deciding import Staffing
from services.routing.organisation.model import Adviser, Desk, ModelChange
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind

ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)
NAMESPACE = UUID("9d3c0a52-4f7e-4a36-8c1b-0b6f2e7d5a13")
Kind = Literal["in_force", "polyvalent", "specialised", "hybrid"]


class Hire(BaseModel):
    """Advisers added to a desk of an office."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    office: str
    desk: str
    count: int = Field(default=1, ge=1)
    languages: tuple[str, ...] = ("fr",)
    capacity: int = Field(default=8, ge=1)


class ModelSpec(BaseModel):
    """One candidate model of a scenario."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Kind = "in_force"
    offices: tuple[str, ...] = Field(default=(), description="Offices it applies to; () all.")
    desks: dict[str, tuple[str, ...]] | None = None
    staffing: tuple[Hire, ...] = ()


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: Kind
    roster: Roster
    hybrid: frozenset[str] = frozenset()  # offices running the hybrid model


def apply(spec: ModelSpec, roster: Roster) -> Candidate:
    """The organisation as the candidate model would have it."""
    targets = set(spec.offices or roster.offices)
    offices = dict(roster.offices)
    for code in sorted(targets & set(offices)):
        office = offices[code]
        if spec.desks is not None:
            office = replace(office, desks=_layout(code, spec.desks))
        if spec.kind != "in_force":
            model = (
                OrganisationModel.POLYVALENT
                if spec.kind == "polyvalent"
                else OrganisationModel.SPECIALISED
            )
            office = replace(office, changes=(_always(code, model),))
        offices[code] = office
    for hire in spec.staffing:
        offices[hire.office] = _hired(offices[hire.office], hire)
    languages = dict(roster.languages)
    for staffing in offices.values():
        languages.update({a.adviser_id: a.languages for a in staffing.advisers})
    hybrid = frozenset(targets & set(offices)) if spec.kind == "hybrid" else frozenset()
    return Candidate(
        spec.name, spec.kind, replace(roster, offices=offices, languages=languages), hybrid
    )


def _always(office: str, model: OrganisationModel) -> ModelChange:
    return ModelChange(office, model, ALWAYS, ALWAYS, uuid5(NAMESPACE, f"{office}:{model}"))


def _layout(office: str, desks: dict[str, tuple[str, ...]]) -> tuple[Desk, ...]:
    return tuple(
        Desk(
            name,
            office,
            DeskKind.FRONT if name == "front" else DeskKind.SPECIALIST,
            frozenset(families),
        )
        for name, families in sorted(desks.items())
    )


def _hired(office: Staffing, hire: Hire) -> Staffing:
    desk = next((d for d in office.desks if d.desk_id == hire.desk), None)
    skills = desk.topic_families if desk else frozenset()
    added = tuple(
        Adviser(
            adviser_id=f"{office.office}-{hire.desk}-new{n:02d}",
            office=office.office,
            languages=frozenset(hire.languages),
            skills=skills,
            capacity=hire.capacity,
            desk=hire.desk,
        )
        for n in range(1, hire.count + 1)
    )
    return replace(office, advisers=office.advisers + added)
