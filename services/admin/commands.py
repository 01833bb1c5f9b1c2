"""The administrative team's commands on a task, run by shared.commands in one transaction:
lock the task, fold its history, decide (services.admin.decisions, pure), record the fact with
the consumers' code, put it in the outbox. The work joins the case's trace (where the
resolution that opened the task was published), linked to the HTTP request's span."""

from __future__ import annotations

from services.admin import decisions, domain, projection
from services.admin.decisions import CloseTask
from services.admin.domain import TaskState
from shared import commands
from shared.events import ADMIN_TASKS, AdminTaskCompleted, AdminTaskRejected

Closing = AdminTaskCompleted | AdminTaskRejected


def topic_of(_event: Closing) -> str:
    return ADMIN_TASKS


TASK = commands.Subject[Closing](
    projection.LOCK_SPACE,
    projection.record_tasks,
    topic_of,
    projection.task_trace,
    "relais.task_id",
)
TASKS = commands.Folded[TaskState, CloseTask, Closing](
    TASK, projection.load_tasks, decisions.decide, domain.evolve
)
# execute(holder, task_id, command, actor, *, event_id, now) -> (the fact, the task after it)
execute = TASKS.execute
