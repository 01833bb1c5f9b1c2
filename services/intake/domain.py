"""intake's decisions, pure: what a submitted request (or a member's message on a case) must be,
and the event it becomes; the request a message opens when its case was closed too long ago."""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from shared.events import (
    Channel,
    Code,
    ErasureCause,
    FollowUpRequested,
    MemberErased,
    MemberMessageReceived,
    MemberSnapshot,
    RequestReceived,
    case_envelope,
    personal_input,
)

SERVICE = "intake"


class SubmitRequest(BaseModel):
    """A member's request as a channel (web form, e-mail, phone or walk-in desk) sends it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    member: MemberSnapshot = Field(description="Who is asking.")
    channel: Channel = Field(description="How the request reached the cooperative.")
    topic_family: Code = Field(description="What it is about (one of the configured families).")
    subject: str = personal_input("Subject line.", min_length=1, max_length=200)
    body: str = personal_input("The question, free text.", min_length=1, max_length=10_000)


def reference_problems(
    request: SubmitRequest, offices: tuple[str, ...], topic_families: tuple[str, ...]
) -> list[tuple[str, str]]:
    """(field, message) for codes the configuration does not know."""
    problems = []
    if request.member.home_office not in offices:
        problems.append(
            ("body.member.home_office", f"unknown office; expected one of {', '.join(offices)}")
        )
    if request.topic_family not in topic_families:
        problems.append(
            (
                "body.topic_family",
                f"unknown topic family; expected one of {', '.join(topic_families)}",
            )
        )
    return problems


def fingerprint(request: SubmitRequest) -> str:
    """Identifies the request's content, to tell a retry from a reused idempotency key."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


def submitted(event: RequestReceived) -> SubmitRequest:
    """The request as the channel submitted it, read back from its event (for a rebuild)."""
    return SubmitRequest(
        member=event.member,
        channel=event.channel,
        topic_family=event.topic_family,
        subject=event.subject,
        body=event.body,
    )


def request_received(
    request: SubmitRequest,
    *,
    case_id: UUID,
    event_id: UUID,
    correlation_id: UUID,
    now: datetime,
    idempotency_key: str | None = None,
) -> RequestReceived:
    """The fact intake publishes when it accepts a request."""
    member_id = request.member.member_id
    envelope = case_envelope(case_id, member_id, correlation_id, event_id, now, SERVICE, version=2)
    return RequestReceived(
        type="RequestReceived",
        **envelope,
        idempotency_key=idempotency_key,
        member=request.member,
        channel=request.channel,
        topic_family=request.topic_family,
        subject=request.subject,
        body=request.body,
        received_at=now,
    )


class PostMessage(BaseModel):
    """A member's message on one of their cases, as a channel sends it."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "member_id": "M-10293",
                    "channel": "email",
                    "body": "Here is the signed contract you asked for.",
                }
            ]
        },
    )

    member_id: str = Field(
        description="The member writing: the case's own member.", pattern=r"^[A-Za-z0-9-]{1,64}$"
    )
    channel: Channel = Field(description="How the message reached the cooperative.")
    body: str = personal_input("The member's message, free text.", min_length=1, max_length=10_000)


def message_fingerprint(case_id: UUID, message: PostMessage) -> str:
    """Identifies a message's content and case, to tell a retry from a reused key."""
    return hashlib.sha256(f"{case_id}:{message.model_dump_json()}".encode()).hexdigest()


def member_message_received(
    message: PostMessage,
    *,
    case: RequestReceived,
    event_id: UUID,
    now: datetime,
    idempotency_key: str | None = None,
) -> MemberMessageReceived:
    """The fact intake publishes when it accepts a member's message on ``case``."""
    envelope = case_envelope(
        case.case_id, case.member_id, case.correlation_id, event_id, now, SERVICE
    )
    return MemberMessageReceived(
        type="MemberMessageReceived",
        **envelope,
        idempotency_key=idempotency_key,
        channel=message.channel,
        body=message.body,
        received_at=now,
    )


def follow_up_request(
    case: RequestReceived, message: MemberMessageReceived, requested: FollowUpRequested
) -> RequestReceived:
    """The new case a message opens when its case was resolved too long ago: the member and
    topic family of the old case, the message as the question; ids from the decision, so
    deciding it twice gives the same request."""
    case_id = requested.follow_up_case_id
    event_id = uuid5(case_id, "request-received")
    at = message.received_at
    envelope = case_envelope(
        case_id, case.member_id, case_id, event_id, at, SERVICE, cause=requested.event_id, version=2
    )
    return RequestReceived(
        type="RequestReceived",
        **envelope,
        idempotency_key=None,
        member=case.member,
        channel=message.channel,
        topic_family=case.topic_family,
        subject=f"Re: {case.subject}"[:200],
        body=message.body,
        received_at=at,
        follows_case_id=requested.case_id,
    )


class EraseMember(BaseModel):
    """Erase a member's personal data (ops or the data protection officer)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"reason": "GDPR request DPO-2026-041", "cause": "request"}]
        },
    )

    reason: str = Field(
        description="Why, in the cooperative's words (a request number, the retention rule); "
        "never the member's data: it is published.",
        min_length=1,
        max_length=500,
    )
    cause: ErasureCause = Field(ErasureCause.REQUEST, description="A request, or retention.")


def member_erased(
    member_id: str,
    command: EraseMember,
    *,
    key_ids: list[str],
    by: str,
    event_id: UUID,
    now: datetime,
) -> MemberErased:
    """The fact of an erasure, once the member's keys are destroyed."""
    return MemberErased(
        type="MemberErased",
        schema_version=1,
        event_id=event_id,
        occurred_at=now,
        member_id=member_id,
        causation_id=None,
        producer=SERVICE,
        cause=command.cause,
        reason=command.reason,
        erased_by=by,
        key_ids=tuple(key_ids),
        erased_at=now,
    )
