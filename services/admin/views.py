"""What admin's HTTP API answers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from services.admin.domain import TaskState, TaskStatus
from shared.events import AdminAct, Outcome, personal
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

    @classmethod
    def of(cls, source: TaskState | Any) -> TaskView:
        return cls.model_validate(_pick(cls, source))


class TaskList(BaseModel):
    tasks: list[TaskView] = Field(description="Matching tasks, oldest first.")


class TaskDetail(BaseModel):
    task: TaskView = Field(description="The task now.")
    history: list[HistoryEntry] = Field(description="Its facts, oldest first.")


class TaskDone(BaseModel):
    event_id: UUID = Field(description="The fact the command became.")
    event_type: str = Field(description="AdminTaskCompleted or AdminTaskRejected.")
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
    name: str | None = personal("Full name, as of the latest request.")
    home_office: str | None = Field(description="Home office, as of the latest request.")
    preferred_language: str | None = Field(description="Language the member is served in.")
    open_cases: list[CaseView] = Field(description="Cases not resolved yet.")
    past_acts: list[TaskView] = Field(description="Administrative acts completed or rejected.")
    open_tasks: list[TaskView] = Field(description="Acts still to carry out.")
    last_contact_at: AwareDatetime | None = Field(
        description="Latest request from, or resolution for, the member."
    )
