"""What the contract's events are made of: the case envelope, the value types they share, and
the marker of personal data. ``shared.events`` re-exports all of it: import from there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

SEALED_PREFIX = "enc:aes-gcm:"
SEALED_PATTERN = r"^enc:aes-gcm:[A-Za-z0-9-]{1,64}\.[0-9]{1,9}:[A-Za-z0-9_-]{38,}$"
"""A personal field on the wire (shared.sealing): ``enc:aes-gcm:<kid>:<data>``, where kid is
``<member_id>.<generation>`` (the member's key) and data is base64url, unpadded, of the 12-byte
nonce followed by the AES-256-GCM ciphertext and its 16-byte tag (AAD: the kid and the field's
path, e.g. ``RequestReceived/member.name``)."""

_SEALED = re.compile(SEALED_PATTERN)

ERASED = "[erased]"
"""What a personal field reads once its member is erased (key destroyed, projections masked)."""


@dataclass(frozen=True)
class PersonalText:
    """Validates a personal field: a plaintext one within its bounds (events written before
    encryption, and events in memory), or a sealed one (shared.sealing) whatever its length."""

    min_length: int | None
    max_length: int | None

    def __call__(self, value: str) -> str:
        if value.startswith("enc:"):
            if _SEALED.fullmatch(value) is None:
                raise ValueError("a sealed personal field should be enc:aes-gcm:<kid>:<data>")
            return value
        if self.min_length is not None and len(value) < self.min_length:
            raise ValueError(f"should have at least {self.min_length} characters")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError(f"should have at most {self.max_length} characters")
        return value


def personal(
    description: str, *, min_length: int | None = None, max_length: int | None = None
) -> Any:
    """A field holding personal data: marked in the contract (``x-personal``), encrypted with
    its member's key on the wire (shared.sealing) and erased by destroying that key. The
    contract says both forms: the plaintext within its bounds (in events written before
    encryption) or the sealed string."""
    plain: dict[str, Any] = {"not": {"pattern": "^enc:"}}
    if min_length is not None:
        plain["minLength"] = min_length
    if max_length is not None:
        plain["maxLength"] = max_length
    info = Field(
        description=description,
        json_schema_extra={
            "x-personal": True,
            "anyOf": [plain, {"pattern": SEALED_PATTERN}],
        },
    )
    info.metadata.append(AfterValidator(PersonalText(min_length, max_length)))
    return info


def personal_shown(description: str, **kwargs: Any) -> Any:
    """A personal field of an HTTP answer: marked ``x-personal``, opened (or ERASED)."""
    return Field(description=description, json_schema_extra={"x-personal": True}, **kwargs)


def _not_sealed_looking(value: str) -> str:
    if value.startswith("enc:"):
        raise ValueError("should not start with 'enc:' (the form of sealed personal data)")
    return value


def personal_input(description: str, **kwargs: Any) -> Any:
    """A personal field of an HTTP body (a command's): marked ``x-personal``, plaintext only.
    The event it becomes seals it (shared.envelope.personal)."""
    info = Field(description=description, json_schema_extra={"x-personal": True}, **kwargs)
    info.metadata.append(AfterValidator(_not_sealed_looking))
    return info


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
