"""intake's HTTP API: members' channels submit requests and look them up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Response
from fastapi.responses import JSONResponse

from services.intake import commands, domain, queries
from services.intake.commands import AcceptWriter
from services.intake.views import Accepted, RequestView
from shared.auth import requires
from shared.codec import decode
from shared.events import REQUEST_RECEIVED, RequestReceived
from shared.http import AUTH_RESPONSES, VALIDATION_RESPONSE, FieldProblem, Problem, problem
from shared.identity import Role
from shared.refusals import NotFound
from shared.service import ServiceRuntime

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Client-chosen key: retrying with it never creates a second case.",
    ),
]


# Members' channels submit and look up requests; ops may too (support of the channels).
CHANNELS = [Depends(requires(Role.MEMBER_CHANNEL, Role.OPS))]


def accepted(case_id: UUID, *, replayed: bool) -> JSONResponse:
    body = Accepted(case_id=case_id, status="accepted", status_url=f"/requests/{case_id}")
    headers = {"Location": body.status_url, "Idempotent-Replayed": str(replayed).lower()}
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers=headers)


def router(runtime: ServiceRuntime) -> APIRouter:
    api = APIRouter(tags=["requests"], dependencies=CHANNELS)
    settings = runtime.settings
    writer = AcceptWriter(runtime.holder)

    @api.post(
        "/requests",
        status_code=202,
        response_model=Accepted,
        responses={
            **VALIDATION_RESPONSE,
            **AUTH_RESPONSES,
            409: {
                "model": Problem,
                "description": "Idempotency-Key already used for another request.",
            },
        },
    )
    async def submit(
        request: domain.SubmitRequest, idempotency_key: IdempotencyKey = None
    ) -> Response:
        """Accepts a member request: stores it and its `RequestReceived` event in one transaction,
        answers 202 with the case id. The event reaches Kafka even if Kafka is down right now."""
        problems = domain.reference_problems(request, settings.offices, settings.topic_families)
        if problems:
            fields = [FieldProblem(field=f, message=m) for f, m in problems]
            return problem(422, "validation_failed", "The request is invalid.", fields)
        case_id, replayed = await commands.execute(
            writer, request, idempotency_key, now=datetime.now(UTC)
        )
        return accepted(case_id, replayed=replayed)

    @api.get(
        "/requests/{case_id}",
        response_model=RequestView,
        responses={**AUTH_RESPONSES, 404: {"model": Problem}},
    )
    async def lookup(case_id: UUID) -> Response:
        """What intake knows of a request: its content and whether it is on Kafka yet."""
        async with runtime.holder.require().acquire() as conn:
            row = await queries.by_case(conn, case_id)
        if row is None:
            raise NotFound("not_found", f"No request with case id {case_id}.")
        # The stored event is as it was published (maybe an older version): decode upcasts it.
        event = decode(REQUEST_RECEIVED, row["event"].encode())
        assert isinstance(event, RequestReceived)
        view = RequestView(
            case_id=row["case_id"],
            member_id=row["member_id"],
            channel=event.channel,
            topic_family=row["topic_family"],
            subject=event.subject,
            received_at=row["received_at"],
            status="published" if row["published"] else "accepted",
        )
        return JSONResponse(view.model_dump(mode="json"))

    return api
