"""The erasure of a member's personal data (crypto-shredding): the fact on `member-erasures`,
owned by intake, which destroys the member's keys before it publishes it (docs/security.md).
It holds no personal data: the member's id (not personal in Relais's contract: it is in every
envelope), who erased, why in the cooperative's own words (a request number, a retention rule),
and the keys destroyed."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Union
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MEMBER_ERASURES = "member-erasures"


class ErasureCause(StrEnum):
    REQUEST = "request"  # the member asked (GDPR art. 17), or the DPO decided
    RETENTION = "retention"  # their last case closed longer ago than the retention period


class MemberErased(BaseModel):
    """A member's personal data was erased: their keys are destroyed, so every sealed personal
    field of theirs in the log reads `[erased]` from now on; each service masks what its
    projection holds of them on this fact. Key: member_id."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "type": "MemberErased",
                    "schema_version": 1,
                    "event_id": "0c5e9a41-7d2b-4f3e-8a61-5b9d2c7e4f18",
                    "occurred_at": "2026-12-03T16:00:00Z",
                    "member_id": "M-10293",
                    "causation_id": None,
                    "producer": "intake",
                    "cause": "request",
                    "reason": "GDPR request DPO-2026-041",
                    "erased_by": "dpo-01",
                    "key_ids": ["M-10293.1"],
                    "erased_at": "2026-12-03T16:00:00Z",
                }
            ]
        },
    )

    type: Literal["MemberErased"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    event_id: UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    occurred_at: AwareDatetime = Field(description="When the erasure happened.")
    member_id: str = Field(description="The member erased.", pattern=r"^[A-Za-z0-9-]{1,64}$")
    causation_id: UUID | None = Field(
        description="Null: an erasure is a command from outside (the DPO, the retention pass)."
    )
    producer: str = Field(description="The service that decided it: intake.")
    cause: ErasureCause = Field(description="A request, or the retention period.")
    reason: str = Field(
        description="Why, in the cooperative's words (a request number, the retention rule); "
        "never the member's data.",
        min_length=1,
        max_length=500,
    )
    erased_by: str = Field(description="Staff id (or 'retention') who erased.")
    key_ids: tuple[str, ...] = Field(
        description="The member's keys destroyed (kid of each); empty when they had none live "
        "(erased before, or only legacy plaintext)."
    )
    erased_at: AwareDatetime = Field(description="When the keys were destroyed.")

    @property
    def message_key(self) -> str:
        return self.member_id


MemberErasuresTopic = Annotated[Union[MemberErased], Field(discriminator="type")]
