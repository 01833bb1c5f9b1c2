"""What the case screen's script does while the person is on a case, through advisory's
collaboration endpoints: say they are there (viewing, or replying while they type) and show who
else is, keep their draft on the server, and say they left. Small POSTs of the page's own
script, each with the session's CSRF token; nothing here is a fact of the log."""

from __future__ import annotations

import contextlib
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from services.console import session
from services.console.client import ServiceProblem
from services.console.deps import ApiDep, StaffDep
from services.console.rendering import page
from services.console.views import case as view

router = APIRouter(prefix="/live/cases/{case_id}")


async def form_of(request: Request) -> dict[str, str]:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    session.check_form(request, form.get("csrf"))
    return form


@router.post("/presence")
async def here(request: Request, case_id: UUID, staff: StaffDep, api: ApiDep) -> Response:
    """I am on the case (``activity``: viewing or replying); answers who else is, as HTML."""
    form = await form_of(request)
    activity = "replying" if form.get("activity") == "replying" else "viewing"
    body = await api.put("advisory", f"/cases/{case_id}/presence", {"activity": activity})
    others = view.others_present(body, staff.subject)
    return page(request, staff, "case/_presence.html", present=others)


@router.post("/presence/leave")
async def leave(request: Request, case_id: UUID, staff: StaffDep, api: ApiDep) -> Response:
    await form_of(request)
    with contextlib.suppress(ServiceProblem):  # a courtesy: presence expires anyway
        await api.delete("advisory", f"/cases/{case_id}/presence")
    return Response(status_code=204)


@router.post("/draft")
async def keep_draft(request: Request, case_id: UUID, staff: StaffDep, api: ApiDep) -> Response:
    """Keeps what the person is writing (``kind``: reply or note); empty text: no draft."""
    form = await form_of(request)
    kind = "note" if form.get("kind") == "note" else "reply"
    text = form.get("text") or ""
    if not text.strip():
        try:
            await api.delete("advisory", f"/cases/{case_id}/draft")
        except ServiceProblem as gone:
            if gone.status != 404:
                raise
        return JSONResponse({"saved": None})
    saved = await api.put("advisory", f"/cases/{case_id}/draft", {"kind": kind, "text": text})
    return JSONResponse({"saved": saved.get("updated_at")})
