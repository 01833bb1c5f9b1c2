"""intake: wiring only. HTTP in, `request-received` and `member-messages` out (through the
outbox); advisory's follow-ups in from `case-activity`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.intake import api, handlers
from shared.events import (
    CASE_ACTIVITY,
    MEMBER_ERASURES,
    MEMBER_MESSAGES,
    REQUEST_RECEIVED,
    CaseActivityTopic,
    MemberErasuresTopic,
    MemberMessagesTopic,
    RequestReceivedTopic,
)
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings

NAME = "intake"


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, FastAPI]:
    # Accepting requests into the outbox is what intake must keep doing while Kafka is down;
    # its one consumer (advisory's follow-ups) does not make it unready.
    runtime = ServiceRuntime(
        NAME,
        settings or Settings(),
        Path(__file__).parent / "migrations",
        ready_without_kafka=True,
    )
    runtime.publishes(
        REQUEST_RECEIVED,
        RequestReceivedTopic,
        "A member request was accepted and became a case. Key: case_id.",
    )
    runtime.publishes(
        MEMBER_MESSAGES,
        MemberMessagesTopic,
        "A member wrote on one of their existing cases (a channel posted it). Owned by intake; "
        "advisory adds it to the case. Key: case_id.",
    )
    runtime.publishes(
        MEMBER_ERASURES,
        MemberErasuresTopic,
        "A member's personal data was erased (ops or the data protection officer): their keys "
        "are destroyed; every service masks what it keeps of them. Owned by intake. Key: "
        "member_id.",
    )
    runtime.subscribe(
        CASE_ACTIVITY,
        CaseActivityTopic,
        handlers.apply_case_activity,
        "intake accepts the new case advisory asks for when a member writes on a case resolved "
        "too long ago (FollowUpRequested); it ignores every other fact (consumer group "
        "'intake').",
        decide=handlers.decide_follow_ups,
    )
    # intake's tables hold what it published: a rebuild reads them back from its own topics.
    runtime.own_facts(REQUEST_RECEIVED, handlers.apply_request_received)
    runtime.own_facts(MEMBER_MESSAGES, handlers.apply_member_messages)
    runtime.own_facts(MEMBER_ERASURES, handlers.apply_member_erasures)
    app = create_app(
        runtime,
        [api.router(runtime), api.erasures(runtime)],
        title="Relais intake",
        description="Members' channels submit requests here; each becomes a case.",
    )
    return runtime, app
