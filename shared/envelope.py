"""What the contract's events are made of: the case envelope, the value types they share, and
the marker of personal data. ``shared.events`` re-exports all of it: import from there."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def personal(description: str, **kwargs: Any) -> Any:
    """A field holding personal data: marked in the contract for per-member encryption/erasure."""
    return Field(description=description, json_schema_extra={"x-personal": True}, **kwargs)


class Language(StrEnum):
    FR = "fr"
    NL = "nl"
    EN = "en"
    DE = "de"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    WALK_IN = "walk_in"


class Tier(StrEnum):
    FIRST_LINE = "first_line"
    SUPPORT = "support"


class OrganisationModel(StrEnum):
    POLYVALENT = "polyvalent"
    SPECIALISED = "specialised"


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
"""A configuration code (office, topic family, activity type): lower-case, digits, underscores."""

StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
"""A staff member's id (adviser, support, administrative team), e.g. 'liege-front-03'."""


class Envelope(BaseModel):
    """What every event about a case carries, whatever its topic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    occurred_at: AwareDatetime = Field(description="When the fact happened (timezone-aware).")
    case_id: UUID = Field(description="The case this fact is about; also the Kafka message key.")
    member_id: str = Field(description="The cooperative member the case belongs to.")
    correlation_id: UUID = Field(
        description="Shared by every event that stems from the same member request."
    )
    causation_id: UUID | None = Field(
        description="event_id of the event that caused this one; null for a command from outside."
    )
    producer: str = Field(description="The service that decided this fact, e.g. 'routing'.")

    @property
    def message_key(self) -> str:
        """The Kafka key: the case, so that a case's facts stay in one partition, in order."""
        return str(self.case_id)


def case_envelope(
    case_id: UUID,
    member_id: str,
    correlation_id: UUID | None,
    event_id: UUID,
    at: datetime,
    producer: str,
    *,
    cause: UUID | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """The envelope (and version) of a fact a service decides about a case: caused by the event
    ``cause`` (None: by nothing in the log, e.g. a staff command), correlated with the case's
    request (the case itself when that is unknown)."""
    return {
        "schema_version": version,
        "event_id": event_id,
        "occurred_at": at,
        "case_id": case_id,
        "member_id": member_id,
        "correlation_id": correlation_id or case_id,
        "causation_id": cause,
        "producer": producer,
    }


class AdminAct(StrEnum):
    CONTRACT_REGISTRATION = "contract_registration"
    INVOICE_ISSUE = "invoice_issue"
    DIMONA_DECLARATION = "dimona_declaration"
    PAYMENT = "payment"
    MEMBER_FILE_UPDATE = "member_file_update"
