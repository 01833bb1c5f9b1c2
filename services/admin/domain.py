"""admin's domain, pure: the task a resolution opens (with its due date) and the task's life (who
may claim, assign or close it is services.admin.decisions).

A task is OPEN until the administrative team completes or rejects it; both are final. While
open it may be claimed by a member of the team or assigned to one (its ``assignee``). Its
state is the fold of its facts in (occurred_at, event_id) order, whatever order they were read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Union
from uuid import UUID, uuid5

from services.admin.due_dates import DEFAULT_DUE, DuePolicy
from shared.events import (
    AdminAct,
    AdminTaskAssigned,
    AdminTaskClaimed,
    AdminTaskCompleted,
    AdminTaskOpened,
    AdminTaskRejected,
    CaseResolved,
)

SERVICE = "admin"
# Namespace of admin's derived ids: a resolution always opens the same task, with the same event.
NAMESPACE = UUID("0b5f3a6e-2c47-4d1e-8f6a-9d3c2b1a7e55")
TaskEvent = Union[
    AdminTaskOpened, AdminTaskClaimed, AdminTaskAssigned, AdminTaskCompleted, AdminTaskRejected
]


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class TaskState:
    task_id: UUID
    case_id: UUID | None = None
    member_id: str = ""
    correlation_id: UUID | None = None
    status: TaskStatus | None = None  # None: not opened (yet, in a replay's order)
    act: AdminAct | None = None
    office: str | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    events: int = 0
    last_event_at: datetime | None = None
    assignee: str | None = None  # who carries it out: claimed or assigned, while open
    due_at: datetime | None = None  # None: opened before due dates (AdminTaskOpened v1)


def task_id_for(resolution_event_id: UUID) -> UUID:
    return uuid5(NAMESPACE, f"task:{resolution_event_id}")


def opening_id(resolution: UUID) -> UUID:
    """The event_id of the opening of the task a resolution needs (if it needs one)."""
    return uuid5(NAMESPACE, f"opened:{resolution}")


def task_opened(resolved: CaseResolved, due: DuePolicy = DEFAULT_DUE) -> AdminTaskOpened | None:
    """The task a resolution opens, if it needs an act, due by ``due``'s business days for the
    act. Ids and time derive from the resolution: deciding it again (a redelivery) under the
    same settings gives the very same fact."""
    if resolved.admin_act is None:
        return None
    return AdminTaskOpened(
        type="AdminTaskOpened",
        schema_version=2,
        event_id=opening_id(resolved.event_id),
        occurred_at=resolved.occurred_at,
        case_id=resolved.case_id,
        member_id=resolved.member_id,
        correlation_id=resolved.correlation_id,
        causation_id=resolved.event_id,
        producer=SERVICE,
        task_id=task_id_for(resolved.event_id),
        act=resolved.admin_act,
        office=resolved.office,
        resolution_event_id=resolved.event_id,
        opened_at=resolved.occurred_at,
        due_at=due.due(resolved.admin_act, resolved.office, resolved.occurred_at),
        due_business_days=due.days_for(resolved.admin_act),
    )


def fold(task_id: UUID, history: Iterable[TaskEvent]) -> TaskState:
    state = TaskState(task_id=task_id)
    for event in sorted(history, key=lambda e: (e.occurred_at, e.event_id)):
        state = evolve(state, event)
    return state


def evolve(state: TaskState, event: TaskEvent) -> TaskState:
    """The task after one more fact (total: the log is never refused)."""
    last = state.last_event_at
    state = replace(
        state,
        case_id=event.case_id,
        member_id=event.member_id,
        correlation_id=state.correlation_id or event.correlation_id,
        act=event.act,
        events=state.events + 1,
        last_event_at=event.occurred_at if last is None else max(last, event.occurred_at),
    )
    match event:
        case AdminTaskOpened():
            status = state.status or TaskStatus.OPEN
            return replace(
                state,
                status=status,
                office=event.office,
                opened_at=event.opened_at,
                due_at=event.due_at,
            )
        case AdminTaskClaimed():
            return replace(state, assignee=event.claimed_by)
        case AdminTaskAssigned():
            return replace(state, assignee=event.assigned_to)
        case AdminTaskCompleted():
            return replace(
                state,
                status=TaskStatus.COMPLETED,
                closed_at=event.completed_at,
                closed_by=event.completed_by,
            )
        case AdminTaskRejected():
            return replace(
                state,
                status=TaskStatus.REJECTED,
                closed_at=event.rejected_at,
                closed_by=event.rejected_by,
            )
