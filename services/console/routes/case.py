"""The case screen (advisers and support alike): the member's question and messages, what
staff wrote to each other, the history, the member's other cases, open administrative tasks,
and the actions the person may take now. ``/cases/{id}/news`` tells the live update whether
anything changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from services.console import problems, replies, session
from services.console.client import Api, ServiceProblem
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.session import Staff
from services.console.views import case as view

router = APIRouter()


async def load(api: Api, case_id: UUID) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The case, then the member's cases (it needs the member's id from the first)."""
    detail = await api.get("advisory", f"/cases/{case_id}")
    member_id = detail["case"]["member_id"]
    try:
        member = await api.get("advisory", f"/members/{member_id}/cases")
    except ServiceProblem:  # the case still shows; its surroundings are a bonus
        member = None
    return detail, member


async def draft_of(api: Api, case_id: UUID, actions: list[str]) -> dict[str, Any] | None:
    """The person's draft on the case, if they may write on it and have one."""
    if "reply" not in actions and "note" not in actions:
        return None
    try:
        return await api.get("advisory", f"/cases/{case_id}/draft")
    except ServiceProblem:  # none (404), or drafts not reachable: the page still shows
        return None


async def presence_on(api: Api, case_id: UUID, me: str) -> list[Mapping[str, Any]]:
    """Says I opened the case; who else is on it (none if presence is not reachable)."""
    try:
        body = await api.put("advisory", f"/cases/{case_id}/presence", {"activity": "viewing"})
    except ServiceProblem:
        return []
    return view.others_present(body, me)


async def show(
    request: Request,
    staff: Staff,
    api: Api,
    case_id: UUID,
    said: problems.Said | None = None,
    kept: dict[str, str] | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    detail, member = await load(api, case_id)
    case = view.with_due_time(detail["case"], member)
    actions = view.allowed(case, staff.role, staff.subject)
    draft = view.draft_for(await draft_of(api, case_id, actions), kept or {})
    present = await presence_on(api, case_id, staff.subject)
    return page(
        request,
        staff,
        "case/case.html",
        status_code=status_code,
        detail=detail,
        case=case,
        request_=detail.get("request"),
        conversation=view.conversation(detail.get("request"), detail.get("history", [])),
        internal=view.internal(detail.get("history", [])),
        history=list(reversed(detail.get("history", []))),
        others=view.others(member, str(case_id)),
        tasks=view.open_tasks(detail, member),
        actions=actions,
        draft=draft,
        present=present,
        reply_templates=replies.offers(detail, staff.lang, staff.subject),
        reasons=view.ESCALATION_REASONS,
        outcomes=view.OUTCOMES,
        acts=view.ADMIN_ACTS,
        fingerprint=view.fingerprint(detail),
        said=said,
        kept=kept or {},
        done=done,
    )


@router.get("/cases/{case_id}")
async def case_page(
    request: Request, case_id: UUID, staff: StaffDep, api: ApiDep, done: str | None = None
) -> Response:
    return await show(request, staff, api, case_id, done=done if done in view.ACTIONS else None)


@router.get("/cases/{case_id}/news")
async def case_news(case_id: UUID, staff: StaffDep, api: ApiDep) -> Response:
    """The case's fingerprint: the page compares it with the one it was drawn from."""
    detail = await api.get("advisory", f"/cases/{case_id}")
    return JSONResponse({"v": view.fingerprint(detail)})


@router.post("/cases/{case_id}/{action}")
async def act(
    request: Request, case_id: UUID, action: str, staff: StaffDep, api: ApiDep
) -> Response:
    """One action from the case screen (or a claim from a list). Refused: the case screen
    again with the refusal in the person's words and what they typed kept."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    session.check_form(request, form.get("csrf"))
    path = view.ACTIONS.get(action)
    if path is None:
        said = problems.Said("errors.unknown_action")
        return await show(request, staff, api, case_id, said=said, status_code=404)
    try:
        body = view.command_body(action, form)
        seen = view.if_match(form.get("seen_version"))
        await api.post("advisory", f"/cases/{case_id}/{path}", body, if_match=seen)
    except ServiceProblem as refused:
        if refused.status in (0, 401) or refused.status >= 500:
            raise
        kept = {"action": action, **{k: v for k, v in form.items() if k != "csrf"}}
        return await show(
            request,
            staff,
            api,
            case_id,
            said=problems.said(refused),
            kept=kept,
            status_code=refused.status,
        )
    return RedirectResponse(f"/cases/{case_id}?done={action}", status_code=303)
