"""The administrative team's commands on a task (claim, assign, complete, reject), run by
shared.commands in one transaction:
lock the task, fold its history, decide (services.admin.decisions, pure), record the fact with
the consumers' code, put it in the outbox. The work joins the case's trace (where the
resolution that opened the task was published), linked to the HTTP request's span."""

from __future__ import annotations

from services.admin import decisions, domain, projection
from services.admin.decisions import TaskCommand, TaskFact
from services.admin.domain import TaskState
from shared import commands
from shared.events import ADMIN_TASKS


def topic_of(_event: TaskFact) -> str:
    return ADMIN_TASKS


TASK = commands.Subject[TaskFact](
    projection.LOCK_SPACE,
    projection.record_tasks,
    topic_of,
    projection.task_trace,
    "relais.task_id",
)
TASKS = commands.Folded[TaskState, TaskCommand, TaskFact](
    TASK, projection.load_tasks, decisions.decide, domain.evolve
)
# execute(holder, task_id, command, actor, *, event_id, now) -> (the fact, the task after it)
execute = TASKS.execute
