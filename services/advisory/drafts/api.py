"""Your draft on a case: ``GET``, ``PUT``, ``DELETE /cases/{case_id}/draft``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from services.advisory.api import READS, WORKERS, case_in_reach
from services.advisory.drafts import store
from services.advisory.drafts.views import Draft, DraftBody
from shared.auth import requires
from shared.http import Problem
from shared.identity import Principal
from shared.refusals import NotFound
from shared.service import ServiceRuntime

AUTHORS = requires(*WORKERS)
RESPONSES = {**READS, 404: {"model": Problem, "description": "No such case, or no draft."}}


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["collaboration"])
    holder = runtime.holder

    @api.get("/cases/{case_id}/draft", response_model=Draft, responses=RESPONSES)
    async def read(case_id: UUID, actor: Annotated[Principal, Depends(AUTHORS)]) -> Response:
        """Your draft on the case (404 `no_draft` when you have none)."""
        async with holder.require().acquire() as conn:
            await case_in_reach(conn, case_id, actor)
            row = await store.read(conn, case_id, actor.subject)
        if row is None:
            raise NotFound("no_draft", "You have no draft on this case.")
        return JSONResponse(Draft.of(row).model_dump(mode="json"))

    @api.put("/cases/{case_id}/draft", response_model=Draft, responses=RESPONSES)
    async def save(
        case_id: UUID, draft: DraftBody, actor: Annotated[Principal, Depends(AUTHORS)]
    ) -> Response:
        """Keep what you are writing (a reply or a note) on the server, replacing your earlier
        draft on the case. Sending that reply (or note) removes it. Not a fact of the log."""
        async with holder.require().acquire() as conn:
            await case_in_reach(conn, case_id, actor)
            row = await store.save(
                conn, case_id, actor.subject, draft.kind, draft.text, datetime.now(UTC)
            )
        return JSONResponse(Draft.of(row).model_dump(mode="json"))

    @api.delete("/cases/{case_id}/draft", status_code=204, responses=RESPONSES)
    async def discard(case_id: UUID, actor: Annotated[Principal, Depends(AUTHORS)]) -> Response:
        """Throw your draft away (404 `no_draft` when you had none)."""
        async with holder.require().acquire() as conn:
            await case_in_reach(conn, case_id, actor)
            if not await store.discard(conn, case_id, actor.subject):
                raise NotFound("no_draft", "You have no draft on this case.")
        return Response(status_code=204)

    return api
