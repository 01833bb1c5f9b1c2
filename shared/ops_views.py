"""What a service's ops endpoints answer (shared/ops_http.py): its consumer lag, outbox and
dead letters, the same shape in every service. Pure models, with their OpenAPI examples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PartitionLagView(BaseModel):
    topic: str
    partition: int
    position: int = Field(description="The next offset to apply, stored with the projection.")
    committed: int | None = Field(description="The offset committed to Kafka (null: none yet).")
    end: int = Field(description="The log end: the offset the next message will get.")
    lag: int = Field(description="Messages not applied yet (end - position).")


class GroupLag(BaseModel):
    group: str = Field(description="The Kafka consumer group (the service's name).")
    lag: int = Field(description="Messages not applied yet, over every partition.")
    partitions: list[PartitionLagView]


class OutboxBacklog(BaseModel):
    rows: int = Field(description="Messages written but not yet published to Kafka.")
    oldest_age_seconds: float = Field(description="Age of the oldest of them (0 when none).")


class OpsStatus(BaseModel):
    service: str
    consumer_groups: list[GroupLag]
    outbox: OutboxBacklog
    dead_letters: int = Field(description="Messages in the service's dead-letter topic.")


class DeadLetterView(BaseModel):
    partition: int = Field(description="Where it lies in `<service>.dead-letter`.")
    offset: int
    origin_topic: str = Field(description="The topic it was first read from.")
    origin_partition: int
    origin_offset: int
    failed_at: str = Field(description="When it failed last (ISO 8601).")
    redrives: int = Field(description="How many times it was redriven before failing again.")
    redriven: bool = Field(description="Sent back since (`relais dlq redrive` or this API).")
    reason: str = Field(description="Why the service could not process it.")
    event_type: str | None = Field(description="Its `event_type` header, when it has one.")
    key: str | None = Field(description="The message key (a case id), as text.")


class DeadLetterList(BaseModel):
    service: str
    pending: int = Field(description="How many of them are not redriven yet.")
    dead_letters: list[DeadLetterView]


class DeadLetterDetail(DeadLetterView):
    headers: dict[str, str] = Field(description="Every header, the dlq.* ones included.")
    value: Any = Field(description="The value: JSON when it parses, else the text as read.")


class Position(BaseModel):
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)


class Redrive(BaseModel):
    """Which dead letters to send back to the service: the positions given, or without them
    every one not redriven yet."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"positions": [{"partition": 3, "offset": 41}]}, {}]},
    )
    positions: list[Position] | None = Field(
        default=None, max_length=1000, description="Dead letters by position; omit for all."
    )


class Redriven(BaseModel):
    service: str
    redriven: list[DeadLetterView] = Field(description="What was sent to `<service>.redrive`.")


AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LETTER = DeadLetterView(
    partition=3,
    offset=41,
    origin_topic="request-received",
    origin_partition=3,
    origin_offset=18_204,
    failed_at=AT.isoformat(),
    redrives=0,
    redriven=False,
    reason="handler error: UnknownOffice: no office 'arlon'",
    event_type="RequestReceived",
    key="6f1c1f7e-3c55-4a43-9a37-2b8f2a7b5d10",
)
STATUS = OpsStatus(
    service="routing",
    consumer_groups=[
        GroupLag(
            group="routing",
            lag=12,
            partitions=[
                PartitionLagView(
                    topic="request-received",
                    partition=0,
                    position=4_180,
                    committed=4_180,
                    end=4_192,
                    lag=12,
                )
            ],
        )
    ],
    outbox=OutboxBacklog(rows=3, oldest_age_seconds=0.4),
    dead_letters=1,
)
LETTERS = DeadLetterList(service="routing", pending=1, dead_letters=[LETTER])
DETAIL = DeadLetterDetail(
    **LETTER.model_dump(),
    headers={"event_type": "RequestReceived", "dlq.reason": LETTER.reason},
    value={"type": "RequestReceived", "case_id": "6f1c1f7e-3c55-4a43-9a37-2b8f2a7b5d10"},
)
REDRIVEN = Redriven(service="routing", redriven=[LETTER.model_copy(update={"redriven": True})])


def ok(example: BaseModel) -> dict[int | str, dict[str, Any]]:
    """The 200 answer's example, for a route's ``responses``."""
    return {200: {"content": {"application/json": {"example": example.model_dump(mode="json")}}}}
