"""What routing's HTTP API answers: offices with their models and desks, advisers with their
availability and load, and the fact a change became."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from services.routing.organisation.model import ModelChange, model_at
from shared.events import OrganisationModel, Tier
from shared.organisation_events import DeskKind


class ModelChangeView(BaseModel):
    model: OrganisationModel = Field(description="The model.")
    effective_at: AwareDatetime = Field(description="From when it routes requests received.")
    changed_at: AwareDatetime = Field(description="When the change was recorded.")
    changed_by: str = Field(description="Who recorded it ('seed': the demo organisation).")
    event_id: UUID = Field(description="The OfficeModelChanged fact.")


class DeskView(BaseModel):
    desk: str = Field(description="The desk.")
    kind: DeskKind = Field(description="front or specialist.")
    topic_families: list[str] = Field(description="Topic families it takes (specialised).")
    queue: str = Field(description="Its queue in advisory, e.g. 'liege/contracts'.")


class OfficeView(BaseModel):
    office: str = Field(description="The office.")
    model: OrganisationModel = Field(description="The model routing requests received now.")
    model_since: AwareDatetime | None = Field(description="Since when (null: never set).")
    changes: list[ModelChangeView] = Field(description="Every model change, oldest first.")
    desks: list[DeskView] = Field(description="Its desks.")
    shadow_model: OrganisationModel | None = Field(
        None,
        description="The candidate model shadowing its routing (decisions on `routed-shadow`, "
        "acted on by nobody); null: none.",
    )


class OfficeList(BaseModel):
    offices: list[OfficeView] = Field(description="The offices routing knows.")


class AbsenceView(BaseModel):
    absence_id: UUID = Field(description="The absence (to cancel it).")
    starts_at: AwareDatetime = Field(description="From when.")
    ends_at: AwareDatetime = Field(description="Until when (exclusive).")


class AdviserView(BaseModel):
    adviser_id: str = Field(description="The adviser.")
    office: str = Field(description="Their office.")
    team: Tier = Field(description="first_line or support.")
    desk: str | None = Field(description="Their desk, if any.")
    languages: list[str] = Field(description="Languages they serve in.")
    skills: list[str] = Field(description="Topic families they master.")
    capacity: int = Field(description="Open cases they take at most.")
    active: bool = Field(description="On the roster.")
    available: bool = Field(description="On the roster and not absent now.")
    open_cases: int = Field(description="Open cases they hold now (routed to them or claimed).")
    absences: list[AbsenceView] = Field(description="Absences not over yet.")


class AdviserList(BaseModel):
    advisers: list[AdviserView] = Field(description="Matching advisers, by id.")


class ChangeRecorded(BaseModel):
    event_id: UUID = Field(description="The fact the change became, on `organisation`.")
    event_type: str = Field(description="Its type, e.g. 'OfficeModelChanged'.")
    absence_id: UUID | None = Field(None, description="The absence recorded, if one was.")


def office_view(
    office: str,
    changes: Sequence[Any],
    desks: Sequence[Any],
    now: datetime,
    shadow: str | None = None,
) -> OfficeView:
    """An office from its `office_models`, `desks` and `office_shadows` rows."""
    history = [
        ModelChange(
            c["office"],
            OrganisationModel(c["model"]),
            c["effective_at"],
            c["occurred_at"],
            c["event_id"],
        )
        for c in changes
    ]
    model, since = model_at(history, now)
    return OfficeView(
        office=office,
        model=model,
        model_since=since,
        changes=[
            ModelChangeView(
                model=c["model"],
                effective_at=c["effective_at"],
                changed_at=c["occurred_at"],
                changed_by=c["changed_by"],
                event_id=c["event_id"],
            )
            for c in changes
        ],
        desks=[
            DeskView(
                desk=d["desk"],
                kind=d["kind"],
                topic_families=sorted(d["topic_families"]),
                queue=f"{office}/{d['desk']}",
            )
            for d in desks
        ],
        shadow_model=OrganisationModel(shadow) if shadow else None,
    )


def adviser_view(row: Any, absences: Sequence[Any]) -> AdviserView:
    return AdviserView(
        **{k: row[k] for k in ("adviser_id", "office", "team", "desk", "capacity", "active")},
        languages=list(row["languages"]),
        skills=list(row["skills"]),
        available=row["available"],
        open_cases=row["open_cases"],
        absences=[
            AbsenceView(absence_id=a["absence_id"], starts_at=a["starts_at"], ends_at=a["ends_at"])
            for a in absences
        ],
    )
