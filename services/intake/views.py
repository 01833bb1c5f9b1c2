"""What intake's HTTP API answers: the case a request became, and what intake knows of it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913",
                    "message_id": "5e8d2b19-7c4a-4f1e-b3d6-0a9c8e7f6d21",
                    "status": "accepted",
                    "status_url": "/requests/3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913/messages/"
                    "5e8d2b19-7c4a-4f1e-b3d6-0a9c8e7f6d21",
                }
            ]
        }
    )

    case_id: UUID = Field(description="The case the message was posted on.")
    message_id: UUID = Field(description="The message (its event's id).")
    status: Literal["accepted"] = Field(description="Always 'accepted': the message is stored.")
    status_url: str = Field(description="Where to follow the message.")


class MessageView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913",
                    "message_id": "5e8d2b19-7c4a-4f1e-b3d6-0a9c8e7f6d21",
                    "channel": "email",
                    "received_at": "2026-12-03T10:15:00Z",
                    "status": "published",
                    "follow_up_case_id": None,
                }
            ]
        }
    )

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


class Erased(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "member_id": "M-10293",
                    "erasure_id": "0c5e9a41-7d2b-4f3e-8a61-5b9d2c7e4f18",
                    "key_ids": ["M-10293.1"],
                    "erased_at": "2026-12-03T16:00:00Z",
                }
            ]
        }
    )

    member_id: str = Field(description="The member erased.")
    erasure_id: UUID = Field(description="The MemberErased event published on member-erasures.")
    key_ids: list[str] = Field(description="The member's keys destroyed now (empty: none left).")
    erased_at: AwareDatetime = Field(description="When the keys were destroyed.")
