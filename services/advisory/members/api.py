"""The member's route: ``GET /members/{member_id}/cases``, the whole member before an answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse

from services.advisory import examples
from services.advisory.api import READERS, READS, own_office
from services.advisory.members import queries
from services.advisory.members.views import MemberCases
from services.advisory.queues.views import QueueRow
from services.advisory.views import MemberSnapshotView, TaskView
from shared.http import Problem
from shared.identity import Principal
from shared.refusals import NotFound
from shared.service import ServiceRuntime


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["members"])
    holder = runtime.holder

    @api.get(
        "/members/{member_id}/cases",
        response_model=MemberCases,
        responses={
            **READS,
            404: {"model": Problem, "description": "advisory knows no case of this member."},
            **examples.ok(examples.MEMBER_CASES),
        },
    )
    async def member_cases(
        member_id: Annotated[str, Path(max_length=64, description="Member number.")],
        actor: Annotated[Principal, Depends(READERS)],
    ) -> Response:
        """The member's open and past cases, the last contact with them and their open
        administrative tasks. Advisers and team leads see those of their own office."""
        office = own_office(actor, None)
        async with holder.require().acquire() as conn:
            if not await queries.known(conn, member_id):
                raise NotFound("unknown_member", f"advisory knows no case of member {member_id}.")
            opened = await queries.cases(conn, member_id, office, queries.OPEN)
            past = await queries.cases(conn, member_id, office, queries.PAST)
            snapshot = await queries.snapshot(conn, member_id, office)
            tasks = await queries.open_tasks(conn, member_id, office)
            last = await queries.last_contact(conn, [r["case_id"] for r in [*opened, *past]])
        body = MemberCases(
            member_id=member_id,
            member=MemberSnapshotView.of(snapshot) if snapshot is not None else None,
            open_cases=[QueueRow.of_row(r) for r in opened],
            past_cases=[QueueRow.of_row(r) for r in past],
            last_contact_at=last,
            open_tasks=[TaskView.of(t) for t in tasks],
        )
        return JSONResponse(body.model_dump(mode="json"))

    return api
