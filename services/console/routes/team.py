"""The team lead's screen: the workload of each adviser of their office, their absences
(record, cancel: routing), and the cases one adviser holds, each of which can be reassigned to
a present colleague (advisory, with the case version the lead saw)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.console import problems, session
from services.console.client import Api, ServiceProblem
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.session import Staff
from services.console.views import team as view

router = APIRouter()
DONE = ("absence", "cancelled", "reassigned")


async def workload(api: Api, office: str | None) -> list[view.Adviser]:
    """The office's advisers: their workload (advisory) and absences (routing)."""
    loads, roster = await asyncio.gather(
        api.get("advisory", "/workload", office=office, team="first_line"),
        api.get("routing", "/advisers", office=office, team="first_line"),
    )
    return view.advisers(loads, roster)


async def show(
    request: Request,
    staff: Staff,
    api: Api,
    adviser: str | None = None,
    said: problems.Said | None = None,
    kept: dict[str, str] | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> Response:
    office = staff.office
    team = await workload(api, office)
    chosen = next((a for a in team if a.adviser_id == adviser), None)
    cases: list[Any] = []
    if chosen is not None:
        held = await api.get(
            "advisory",
            "/cases",
            office=office,
            assignee=chosen.adviser_id,
            state=list(view.OPEN_HELD),
            limit=200,
        )
        cases = held["cases"]
    return page(
        request,
        staff,
        "team/team.html",
        status_code=status_code,
        team=team,
        office=office,
        chosen=chosen,
        cases=cases,
        colleagues=lambda holder: view.colleagues(team, holder),
        fingerprint=view.fingerprint,
        said=said,
        kept=kept or {},
        done=done if done in DONE else None,
    )


@router.get("/team")
async def team_screen(
    request: Request,
    staff: StaffDep,
    api: ApiDep,
    adviser: str | None = None,
    done: str | None = None,
) -> Response:
    return await show(request, staff, api, adviser, done=done)


@router.get("/team/rows")
async def team_rows(
    request: Request, staff: StaffDep, api: ApiDep, adviser: str | None = None
) -> Response:
    """The workload rows, for the live update (the page decides when to show them)."""
    team = await workload(api, staff.office)
    chosen = next((a for a in team if a.adviser_id == adviser), None)
    return page(
        request,
        staff,
        "team/_rows.html",
        team=team,
        chosen=chosen,
        fingerprint=view.fingerprint,
    )


async def form_of(request: Request) -> dict[str, str]:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    session.check_form(request, form.get("csrf"))
    return {k: v for k, v in form.items() if k != "csrf"}


async def refused(
    request: Request,
    staff: Staff,
    api: Api,
    form: dict[str, str],
    exc: view.BadForm | ServiceProblem,
) -> Response:
    """The screen again, the refusal in words, what was typed kept."""
    if isinstance(exc, view.BadForm):
        said, status = problems.Said(exc.key), 422
    else:
        if exc.status in (0, 401) or exc.status >= 500:
            raise exc
        said, status = problems.said(exc), exc.status
    adviser = form.get("back_adviser") or None
    return await show(request, staff, api, adviser, said, form, status)


@router.post("/team/absences")
async def record_absence(request: Request, staff: StaffDep, api: ApiDep) -> Response:
    form = await form_of(request)
    try:
        who, body = view.absence_body(form)
        await api.post("routing", f"/advisers/{who}/absences", body)
    except (view.BadForm, ServiceProblem) as exc:
        return await refused(request, staff, api, {**form, "action": "absence"}, exc)
    return RedirectResponse("/team?done=absence", status_code=303)


@router.post("/team/advisers/{adviser_id}/absences/{absence_id}/cancel")
async def cancel_absence(
    request: Request, adviser_id: str, absence_id: UUID, staff: StaffDep, api: ApiDep
) -> Response:
    form = await form_of(request)
    try:
        await api.delete("routing", f"/advisers/{adviser_id}/absences/{absence_id}")
    except ServiceProblem as exc:
        return await refused(request, staff, api, form, exc)
    return RedirectResponse("/team?done=cancelled", status_code=303)


@router.post("/team/cases/{case_id}/reassign")
async def reassign(request: Request, case_id: UUID, staff: StaffDep, api: ApiDep) -> Response:
    form = await form_of(request)
    kept = {**form, "action": "reassign", "case": str(case_id)}
    try:
        body = view.reassign_body(form)
        seen = view.if_match(form.get("seen_version"))
        await api.post("advisory", f"/cases/{case_id}/reassign", body, if_match=seen)
    except (view.BadForm, ServiceProblem) as exc:
        return await refused(request, staff, api, kept, exc)
    back = form.get("back_adviser") or ""
    return RedirectResponse(f"/team?adviser={quote(back)}&done=reassigned", status_code=303)
