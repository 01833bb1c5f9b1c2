"""What intake's HTTP API answers: the case a request became, and what intake knows of it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from shared.events import Channel


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


class MessageAccepted(BaseModel):
    case_id: UUID = Field(description="The case the message was posted on.")
    message_id: UUID = Field(description="The message (its event's id).")
    status: Literal["accepted"] = Field(description="Always 'accepted': the message is stored.")
    status_url: str = Field(description="Where to follow the message.")


class MessageView(BaseModel):
    case_id: UUID = Field(description="The case the message was posted on.")
    message_id: UUID = Field(description="The message.")
    channel: Channel = Field(description="How the message came in.")
    received_at: AwareDatetime = Field(description="When intake accepted it.")
    status: Literal["accepted", "published"] = Field(
        description="'accepted': stored, not yet on Kafka; 'published': on `member-messages`."
    )
    follow_up_case_id: UUID | None = Field(
        description="The new case the message opened, when its case was resolved longer ago "
        "than the reopen window (once intake accepted it); else null."
    )
