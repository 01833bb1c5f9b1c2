"""The member answers: a member's message on an existing case, and what it leads to.

``MemberMessageReceived`` is intake's fact, on its own topic `member-messages` (key: case_id).
It is not put on `request-received`: every reader of that topic (routing, admin, the lab, the
bulk loaders) takes each record there as a new case to route or count, and a message is not
one; on a topic of its own, the services that do not care never see it.

advisory decides what a message does to its case, with the case locked, and records it on
`case-activity` (key: case_id): a wait on the member ends (``WaitingEnded`` by ``member``), a
resolved case reopens (``CaseReopened``, cause member_message) within the reopen window, or,
later than that, a new case follows the old one (``FollowUpRequested``): intake then accepts
it as a request (``RequestReceived`` on `request-received`, under ``follow_up_case_id``) and
routing routes it as any other. Every id is derived from the message's event_id, so a message
delivered twice, or a decision replayed, names the same facts and the same new case. A wait
left unanswered gets ``MemberReminded`` after a few business days, and the case is closed as
``no_response_from_member`` after a few more (advisory's SLA tick)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID, uuid5

from pydantic import AwareDatetime, ConfigDict, Field

from shared.envelope import Channel, Envelope, personal

MEMBER_MESSAGES = "member-messages"
NAMESPACE = UUID("5b0f3c1e-7d2a-4e8b-9c61-2f4a8d9e0b37")
MEMBER = "member"  # the actor of what a member's message decides (no staff id)


def follow_up_case_id(message_event_id: UUID) -> UUID:
    """The case a message opens when its own case was resolved too long ago: the same for
    every delivery or replay of the message."""
    return uuid5(NAMESPACE, f"follow-up:{message_event_id}")


def _example(kind: str, producer: str, cause: str | None, **fields: Any) -> dict[str, Any]:
    """An example of one of these events, for the contract."""
    case = "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913"
    return {
        "type": kind,
        "schema_version": 1,
        "event_id": "5e8d2b19-7c4a-4f1e-b3d6-0a9c8e7f6d21",
        "occurred_at": "2026-12-03T10:15:00Z",
        "case_id": case,
        "member_id": "M-10293",
        "correlation_id": case,
        "causation_id": cause,
        "producer": producer,
        **fields,
    }


class MemberMessageReceived(Envelope):
    """A member wrote on an existing case, through a channel (web, e-mail, phone, walk-in)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        "MemberMessageReceived", "intake", None,
        idempotency_key="web-7f3a", channel="web", body="Here is the signed contract.",
        received_at="2026-12-03T10:15:00Z",
    )]})  # fmt: skip

    type: Literal["MemberMessageReceived"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    idempotency_key: str | None = Field(
        description="The Idempotency-Key the channel sent with the message, if any; a retry "
        "with it names this message.",
        max_length=200,
    )
    channel: Channel = Field(description="How the message reached the cooperative.")
    body: str = personal("The member's message, free text.", min_length=1, max_length=10_000)
    received_at: AwareDatetime = Field(description="When intake accepted the message.")


class MemberReminded(Envelope):
    """A wait on the member went unanswered for the configured business days: the member is
    reminded (a notification service sends it). Decided by advisory's SLA tick."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        "MemberReminded", "advisory", None,
        wait_event_id="0b6f5d0e-2f4c-4a8e-9d3b-7c1a2e4f6a80",
        waiting_since="2026-11-26T14:00:00Z", business_days=5, office="liege",
        reminded_at="2026-12-03T14:00:00Z",
    )]})  # fmt: skip

    type: Literal["MemberReminded"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    wait_event_id: UUID = Field(description="event_id of the WaitingOnMember still unanswered.")
    waiting_since: AwareDatetime = Field(description="When the wait began.")
    business_days: float = Field(description="Business days of the office it waited.", ge=0)
    office: str = Field(description="Office whose calendar counted the days.")
    reminded_at: AwareDatetime = Field(description="When the reminder fell due.")


class FollowUpRequested(Envelope):
    """The member wrote on a case resolved longer ago than the reopen window: a new case,
    ``follow_up_case_id``, follows this one (intake accepts it; routing routes it)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        "FollowUpRequested", "advisory", "9a1e6c33-4b7d-4f20-8e5a-d2c9b1f07e64",
        message_event_id="9a1e6c33-4b7d-4f20-8e5a-d2c9b1f07e64",
        follow_up_case_id="c41d9e27-5f3a-5b86-9e0c-1a7f3d2b8e55",
        resolved_at="2026-10-02T11:00:00Z", window_days=14,
        requested_at="2026-12-03T10:15:00.000001Z",
    )]})  # fmt: skip

    type: Literal["FollowUpRequested"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    message_event_id: UUID = Field(description="event_id of the MemberMessageReceived.")
    follow_up_case_id: UUID = Field(description="The new case, which follows this one.")
    resolved_at: AwareDatetime = Field(description="When this case was resolved.")
    window_days: float = Field(description="The reopen window it fell outside, in days.", ge=0)
    requested_at: AwareDatetime = Field(description="When advisory decided it.")
