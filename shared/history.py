"""One fact of a subject's history as the HTTP APIs answer it (advisory's case, admin's task):
both keep the events they applied in a history table with the same columns."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from pydantic import AwareDatetime, BaseModel, Field


class HistoryEntry(BaseModel):
    event_id: UUID = Field(description="The fact's event id.")
    occurred_at: AwareDatetime = Field(description="When it happened.")
    type: str = Field(description="Event type, e.g. 'CaseClaimed' or 'AdminTaskCompleted'.")
    actor: str = Field(description="Staff id or service behind it.")
    event: dict[str, Any] = Field(
        description="The event as published (holds personal data).",
        json_schema_extra={"x-personal": True},
    )

    @classmethod
    def of(cls, row: Any) -> HistoryEntry:
        """From a history row (event_id, occurred_at, type, actor and the event's JSON)."""
        return cls.model_validate({**dict(row), "event": orjson.loads(row["event"])})
