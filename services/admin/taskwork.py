"""The administrative team's commands on a task, each in one transaction: lock the task, fold
its history, decide (pure), record the fact with the consumers' code, put it in the outbox.
The work joins the case's trace (where the resolution that opened the task was published),
linked to the HTTP request's span."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.admin import domain, projection
from services.admin.domain import CloseTask, TaskState
from shared import faults, locks, outbox, telemetry
from shared.db import PoolHolder
from shared.events import ADMIN_TASKS, AdminTaskCompleted, AdminTaskRejected
from shared.identity import Principal


async def execute(
    holder: PoolHolder,
    task_id: UUID,
    command: CloseTask,
    actor: Principal,
    *,
    event_id: UUID,
    now: datetime,
) -> tuple[AdminTaskCompleted | AdminTaskRejected, TaskState]:
    """The fact the command became and the task after it; raises domain.Refused (writing
    nothing) when it is not allowed. Concurrent commands on one task run one after the other."""
    async with holder.require().acquire() as conn:
        # The task's trace is its case's: closing it continues its resolution's.
        carrier = await projection.task_trace(conn, task_id) if telemetry.enabled() else None
        name = f"{type(command).__name__} command"
        with telemetry.rejoined(carrier, name, {"relais.task_id": str(task_id)}):
            async with conn.transaction():
                await locks.lock_all(conn, projection.LOCK_SPACE, [task_id])
                state = (await projection.load_tasks(conn, {task_id}))[task_id]
                event = domain.decide(state, command, actor, event_id=event_id, now=now)
                message = outbox.event_message(ADMIN_TASKS, event)
                traces = {event.event_id: telemetry.traceparent_of(message.headers)}
                await projection.record_tasks(conn, [event], traces)
                await outbox.enqueue(conn, [message])
                faults.point("http.recording")  # crash: the fact written, not committed
    faults.point("http.committed")  # crash: committed, not answered
    holder.on_commit()
    return event, domain.evolve(state, event)
