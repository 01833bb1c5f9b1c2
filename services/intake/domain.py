"""intake's decisions, pure: what a submitted request must be, and the event it becomes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Channel, Code, MemberSnapshot, RequestReceived, case_envelope, personal

SERVICE = "intake"


class SubmitRequest(BaseModel):
    """A member's request as a channel (web form, e-mail, phone or walk-in desk) sends it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    member: MemberSnapshot = Field(description="Who is asking.")
    channel: Channel = Field(description="How the request reached the cooperative.")
    topic_family: Code = Field(description="What it is about (one of the configured families).")
    subject: str = personal("Subject line.", min_length=1, max_length=200)
    body: str = personal("The question, free text.", min_length=1, max_length=10_000)


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
