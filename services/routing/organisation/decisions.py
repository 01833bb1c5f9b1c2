"""Changes to the organisation, pure: what ops and the administrative team ask (the HTTP
bodies), and the fact each becomes once checked against what routing knows. Ids and time
are inputs; a refusal records nothing."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from shared.events import Code, Language, OrganisationModel, StaffId, Tier, personal_input
from shared.identity import Principal, Role
from shared.organisation_events import (
    AdviserAbsenceCancelled,
    AdviserAbsenceRecorded,
    AdviserProfileSet,
    DeskDefined,
    DeskKind,
    OfficeModelChanged,
    OfficeShadowSet,
)
from shared.refusals import Conflict, Forbidden, Invalid, NotFound

SERVICE = "routing"


def _storable(instant: datetime) -> datetime:
    # PostgreSQL stores instants in UTC: one whose offset takes it out of years 1-9999 there
    # (e.g. 0001-01-01T00:00+01:00) cannot be stored, nor compared with the clock.
    try:
        instant.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None
    return instant


Instant = Annotated[AwareDatetime, AfterValidator(_storable)]


class Change(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SetModel(Change):
    """Run the office under another organisation model from a given instant on."""

    model: OrganisationModel = Field(description="polyvalent or specialised.")
    effective_at: Instant | None = Field(
        None,
        description="From when requests received are routed by it (default: now). Cases "
        "received before keep their decision; it cannot be in the past.",
    )


class SetShadow(Change):
    """Shadow the office's live routing with a candidate model (or stop: ``model`` null)."""

    model: OrganisationModel | None = Field(
        description="The candidate model every new case of the office is also decided by, "
        "without being acted on (facts on `routed-shadow`); null stops the shadow."
    )


class DefineDesk(Change):
    """Create or redefine a desk of the office."""

    kind: DeskKind = Field(description="front (simple questions) or specialist.")
    topic_families: list[Code] = Field(description="The topic families the desk takes.")


class SetAdviser(Change):
    """An adviser's whole profile (join, move, change languages, skills or capacity, leave)."""

    office: Code = Field(description="The office they work for.")
    team: Tier = Field(Tier.FIRST_LINE, description="first_line or support.")
    desk: Code | None = Field(None, description="Their desk (a desk of their office).")
    languages: list[Language] = Field(description="Languages they serve in.", min_length=1)
    skills: list[Code] = Field(default_factory=list, description="Topic families they master.")
    capacity: int = Field(description="Open cases they take at most.", ge=0, le=200)
    active: bool = Field(True, description="On the roster (false: left).")


class RecordAbsence(Change):
    """The adviser is away for a period: nothing is routed to them meanwhile."""

    starts_at: Instant = Field(description="From when.")
    ends_at: Instant = Field(description="Until when (exclusive).")
    reason: str = personal_input("Leave, training, sickness...", default="", max_length=200)
    covered_by: StaffId | None = Field(
        None,
        description="A colleague of the same office and team who takes the open cases the "
        "adviser holds when the absence begins (null: they go back to their queues).",
    )


def known_office(office: str, offices: Collection[str]) -> None:
    """Refuses an office routing is not configured for."""
    if office not in offices:
        raise NotFound("unknown_office", f"No office {office!r}.")


def envelope(event_type: str, event_id: UUID, actor: Principal, now: datetime) -> dict[str, Any]:
    return {
        "type": event_type,
        "schema_version": 1,
        "event_id": event_id,
        "occurred_at": now,
        "causation_id": None,
        "producer": SERVICE,
        "changed_by": actor.subject,
    }


def model_changed(
    office: str, change: SetModel, actor: Principal, *, event_id: UUID, now: datetime
) -> OfficeModelChanged:
    # Cases received before the switch keep their decision: it cannot reach into the past
    # (omit effective_at to mean "now", as routing's clock says once the office is locked).
    effective = change.effective_at or now
    if effective < now:
        raise Conflict("effective_in_the_past", "A model change cannot take effect in the past.")
    return OfficeModelChanged(
        **envelope("OfficeModelChanged", event_id, actor, now),
        office=office,
        model=change.model,
        effective_at=effective,
    )


def shadow_set(
    office: str, change: SetShadow, actor: Principal, *, event_id: UUID, now: datetime
) -> OfficeShadowSet:
    return OfficeShadowSet(
        **envelope("OfficeShadowSet", event_id, actor, now), office=office, model=change.model
    )


def desk_defined(
    office: str,
    desk: str,
    change: DefineDesk,
    families: Collection[str],
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
) -> DeskDefined:
    unknown = sorted(set(change.topic_families) - set(families))
    if unknown:
        raise Invalid("unknown_topic_family", f"Unknown topic families: {unknown}.")
    return DeskDefined(
        **envelope("DeskDefined", event_id, actor, now),
        office=office,
        desk=desk,
        kind=change.kind,
        topic_families=tuple(sorted(set(change.topic_families))),
    )


def profile_set(
    adviser_id: str,
    change: SetAdviser,
    desks: Collection[str],
    families: Collection[str],
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
) -> AdviserProfileSet:
    """``desks``: the desks of the adviser's (new) office."""
    if change.desk is not None and change.desk not in desks:
        raise Conflict("unknown_desk", f"Office {change.office} has no desk {change.desk}.")
    unknown = sorted(set(change.skills) - set(families))
    if unknown:
        raise Invalid("unknown_topic_family", f"Unknown topic families: {unknown}.")
    return AdviserProfileSet(
        **envelope("AdviserProfileSet", event_id, actor, now),
        adviser_id=adviser_id,
        office=change.office,
        team=change.team,
        desk=change.desk,
        languages=tuple(dict.fromkeys(change.languages)),
        skills=tuple(sorted(set(change.skills))),
        capacity=change.capacity,
        active=change.active,
    )


def may_manage_absences(actor: Principal, adviser_office: str) -> None:
    """Ops and the administrative team manage every adviser's absences, a team lead those of
    their own office's advisers."""
    if actor.role is Role.TEAM_LEAD and actor.office != adviser_office:
        raise Forbidden(
            "other_office",
            f"The adviser works for {adviser_office}; the team lead of {actor.office} records "
            "their own office's absences.",
        )


def may_cover(adviser: Mapping[str, Any], cover: Mapping[str, Any] | None) -> None:
    """A cover is an active colleague of the adviser's office and team."""
    if cover is None or not cover["active"]:
        raise Invalid("unknown_colleague", "The colleague named to cover is not on the roster.")
    if (cover["office"], cover["team"]) != (adviser["office"], adviser["team"]):
        raise Conflict(
            "other_team",
            f"{cover['adviser_id']} works for {cover['office']} ({cover['team']}), not "
            f"{adviser['office']} ({adviser['team']}): a cover takes the same cases.",
        )


def absence_recorded(
    adviser_id: str,
    change: RecordAbsence,
    actor: Principal,
    *,
    absence_id: UUID,
    event_id: UUID,
    now: datetime,
) -> AdviserAbsenceRecorded:
    if change.ends_at <= change.starts_at:
        raise Invalid("empty_absence", "An absence ends after it starts.")
    if change.covered_by == adviser_id:
        raise Invalid("self_cover", "An adviser cannot cover their own absence.")
    return AdviserAbsenceRecorded(
        **{**envelope("AdviserAbsenceRecorded", event_id, actor, now), "schema_version": 2},
        adviser_id=adviser_id,
        absence_id=absence_id,
        starts_at=change.starts_at,
        ends_at=change.ends_at,
        reason=change.reason,
        covered_by=change.covered_by,
    )


def absence_cancelled(
    adviser_id: str, absence_id: UUID, actor: Principal, *, event_id: UUID, now: datetime
) -> AdviserAbsenceCancelled:
    return AdviserAbsenceCancelled(
        **envelope("AdviserAbsenceCancelled", event_id, actor, now),
        adviser_id=adviser_id,
        absence_id=absence_id,
    )
