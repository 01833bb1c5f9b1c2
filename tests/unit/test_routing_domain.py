"""routing's first policy, table-driven."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from services.routing.domain import case_routed, route_first_line, routed_event_id
from shared.events import RequestReceived, Tier


def received(office: str, language: str) -> RequestReceived:
    body = stream(1, seed=5)[0]
    body["member"] = {**body["member"], "home_office": office, "preferred_language": language}
    case_id = uuid.uuid4()
    return request_received(
        SubmitRequest.model_validate(body),
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("office", "language", "queue"),
    [
        ("liege", "fr", "liege/first_line"),
        ("gent", "nl", "gent/first_line"),
        ("bruxelles", "en", "bruxelles/first_line"),
        ("liege", "de", "liege/first_line"),
    ],
)
def test_first_requests_go_to_the_home_office_first_line(
    office: str, language: str, queue: str
) -> None:
    decision = route_first_line(received(office, language))
    assert decision.office == office
    assert decision.queue == queue
    assert decision.tier is Tier.FIRST_LINE
    assert office in decision.reason


def test_the_routed_event_is_deterministic_and_caused_by_the_request() -> None:
    request = received("namur", "fr")
    now = datetime(2026, 1, 5, 8, 1, tzinfo=UTC)
    one = case_routed(request, route_first_line(request), now)
    two = case_routed(request, route_first_line(request), now)
    assert one == two
    assert one.event_id == routed_event_id(request.event_id)
    assert one.causation_id == request.event_id
    assert one.correlation_id == request.correlation_id
    assert one.language.value == "fr"
    assert one.policy_version >= 1


def test_different_causes_give_different_event_ids() -> None:
    assert routed_event_id(uuid.uuid4()) != routed_event_id(uuid.uuid4())
