"""The administrative team's screen: the tasks by act, office and due date (admin's
``GET /tasks``), one task with its history, and claim, complete, or reject with a reason (a
rejection reopens the case with the adviser, who reads the reason)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from services.console import problems, session
from services.console.client import Api, ServiceProblem
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.session import Staff
from services.console.views import tasks as view
from services.console.views.case import ADMIN_ACTS, BadAction

router = APIRouter()


class TaskQuery(BaseModel):
    """What the task list is asked, the same for the page and its rows: the rows must be those
    of the list the page shows."""

    tab: str | None = None
    act: str | None = None
    office: str | None = None


Asked = Annotated[TaskQuery, Query()]


async def listing(
    request: Request, staff: Staff, api: Api, template: str, asked: TaskQuery, **more: Any
) -> Response:
    """The task list (the page, or its rows for the live update)."""
    chosen = view.tab(asked.tab)
    wanted = view.filters(chosen, staff.subject, asked.act, asked.office)
    body = await api.get("admin", "/tasks", **wanted)
    now = datetime.now(UTC)
    return page(
        request,
        staff,
        template,
        tabs=view.TABS,
        chosen=chosen,
        tasks=view.by_due_date(body["tasks"]),
        act=wanted["act"] or "",
        office=wanted["office"] or "",
        acts=ADMIN_ACTS,
        due=lambda task: view.due(task, now).value,
        allowed=lambda task: view.allowed(task, staff.subject),
        fingerprint=view.fingerprint,
        **more,
    )


@router.get("/tasks")
async def task_list(
    request: Request, staff: StaffDep, api: ApiDep, asked: Asked, done: str | None = None
) -> Response:
    rows_url = "/tasks/rows?" + urlencode(
        {"tab": asked.tab or "", "act": asked.act or "", "office": asked.office or ""}
    )
    done = done if done in view.ACTIONS else None
    return await listing(
        request, staff, api, "tasks/tasks.html", asked, done=done, rows_url=rows_url
    )


@router.get("/tasks/rows")
async def task_rows(request: Request, staff: StaffDep, api: ApiDep, asked: Asked) -> Response:
    """The rows of the same list, for the live update (the page decides when to show them)."""
    return await listing(request, staff, api, "tasks/_rows.html", asked)


async def show(
    request: Request,
    staff: Staff,
    api: Api,
    task_id: UUID,
    said: problems.Said | None = None,
    kept: dict[str, str] | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    detail = await api.get("admin", f"/tasks/{task_id}")
    task = detail["task"]
    return page(
        request,
        staff,
        "tasks/task.html",
        status_code=status_code,
        task=task,
        history=list(reversed(detail.get("history", []))),
        due=view.due(task, datetime.now(UTC)).value,
        actions=view.allowed(task, staff.subject),
        said=said,
        kept=kept or {},
        done=done,
    )


@router.get("/tasks/{task_id}")
async def task_page(
    request: Request, task_id: UUID, staff: StaffDep, api: ApiDep, done: str | None = None
) -> Response:
    return await show(request, staff, api, task_id, done=done if done in view.ACTIONS else None)


@router.post("/tasks/{task_id}/{action}")
async def act_on_task(
    request: Request, task_id: UUID, action: str, staff: StaffDep, api: ApiDep
) -> Response:
    """Claim, complete or reject. Refused: the task again, the refusal in the person's words
    and what they typed kept."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    session.check_form(request, form.get("csrf"))
    path = view.ACTIONS.get(action)
    kept = {"action": action, "note": form.get("note", "")}
    try:
        if path is None:
            raise BadAction(action)
        body = view.command_body(action, form)
        await api.post("admin", f"/tasks/{task_id}/{path}", body)
    except BadAction:
        said = problems.Said("tasks.reason_required" if path else "errors.unknown_action")
        return await show(request, staff, api, task_id, said=said, kept=kept, status_code=422)
    except ServiceProblem as refused:
        if refused.status in (0, 401) or refused.status >= 500:
            raise
        said = problems.said(refused)
        return await show(
            request, staff, api, task_id, said=said, kept=kept, status_code=refused.status
        )
    if form.get("back") == "list":
        return RedirectResponse(f"/tasks?done={action}", status_code=303)
    return RedirectResponse(f"/tasks/{task_id}?done={action}", status_code=303)
