"""admin's own facts on `admin-tasks`: an administrative task opened for a resolution, then
completed or rejected by the administrative team. Part of the contract (re-exported by
``shared.events``, which holds the topic's union)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.envelope import AdminAct, Code, Envelope, personal


class AdminTaskOpened(Envelope):
    """A resolution needs an administrative act: a task for the administrative team."""

    type: Literal["AdminTaskOpened"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    task_id: UUID = Field(description="The task; derived from the resolution that opened it.")
    act: AdminAct = Field(description="The administrative act to carry out.")
    office: Code = Field(description="Office of the case.")
    resolution_event_id: UUID = Field(description="event_id of the CaseResolved behind it.")
    opened_at: AwareDatetime = Field(description="When the task was opened.")


class AdminTaskCompleted(Envelope):
    """The administrative team carried out the act."""

    type: Literal["AdminTaskCompleted"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    task_id: UUID = Field(description="The task.")
    act: AdminAct = Field(description="The act carried out (copied for consumers).")
    completed_by: str = Field(description="Staff id of the administrative team member.")
    note: str = personal("Completion note.", max_length=10_000)
    completed_at: AwareDatetime = Field(description="When the task was completed.")


class AdminTaskRejected(Envelope):
    """The administrative team refused the act (e.g. a document is missing)."""

    type: Literal["AdminTaskRejected"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    task_id: UUID = Field(description="The task.")
    act: AdminAct = Field(description="The act refused (copied for consumers).")
    rejected_by: str = Field(description="Staff id of the administrative team member.")
    note: str = personal("Why the act was refused.", min_length=1, max_length=10_000)
    rejected_at: AwareDatetime = Field(description="When the task was rejected.")
