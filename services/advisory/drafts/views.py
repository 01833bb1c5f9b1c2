"""What a draft is, pure: the body its author saves and what they read back."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events import personal


class DraftKind(StrEnum):
    REPLY = "reply"  # to the member: removed when the author sends a reply
    NOTE = "note"  # internal: removed when the author adds a note


class DraftBody(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"kind": "reply", "text": "Bonjour, votre facture de janvier ..."}]
        },
    )

    kind: DraftKind = Field(DraftKind.REPLY, description="reply (to the member) or note.")
    text: str = personal("What is written so far.", max_length=10_000)


class Draft(DraftBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "6f1c1f7e-3c55-4a43-9a37-2b8f2a7b5d10",
                    "staff_id": "liege-front-02",
                    "kind": "reply",
                    "text": "Bonjour, votre facture de janvier ...",
                    "updated_at": "2026-03-02T09:41:50Z",
                }
            ]
        }
    )

    case_id: UUID = Field(description="The case.")
    staff_id: str = Field(description="Its author (only they read it).")
    updated_at: AwareDatetime = Field(description="When it was last saved.")

    @classmethod
    def of(cls, row: Any) -> Draft:
        """From a `case_drafts` row."""
        return cls.model_validate(dict(row))
