"""Presence on a case: ``PUT`` (I am here, viewing or replying), ``GET`` (who is),
``DELETE`` (I left) ``/cases/{case_id}/presence``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from services.advisory.api import READERS, READS, case_in_reach
from services.advisory.presence import store
from services.advisory.presence.views import TTL, CasePresence, Presence, Present, since
from shared.db import Conn
from shared.http import Problem
from shared.identity import Principal
from shared.service import ServiceRuntime

RESPONSES = {**READS, 404: {"model": Problem, "description": "No such case."}}


async def answer(conn: Conn, case_id: UUID, now: datetime) -> Response:
    rows = await store.present(conn, case_id, since(now))
    body = CasePresence(
        case_id=case_id,
        ttl_seconds=int(TTL.total_seconds()),
        people=[Present.of(r) for r in rows],
    )
    return JSONResponse(body.model_dump(mode="json"))


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["collaboration"])
    holder = runtime.holder

    @api.put("/cases/{case_id}/presence", response_model=CasePresence, responses=RESPONSES)
    async def renew(
        case_id: UUID, presence: Presence, actor: Annotated[Principal, Depends(READERS)]
    ) -> Response:
        """Say that you have the case open (`viewing`) or are writing on it (`replying`);
        renew it every few seconds while you do (it lasts `ttl_seconds`, 30 s). Answers who
        is on the case now, you included. Not a fact of the log: nothing is published."""
        now = datetime.now(UTC)
        async with holder.require().acquire() as conn:
            await case_in_reach(conn, case_id, actor)
            await store.expire(conn, since(now))
            role = actor.role.value
            await store.renew(conn, case_id, actor.subject, role, presence.activity, now)
            return await answer(conn, case_id, now)

    @api.get("/cases/{case_id}/presence", response_model=CasePresence, responses=RESPONSES)
    async def who(case_id: UUID, actor: Annotated[Principal, Depends(READERS)]) -> Response:
        """Who has the case open now, and who is writing on it, the latest first."""
        async with holder.require().acquire() as conn:
            await case_in_reach(conn, case_id, actor)
            return await answer(conn, case_id, datetime.now(UTC))

    @api.delete("/cases/{case_id}/presence", status_code=204, responses=RESPONSES)
    async def leave(case_id: UUID, actor: Annotated[Principal, Depends(READERS)]) -> Response:
        """You closed the case: others stop seeing you at once (else after the TTL)."""
        async with holder.require().acquire() as conn:
            await case_in_reach(conn, case_id, actor)
            await store.leave(conn, case_id, actor.subject)
        return Response(status_code=204)

    return api
