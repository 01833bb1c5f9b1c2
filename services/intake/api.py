"""intake's HTTP API: members' channels submit requests, post members' messages on existing
cases, and look both up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Response
from fastapi.responses import JSONResponse

from services.intake import commands, domain, message_store, queries
from services.intake.commands import AcceptWriter
from services.intake.views import Accepted, Erased, MessageAccepted, MessageView, RequestView
from shared import keys
from shared.auth import requires
from shared.codec import decode
from shared.events import REQUEST_RECEIVED, RequestReceived, follow_up_case_id
from shared.http import AUTH_RESPONSES, VALIDATION_RESPONSE, FieldProblem, Problem, problem
from shared.identity import Principal, Role
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
        # Stored sealed: the subject is opened to be shown (masked once the member is erased).
        (event,) = await keys.open_events([decode(REQUEST_RECEIVED, row["event"].encode())])
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

    messages(api, runtime)
    return api


MEMBER_ID = Path(pattern=r"^[A-Za-z0-9-]{1,64}$", description="The member's number.")


def erasures(runtime: ServiceRuntime) -> APIRouter:
    """A member's erasure (crypto-shredding): ops and the data protection officer."""
    api = APIRouter(tags=["erasure"])

    @api.post(
        "/members/{member_id}/erasure",
        status_code=202,
        response_model=Erased,
        responses={**VALIDATION_RESPONSE, **AUTH_RESPONSES},
    )
    async def erase(
        command: domain.EraseMember,
        member_id: Annotated[str, MEMBER_ID],
        caller: Annotated[Principal, Depends(requires(Role.DPO, Role.OPS))],
    ) -> Response:
        """Erases the member's personal data: destroys their keys (nothing of theirs in the
        log opens again), masks intake's copy and publishes `MemberErased` on
        `member-erasures`, on which every service masks its own. Answers 202: the other
        services mask as they read the fact. Repeating it is harmless."""
        event = await commands.erase_member(
            runtime.holder, member_id, command, by=caller.subject, now=datetime.now(UTC)
        )
        body = Erased(
            member_id=member_id,
            erasure_id=event.event_id,
            key_ids=list(event.key_ids),
            erased_at=event.erased_at,
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=202)

    return api


def messages(api: APIRouter, runtime: ServiceRuntime) -> None:
    """A member's message on an existing case, and what became of it."""
    holder = runtime.holder

    @api.post(
        "/requests/{case_id}/messages",
        status_code=202,
        response_model=MessageAccepted,
        responses={
            **VALIDATION_RESPONSE,
            **AUTH_RESPONSES,
            404: {"model": Problem, "description": "No request with this case id."},
            409: {
                "model": Problem,
                "description": "Idempotency-Key already used for another message.",
            },
        },
    )
    async def post_message(
        case_id: UUID, message: domain.PostMessage, idempotency_key: IdempotencyKey = None
    ) -> Response:
        """Accepts a member's message on one of their cases: stores it and its
        `MemberMessageReceived` event in one transaction, answers 202. advisory adds it to the
        case: it ends a wait on the member, reopens a case resolved within the reopen window,
        or, later, opens a new case following this one (see the message's status)."""
        event, replayed = await commands.post_message(
            holder, case_id, message, idempotency_key, now=datetime.now(UTC)
        )
        url = f"/requests/{case_id}/messages/{event.event_id}"
        body = MessageAccepted(
            case_id=case_id, message_id=event.event_id, status="accepted", status_url=url
        )
        headers = {"Location": url, "Idempotent-Replayed": str(replayed).lower()}
        return JSONResponse(body.model_dump(mode="json"), status_code=202, headers=headers)

    @api.get(
        "/requests/{case_id}/messages/{message_id}",
        response_model=MessageView,
        responses={**AUTH_RESPONSES, 404: {"model": Problem}},
    )
    async def message(case_id: UUID, message_id: UUID) -> Response:
        """What intake knows of a message: whether it is on Kafka yet, and the new case it
        opened, if its case was resolved too long ago."""
        follow_up = follow_up_case_id(message_id)
        async with holder.require().acquire() as conn:
            row = await message_store.message(conn, case_id, message_id, follow_up)
        if row is None:
            raise NotFound("not_found", f"No message {message_id} on case {case_id}.")
        view = MessageView(
            case_id=case_id,
            message_id=message_id,
            channel=row["channel"],
            received_at=row["received_at"],
            status="published" if row["published"] else "accepted",
            follow_up_case_id=follow_up if row["followed"] else None,
        )
        return JSONResponse(view.model_dump(mode="json"))
