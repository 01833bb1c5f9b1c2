"""intake's HTTP API: members' channels submit requests and look them up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Header, Response
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from services.intake import domain, projection
from services.intake.projection import Submission
from services.intake.writer import AcceptWriter
from shared.auth import requires
from shared.codec import decode
from shared.events import REQUEST_RECEIVED, Channel, RequestReceived
from shared.http import AUTH_RESPONSES, VALIDATION_RESPONSE, FieldProblem, Problem, problem
from shared.identity import Role
from shared.outbox import event_message
from shared.refusals import Conflict, NotFound
from shared.service import ServiceRuntime


class Accepted(BaseModel):
    case_id: UUID = Field(description="The case the request became; quote it in every follow-up.")
    status: Literal["accepted"] = Field(description="Always 'accepted': the request is stored.")
    status_url: str = Field(description="Where to follow the request.")


class RequestView(BaseModel):
    case_id: UUID = Field(description="The case id.")
    member_id: str = Field(description="The member who asked.")
    channel: Channel = Field(description="How the request came in.")
    topic_family: str = Field(description="What it is about.")
    subject: str = Field(description="Subject line.", json_schema_extra={"x-personal": True})
    received_at: AwareDatetime = Field(description="When intake accepted it.")
    status: Literal["accepted", "published"] = Field(
        description="'accepted': stored, not yet on Kafka; 'published': on `request-received`."
    )


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
        case_id = uuid4()
        event = domain.request_received(
            request,
            case_id=case_id,
            event_id=uuid4(),
            correlation_id=case_id,
            now=datetime.now(UTC),
            idempotency_key=idempotency_key,
        )
        fingerprint = domain.fingerprint(request)
        message = event_message(REQUEST_RECEIVED, event)
        if await writer.accept(Submission(event, message, idempotency_key, fingerprint)):
            return accepted(case_id, replayed=False)
        assert idempotency_key is not None  # only a key can conflict
        async with runtime.holder.require().acquire() as conn:
            existing = await projection.by_key(conn, idempotency_key)
        if existing is None:  # the other request was rolled back: extremely rare, retry
            raise Conflict(
                "idempotency_conflict", "A concurrent request with this key failed; retry."
            )
        if existing.fingerprint != fingerprint:
            raise Conflict(
                "idempotency_key_reused", "This Idempotency-Key was used for a different request."
            )
        return accepted(existing.case_id, replayed=True)

    @api.get(
        "/requests/{case_id}",
        response_model=RequestView,
        responses={**AUTH_RESPONSES, 404: {"model": Problem}},
    )
    async def lookup(case_id: UUID) -> Response:
        """What intake knows of a request: its content and whether it is on Kafka yet."""
        async with runtime.holder.require().acquire() as conn:
            row = await projection.by_case(conn, case_id)
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
