"""admin's decisions, pure: what the administrative team asks (complete or reject a task, as
the HTTP bodies carry it), who may, and which fact it becomes. A refusal publishes nothing:
Forbidden (403) for who the caller is, Conflict (409) for what the task is.
services.admin.commands runs them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from services.admin.domain import SERVICE, TaskState, TaskStatus
from shared.events import AdminTaskCompleted, AdminTaskRejected, case_envelope, personal
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden

TICK = timedelta(microseconds=1)


class CloseTask(BaseModel):
    """Complete or reject a task, with a note."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    note: str = personal("What was done, or why it cannot be done.", default="", max_length=10_000)


class CompleteTask(CloseTask):
    """The act was carried out."""


class RejectTask(CloseTask):
    """The act cannot be carried out (the note says why: required)."""

    note: str = personal("Why the act cannot be carried out.", min_length=1, max_length=10_000)


def decide(
    state: TaskState, command: CloseTask, actor: Principal, *, event_id: UUID, now: datetime
) -> AdminTaskCompleted | AdminTaskRejected:
    """The fact closing the task; Forbidden or Conflict (and nothing published) otherwise."""
    if actor.role is not Role.ADMIN_TEAM:
        raise Forbidden("admin_team_only", "Only the administrative team closes tasks.")
    if state.status is None or state.act is None or state.case_id is None:
        raise Conflict("unknown_task", f"No task {state.task_id} is known to admin.")
    if state.status is not TaskStatus.OPEN:
        raise Conflict("task_closed", f"The task is already {state.status}: it stays so.")
    last = state.last_event_at
    at = now if last is None else max(now, last + TICK)
    base: dict[str, Any] = {
        **case_envelope(
            state.case_id, state.member_id, state.correlation_id, event_id, at, SERVICE
        ),
        "task_id": state.task_id,
        "act": state.act,
        "note": command.note,
    }
    if isinstance(command, RejectTask):
        return AdminTaskRejected(
            type="AdminTaskRejected", **base, rejected_by=actor.subject, rejected_at=at
        )
    return AdminTaskCompleted(
        type="AdminTaskCompleted", **base, completed_by=actor.subject, completed_at=at
    )
