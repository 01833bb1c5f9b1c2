"""admin's HTTP API: the administrative team works its tasks and sees members' files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from services.admin import commands, queries
from services.admin.decisions import AssignTask, ClaimTask, CompleteTask, RejectTask, TaskCommand
from services.admin.domain import TaskStatus
from services.admin.views import (
    CaseDetail,
    CaseView,
    MemberView,
    TaskDetail,
    TaskDone,
    TaskList,
    TaskView,
)
from shared.auth import requires
from shared.events import AdminAct
from shared.history import HistoryEntry
from shared.http import AUTH_RESPONSES, MAX_AGE_MINUTES, VALIDATION_RESPONSE, Problem
from shared.identity import Principal, Role
from shared.refusals import NotFound
from shared.service import ServiceRuntime

READERS = [Depends(requires(Role.ADMIN_TEAM, Role.OPS))]
Team = Annotated[Principal, Depends(requires(Role.ADMIN_TEAM))]
Dispatchers = Annotated[Principal, Depends(requires(Role.ADMIN_TEAM, Role.OPS))]
READS: dict[int | str, dict[str, Any]] = {**VALIDATION_RESPONSE, **AUTH_RESPONSES}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**READS, 404: {"model": Problem}}
REFUSALS: dict[int | str, dict[str, Any]] = {
    **READS,
    409: {
        "model": Problem,
        "description": "The task is unknown, already closed, or another member's.",
    },
}


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["administration"])
    holder = runtime.holder

    @api.get("/tasks", response_model=TaskList, responses=READS, dependencies=READERS)
    async def list_tasks(
        status: Annotated[list[TaskStatus] | None, Query(description="Any of these.")] = None,
        act: Annotated[AdminAct | None, Query(description="Act type.")] = None,
        office: Annotated[str | None, Query(description="Office code.")] = None,
        assignee: Annotated[
            str | None, Query(description="Staff id the task is claimed by or assigned to.")
        ] = None,
        older_than_minutes: Annotated[
            int | None, Query(ge=0, le=MAX_AGE_MINUTES, description="Age.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=1000, description="At most this many.")] = 100,
    ) -> Response:
        """The team's tasks, oldest first (by default every status)."""
        before = None
        if older_than_minutes is not None:
            before = datetime.now(UTC) - timedelta(minutes=older_than_minutes)
        statuses = [s.value for s in status] if status else None
        async with holder.require().acquire() as conn:
            rows = await queries.tasks(
                conn,
                queries.TaskFilter(statuses, act.value if act else None, office, assignee, before),
                limit,
            )
        return JSONResponse(TaskList(tasks=[TaskView.of(r) for r in rows]).model_dump(mode="json"))

    @api.get(
        "/tasks/{task_id}", response_model=TaskDetail, responses=NOT_FOUND, dependencies=READERS
    )
    async def task_detail(task_id: UUID) -> Response:
        """A task and its history."""
        async with holder.require().acquire() as conn:
            row = await queries.task(conn, task_id)
            history = await queries.task_history(conn, task_id)
        if row is None:
            raise NotFound("not_found", f"No task {task_id} is known to admin.")
        body = TaskDetail(task=TaskView.of(row), history=[HistoryEntry.of(h) for h in history])
        return JSONResponse(body.model_dump(mode="json"))

    async def run(task_id: UUID, command: TaskCommand, actor: Principal) -> Response:
        event, after = await commands.execute(
            holder, task_id, command, actor, event_id=uuid4(), now=datetime.now(UTC)
        )
        done = TaskDone(event_id=event.event_id, event_type=event.type, task=TaskView.of(after))
        return JSONResponse(done.model_dump(mode="json"))

    @api.post("/tasks/{task_id}/claim", response_model=TaskDone, responses=REFUSALS)
    async def claim(task_id: UUID, actor: Team) -> Response:
        """Take an open task nobody else holds: the caller carries it out."""
        return await run(task_id, ClaimTask(), actor)

    @api.post("/tasks/{task_id}/assignment", response_model=TaskDone, responses=REFUSALS)
    async def assign(task_id: UUID, body: AssignTask, actor: Dispatchers) -> Response:
        """Give an open task to a named member of the administrative team (from whoever held
        it): they carry it out from now on."""
        return await run(task_id, body, actor)

    @api.post("/tasks/{task_id}/completion", response_model=TaskDone, responses=REFUSALS)
    async def complete(task_id: UUID, body: CompleteTask, actor: Team) -> Response:
        """The act was carried out: the task is completed (by its holder, when it has one)."""
        return await run(task_id, body, actor)

    @api.post("/tasks/{task_id}/rejection", response_model=TaskDone, responses=REFUSALS)
    async def reject(task_id: UUID, body: RejectTask, actor: Team) -> Response:
        """The act cannot be carried out: the task is rejected, the note says why; the case
        reopens in advisory with that reason."""
        return await run(task_id, body, actor)

    @api.get(
        "/members/{member_id}", response_model=MemberView, responses=NOT_FOUND, dependencies=READERS
    )
    async def member(member_id: str) -> Response:
        """The administrative view of a member: open cases, past acts, last contact."""
        async with holder.require().acquire() as conn:
            person, cases, tasks = await queries.member(conn, member_id)
        if person is None and not cases:
            raise NotFound("not_found", f"No member {member_id} is known to admin.")
        contacts = [c["last_contact_at"] for c in cases if c["last_contact_at"] is not None]
        view = MemberView(
            member_id=member_id,
            name=person["name"] if person else None,
            home_office=person["home_office"] if person else None,
            preferred_language=person["preferred_language"] if person else None,
            open_cases=[CaseView.of(c) for c in cases if c["resolved_at"] is None],
            past_acts=[TaskView.of(t) for t in tasks if t["status"] != TaskStatus.OPEN],
            open_tasks=[TaskView.of(t) for t in tasks if t["status"] == TaskStatus.OPEN],
            last_contact_at=max(contacts, default=None),
        )
        return JSONResponse(view.model_dump(mode="json"))

    @api.get(
        "/cases/{case_id}", response_model=CaseDetail, responses=NOT_FOUND, dependencies=READERS
    )
    async def case(case_id: UUID) -> Response:
        """The administrative view of a case and the tasks its resolution opened."""
        async with holder.require().acquire() as conn:
            row, tasks = await queries.case(conn, case_id)
        if row is None:
            raise NotFound("not_found", f"No case {case_id} is known to admin.")
        body = CaseDetail(case=CaseView.of(row), tasks=[TaskView.of(t) for t in tasks])
        return JSONResponse(body.model_dump(mode="json"))

    return api
