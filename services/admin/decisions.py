"""admin's decisions, pure: what the administrative team asks (claim, assign, complete or reject
a task, as the HTTP bodies carry it), who may, and which fact it becomes. A refusal publishes
nothing: Forbidden (403) for who the caller is, Conflict (409) for what the task is.
services.admin.commands runs them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.admin.domain import SERVICE, TaskState, TaskStatus
from shared.events import (
    AdminTaskAssigned,
    AdminTaskClaimed,
    AdminTaskCompleted,
    AdminTaskRejected,
    StaffId,
    case_envelope,
    personal_input,
)
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden

TICK = timedelta(microseconds=1)
TaskFact = AdminTaskClaimed | AdminTaskAssigned | AdminTaskCompleted | AdminTaskRejected


class TaskCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ClaimTask(TaskCommand):
    """Take an open task: the caller carries it out."""


class AssignTask(TaskCommand):
    """Give an open task to a named member of the administrative team."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"assignee": "admin-07"}]})

    assignee: StaffId = Field(description="Staff id of the team member who carries it out.")


class CloseTask(TaskCommand):
    """Complete or reject a task, with a note."""

    note: str = personal_input(
        "What was done, or why it cannot be done.", default="", max_length=10_000
    )


class CompleteTask(CloseTask):
    """The act was carried out."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "Contract registered under no. 2026-0412."}]}
    )


class RejectTask(CloseTask):
    """The act cannot be carried out (the note says why: required)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "The signed contract is missing its annex."}]}
    )

    note: str = personal_input(
        "Why the act cannot be carried out.", min_length=1, max_length=10_000
    )


def decide(
    state: TaskState, command: TaskCommand, actor: Principal, *, event_id: UUID, now: datetime
) -> TaskFact:
    """The fact the command becomes; Forbidden or Conflict (and nothing published) otherwise."""
    _allowed(command, actor)
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
    }
    who = actor.subject
    match command:
        case ClaimTask():
            _not_anothers(state, actor)
            if state.assignee == who:
                raise Conflict("already_yours", "The task is already yours.")
            return AdminTaskClaimed(type="AdminTaskClaimed", **base, claimed_by=who, claimed_at=at)
        case AssignTask():
            if state.assignee == command.assignee:
                raise Conflict("already_assigned", f"The task is already {command.assignee}'s.")
            return AdminTaskAssigned(
                type="AdminTaskAssigned",
                **base,
                assigned_to=command.assignee,
                assigned_by=who,
                assigned_at=at,
            )
        case RejectTask():
            _not_anothers(state, actor)
            return AdminTaskRejected(
                type="AdminTaskRejected", **base, note=command.note, rejected_by=who, rejected_at=at
            )
        case CompleteTask() | CloseTask():
            _not_anothers(state, actor)
            return AdminTaskCompleted(
                type="AdminTaskCompleted",
                **base,
                note=command.note,
                completed_by=who,
                completed_at=at,
            )
    raise TypeError(f"not an admin command: {type(command).__name__}")


def _allowed(command: TaskCommand, actor: Principal) -> None:
    """The team works its tasks; ops may also hand one to a member of the team."""
    if isinstance(command, AssignTask) and actor.role is Role.OPS:
        return
    if actor.role is not Role.ADMIN_TEAM:
        raise Forbidden("admin_team_only", "Only the administrative team works tasks.")


def _not_anothers(state: TaskState, actor: Principal) -> None:
    """A task claimed by or assigned to someone is theirs to carry out, claim or close."""
    if state.assignee is not None and state.assignee != actor.subject:
        raise Conflict(
            "assigned_to_other",
            f"The task is {state.assignee}'s: they carry it out (or assign it to you).",
        )
