"""The organisation as facts, on the `organisation` topic owned by routing: which model each
office runs (and from when), its desks, its advisers and their absences.

These facts are not about a case, so they do not carry the case envelope: they carry
``OrganisationFact``'s, and their Kafka key is the office (office facts) or the adviser
(adviser facts) they change, so the facts about one office or one adviser stay in order.
A later fact about the same desk or adviser replaces the earlier one (by occurred_at, then
event_id); model changes are kept as a history, each effective from its own instant."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.envelope import Code, Language, OrganisationModel, StaffId, Tier, personal


class DeskKind(StrEnum):
    FRONT = "front"  # simple questions, under the specialised model
    SPECIALIST = "specialist"  # one or more topic families, under the specialised model


class OrganisationFact(BaseModel):
    """What every organisation fact carries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(description="Unique id of this fact; consumers deduplicate on it.")
    occurred_at: AwareDatetime = Field(description="When the change was made.")
    causation_id: UUID | None = Field(
        description="event_id of the event that caused this one; null for a change from outside."
    )
    producer: str = Field(description="The service that recorded the fact: 'routing'.")
    changed_by: str = Field(
        description="Staff id who made the change, or 'seed' for the demo organisation "
        "routing loads at its first start."
    )

    @property
    def message_key(self) -> str:
        """The Kafka key: the office or the adviser the fact changes."""
        raise NotImplementedError


class OfficeModelChanged(OrganisationFact):
    """An office runs another organisation model from ``effective_at`` on. Key: office."""

    type: Literal["OfficeModelChanged"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    office: Code = Field(description="The office.")
    model: OrganisationModel = Field(description="The model it runs from effective_at on.")
    effective_at: AwareDatetime = Field(
        description="Requests received from this instant on are routed by the model; cases "
        "received before it keep their decision."
    )

    @property
    def message_key(self) -> str:
        return self.office


class OfficeShadowSet(OrganisationFact):
    """routing shadows the office's live routing with a candidate model from now on (or stops:
    ``model`` null): each new case is also decided by the candidate, on `routed-shadow`, and
    acted on by nobody. Key: office."""

    type: Literal["OfficeShadowSet"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    office: Code = Field(description="The office.")
    model: OrganisationModel | None = Field(
        description="The candidate model its cases are also decided by; null: no shadow."
    )

    @property
    def message_key(self) -> str:
        return self.office


class DeskDefined(OrganisationFact):
    """A desk of an office was created or redefined. Key: office."""

    type: Literal["DeskDefined"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    office: Code = Field(description="The office the desk belongs to.")
    desk: Code = Field(description="The desk, e.g. 'front' or 'contracts'.")
    kind: DeskKind = Field(description="front (simple questions) or specialist.")
    topic_families: tuple[Code, ...] = Field(
        description="The topic families the desk takes under the specialised model; a family "
        "no desk lists goes to the front desk."
    )

    @property
    def message_key(self) -> str:
        return self.office


class AdviserProfileSet(OrganisationFact):
    """An adviser's profile, whole: set when they join, and whenever it changes. Key: adviser."""

    type: Literal["AdviserProfileSet"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    adviser_id: StaffId = Field(description="The adviser (their staff id).")
    office: Code = Field(description="The office they work for.")
    team: Tier = Field(description="first_line (advisers) or support (the support team).")
    desk: Code | None = Field(description="Their desk under the specialised model, if any.")
    languages: tuple[Language, ...] = Field(
        description="Languages they serve members in.", min_length=1
    )
    skills: tuple[Code, ...] = Field(description="Topic families they are skilled in.")
    capacity: int = Field(description="How many open cases they take at most.", ge=0, le=200)
    active: bool = Field(description="On the roster; false once they left or were moved out.")

    @property
    def message_key(self) -> str:
        return self.adviser_id


class _AbsenceFacts(OrganisationFact):
    """The facts of a recorded absence, in every version of AdviserAbsenceRecorded."""

    type: Literal["AdviserAbsenceRecorded"] = Field(description="Event type discriminator.")
    adviser_id: StaffId = Field(description="The adviser.")
    absence_id: UUID = Field(description="The absence, to cancel it later.")
    starts_at: AwareDatetime = Field(description="From when they are away.")
    ends_at: AwareDatetime = Field(description="Until when they are away (exclusive).")
    reason: str = personal(
        "Why (leave, training, sickness...): staff personal data.", max_length=200
    )

    @property
    def message_key(self) -> str:
        return self.adviser_id


class AdviserAbsenceRecordedV1(_AbsenceFacts):
    """Version 1 of AdviserAbsenceRecorded: still in the log, read as version 2 (no cover)."""

    schema_version: Literal[1] = Field(description="Version of this event's schema.")


class AdviserAbsenceRecorded(_AbsenceFacts):
    """An adviser will be (or was) away: no case is routed to them meanwhile, and advisory
    hands the open cases they hold over when it begins. Key: adviser.

    Version 2 adds ``covered_by``: the colleague who takes those cases (null: their queues)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "AdviserAbsenceRecorded", "schema_version": 2,
        "event_id": "2c9e7f41-6a3d-4b18-9e25-8f0d1c7a3b64", "occurred_at": "2026-12-03T08:05:00Z",
        "causation_id": None, "producer": "routing", "changed_by": "lead-liege",
        "adviser_id": "liege-front-01", "absence_id": "b5e1a9d3-0c7f-4e62-a8b4-3d2f6c9e1a05",
        "starts_at": "2026-12-03T08:00:00Z", "ends_at": "2026-12-05T08:00:00Z",
        "reason": "training", "covered_by": "liege-front-02",
    }]})  # fmt: skip

    schema_version: Literal[2] = Field(description="Version of this event's schema.")
    covered_by: StaffId | None = Field(
        description="A colleague who takes the adviser's open cases when the absence begins, "
        "if they can (same office and team, present); null: the cases go back to their queues."
    )


class AdviserAbsenceCancelled(OrganisationFact):
    """A recorded absence will not happen (or ended early: record the shorter one). Key: adviser."""

    type: Literal["AdviserAbsenceCancelled"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    adviser_id: StaffId = Field(description="The adviser.")
    absence_id: UUID = Field(description="The absence cancelled.")

    @property
    def message_key(self) -> str:
        return self.adviser_id


OrganisationEvent = Union[
    OfficeModelChanged,
    OfficeShadowSet,
    DeskDefined,
    AdviserProfileSet,
    AdviserAbsenceRecorded,
    AdviserAbsenceCancelled,
]
OrganisationTopic = Annotated[OrganisationEvent, Field(discriminator="type")]
