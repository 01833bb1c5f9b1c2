"""admin's own facts on `admin-tasks`: an administrative task opened for a resolution (with the
date it is due by), claimed or assigned within the administrative team, then completed or
rejected. Part of the contract (re-exported by ``shared.events``, which holds the topic's
union)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, ConfigDict, Field

from shared.envelope import AdminAct, Code, Envelope, StaffId, personal


def _example(kind: str, version: int, **fields: Any) -> dict[str, Any]:
    """An example of one of admin's facts, for the contract."""
    case = "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913"
    return {
        "type": kind,
        "schema_version": version,
        "event_id": "8b1e4c2d-6f3a-4e5b-9c7d-1a2b3c4d5e6f",
        "occurred_at": "2026-12-03T10:15:00Z",
        "case_id": case,
        "member_id": "M-10293",
        "correlation_id": case,
        "causation_id": None,
        "producer": "admin",
        "task_id": "0f3e8d1a-6b2c-5d4e-8f9a-1b2c3d4e5f60",
        "act": "contract_registration",
        **fields,
    }


class _TaskOpening(Envelope):
    """The facts of a task's opening, in every version of AdminTaskOpened."""

    type: Literal["AdminTaskOpened"] = Field(description="Event type discriminator.")
    task_id: UUID = Field(description="The task; derived from the resolution that opened it.")
    act: AdminAct = Field(description="The administrative act to carry out.")
    office: Code = Field(description="Office of the case.")
    resolution_event_id: UUID = Field(description="event_id of the CaseResolved behind it.")
    opened_at: AwareDatetime = Field(description="When the task was opened.")


class AdminTaskOpenedV1(_TaskOpening):
    """Version 1 of AdminTaskOpened: still in the log, read as version 2 (shared.upcasting)."""

    schema_version: Literal[1] = Field(description="Version of this event's schema.")


class AdminTaskOpened(_TaskOpening):
    """A resolution needs an administrative act: a task for the administrative team.

    Version 2 adds ``due_at``: the act is due within a number of business days that depends
    on the act (admin's configuration when it opened the task), so the due date is a fact."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        "AdminTaskOpened", 2, office="liege",
        resolution_event_id="c4d5e6f7-0a1b-4c2d-8e3f-9a0b1c2d3e4f",
        opened_at="2026-12-03T10:15:00Z", due_at="2026-12-10T16:00:00Z", due_business_days=5,
    )]})  # fmt: skip

    schema_version: Literal[2] = Field(description="Version of this event's schema.")
    due_at: AwareDatetime | None = Field(
        description="When the act is due: the close of the office's n-th business day after "
        "the opening, n set per act. Null in events upcast from version 1."
    )
    due_business_days: int | None = Field(
        description="The n of due_at: business days the act was given. Null in events upcast "
        "from version 1.",
        ge=0,
    )


class AdminTaskClaimed(Envelope):
    """A member of the administrative team took an open task: it is theirs to carry out."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        "AdminTaskClaimed", 1, claimed_by="admin-1", claimed_at="2026-12-03T10:15:00Z",
    )]})  # fmt: skip

    type: Literal["AdminTaskClaimed"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    task_id: UUID = Field(description="The task.")
    act: AdminAct = Field(description="The act (copied for consumers).")
    claimed_by: StaffId = Field(description="Staff id of the administrative team member.")
    claimed_at: AwareDatetime = Field(description="When the task was claimed.")


class AdminTaskAssigned(Envelope):
    """An open task was given to a named member of the administrative team."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        "AdminTaskAssigned", 1, assigned_to="admin-2", assigned_by="admin-1",
        assigned_at="2026-12-03T10:15:00Z",
    )]})  # fmt: skip

    type: Literal["AdminTaskAssigned"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    task_id: UUID = Field(description="The task.")
    act: AdminAct = Field(description="The act (copied for consumers).")
    assigned_to: StaffId = Field(description="Staff id of the member who carries it out now.")
    assigned_by: StaffId = Field(description="Staff id of whoever assigned it (team or ops).")
    assigned_at: AwareDatetime = Field(description="When the task was assigned.")


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
