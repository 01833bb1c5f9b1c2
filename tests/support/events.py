"""Contract events for tests, built the way the services build them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from services.routing import domain
from shared.events import CaseRouted, RequestReceived
from shared.settings import DEMO_OFFICES
from tests.support.organisation import first_line

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# Events a test writes onto a topic itself: not intake's, so intake's rebuild ignores them.
TEST_PRODUCER = "e2e-test"


def request(
    seed: int = 1,
    *,
    at: datetime = T0,
    member: dict[str, Any] | None = None,
    producer: str = "intake",
    key: str | None = None,
) -> RequestReceived:
    """A RequestReceived of a demo request (its member overridable)."""
    body = stream(1, seed=seed)[0]
    if member:
        body = {**body, "member": {**body["member"], **member}}
    case_id = uuid.uuid4()
    event = request_received(
        SubmitRequest.model_validate(body),
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=at,
        idempotency_key=key,
    )
    return event.model_copy(update={"producer": producer})


def routed(event: RequestReceived, after: timedelta = timedelta(seconds=1)) -> CaseRouted:
    """routing's decision about a request, made ``after`` it was received."""
    decision = first_line(event, DEMO_OFFICES)
    return domain.case_routed(event, decision, event.received_at + after)


def rerouted(first: CaseRouted, queue: str, after: timedelta) -> CaseRouted:
    """A later decision about the same case (as after an escalation)."""
    return first.model_copy(
        update={
            "event_id": uuid.uuid4(),
            "queue": queue,
            "routed_at": first.routed_at + after,
            "occurred_at": first.routed_at + after,
        }
    )
