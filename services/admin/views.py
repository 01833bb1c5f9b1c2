"""What admin's HTTP API answers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.admin.domain import TaskState, TaskStatus
from shared.events import AdminAct, Outcome, personal_shown
from shared.history import HistoryEntry


def _pick(model: type[BaseModel], source: Any) -> dict[str, Any]:
    data = asdict(source) if hasattr(source, "__dataclass_fields__") else dict(source)
    return {k: v for k, v in data.items() if k in model.model_fields}


class TaskView(BaseModel):
    task_id: UUID = Field(description="The task.")
    case_id: UUID | None = Field(description="The case whose resolution opened it.")
    member_id: str = Field(description="The member concerned.")
    status: TaskStatus | None = Field(description="open, completed or rejected.")
    act: AdminAct | None = Field(description="The administrative act to carry out.")
    office: str | None = Field(description="Office of the case.")
    opened_at: AwareDatetime | None = Field(description="When the task was opened.")
    closed_at: AwareDatetime | None = Field(description="When it was completed or rejected.")
    closed_by: str | None = Field(description="Who completed or rejected it.")
    assignee: str | None = Field(
        description="The team member who claimed it or was assigned it, if anyone."
    )
    due_at: AwareDatetime | None = Field(
        description="When the act is due (the close of the office's n-th business day after "
        "the opening, n set per act); null for tasks opened before due dates."
    )

    @classmethod
    def of(cls, source: TaskState | Any) -> TaskView:
        return cls.model_validate(_pick(cls, source))


class TaskList(BaseModel):
    tasks: list[TaskView] = Field(description="Matching tasks, oldest first.")


class TaskDetail(BaseModel):
    task: TaskView = Field(description="The task now.")
    history: list[HistoryEntry] = Field(description="Its facts, oldest first.")


class TaskDone(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "event_id": "5d1c9a7e-3b0f-4c5e-9a51-0f6f2b1e8c44",
                    "event_type": "AdminTaskClaimed",
                    "task": {
                        "task_id": "0f3e8d1a-6b2c-5d4e-8f9a-1b2c3d4e5f60",
                        "case_id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
                        "member_id": "M-100231",
                        "status": "open",
                        "act": "contract_registration",
                        "office": "liege",
                        "opened_at": "2026-12-03T10:15:00Z",
                        "closed_at": None,
                        "closed_by": None,
                        "assignee": "admin-07",
                        "due_at": "2026-12-10T16:00:00Z",
                    },
                }
            ]
        }
    )

    event_id: UUID = Field(description="The fact the command became.")
    event_type: str = Field(
        description="AdminTaskClaimed, AdminTaskAssigned, AdminTaskCompleted or AdminTaskRejected."
    )
    task: TaskView = Field(description="The task after it.")


class CaseView(BaseModel):
    case_id: UUID = Field(description="The case.")
    member_id: str = Field(description="The member.")
    office: str | None = Field(description="Office of the case.")
    topic_family: str | None = Field(description="What it was about (once the request is known).")
    received_at: AwareDatetime | None = Field(description="When the member asked.")
    resolved_at: AwareDatetime | None = Field(description="When it was resolved.")
    outcome: Outcome | None = Field(description="How it ended.")
    admin_act: AdminAct | None = Field(description="Act the resolution needed.")

    @classmethod
    def of(cls, source: Any) -> CaseView:
        return cls.model_validate(_pick(cls, source))


class CaseDetail(BaseModel):
    case: CaseView = Field(description="The case, administratively.")
    tasks: list[TaskView] = Field(description="Tasks its resolution opened.")


class MemberView(BaseModel):
    member_id: str = Field(description="The member.")
    name: str | None = personal_shown("Full name, as of the latest request.")
    home_office: str | None = Field(description="Home office, as of the latest request.")
    preferred_language: str | None = Field(description="Language the member is served in.")
    open_cases: list[CaseView] = Field(description="Cases not resolved yet.")
    past_acts: list[TaskView] = Field(description="Administrative acts completed or rejected.")
    open_tasks: list[TaskView] = Field(description="Acts still to carry out.")
    last_contact_at: AwareDatetime | None = Field(
        description="Latest request from, or resolution for, the member."
    )
