"""The administrative team's commands on a task, run by shared.commands in one transaction:
lock the task, fold its history, decide (services.admin.decisions, pure), record the fact with
the consumers' code, put it in the outbox. The work joins the case's trace (where the
resolution that opened the task was published), linked to the HTTP request's span."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.admin import decisions, domain, projection
from services.admin.decisions import CloseTask
from services.admin.domain import TaskState
from shared import commands
from shared.db import Conn, PoolHolder
from shared.events import ADMIN_TASKS, AdminTaskCompleted, AdminTaskRejected
from shared.identity import Principal

Closing = AdminTaskCompleted | AdminTaskRejected

TASKS = commands.Subject[Closing](
    lock_space=projection.LOCK_SPACE,
    record=projection.record_tasks,
    topic_of=lambda _event: ADMIN_TASKS,
    trace_of=projection.task_trace,
    trace_attribute="relais.task_id",
)


async def execute(
    holder: PoolHolder,
    task_id: UUID,
    command: CloseTask,
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
) -> tuple[Closing, TaskState]:
    """The fact the command became and the task after it; raises a shared.refusals.Refused
    (writing nothing) when it is not allowed."""

    async def load(conn: Conn) -> TaskState:
        return (await projection.load_tasks(conn, {task_id}))[task_id]

    def decide(state: TaskState, at: datetime) -> Closing:
        return decisions.decide(state, command, actor, event_id=event_id, now=at)

    name = f"{type(command).__name__} command"
    event, state = await commands.execute(holder, TASKS, task_id, load, decide, name=name, now=now)
    return event, domain.evolve(state, event)
