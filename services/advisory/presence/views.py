"""What presence answers, pure: who is on a case and doing what, until when."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TTL = timedelta(seconds=30)  # a presence not renewed for this long is gone


class Activity(StrEnum):
    VIEWING = "viewing"  # has the case open
    REPLYING = "replying"  # is writing a reply (or a note) on it


class Presence(BaseModel):
    """What the caller is doing on the case now."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra={"examples": [{"activity": "replying"}]}
    )

    activity: Activity = Field(Activity.VIEWING, description="viewing or replying.")


class Present(BaseModel):
    staff_id: str = Field(description="Who.")
    role: str = Field(description="Their role, e.g. 'adviser' or 'support'.")
    activity: Activity = Field(description="viewing or replying.")
    seen_at: AwareDatetime = Field(description="When their console last said so.")
    expires_at: AwareDatetime = Field(description="When it is gone unless renewed.")

    @classmethod
    def of(cls, row: Any) -> Present:
        """From a `case_presence` row."""
        return cls(
            staff_id=row["staff_id"],
            role=row["role"],
            activity=row["activity"],
            seen_at=row["seen_at"],
            expires_at=row["seen_at"] + TTL,
        )


class CasePresence(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "6f1c1f7e-3c55-4a43-9a37-2b8f2a7b5d10",
                    "ttl_seconds": 30,
                    "people": [
                        {
                            "staff_id": "liege-front-02",
                            "role": "adviser",
                            "activity": "replying",
                            "seen_at": "2026-03-02T09:41:50Z",
                            "expires_at": "2026-03-02T09:42:20Z",
                        }
                    ],
                }
            ]
        }
    )

    case_id: UUID = Field(description="The case.")
    ttl_seconds: int = Field(description="How long a presence lasts unless renewed.")
    people: list[Present] = Field(description="Who is on the case now, the latest first.")


def since(now: datetime) -> datetime:
    """The oldest renewal still present at ``now``."""
    return now - TTL
