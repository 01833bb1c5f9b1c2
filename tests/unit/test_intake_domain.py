"""intake's pure decisions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, fingerprint, reference_problems, request_received
from shared.settings import DEMO_OFFICES, DEMO_TOPIC_FAMILIES


def a_request(**changes: object) -> SubmitRequest:
    body = {**stream(1, seed=3)[0], **changes}
    return SubmitRequest.model_validate(body)


def test_the_same_content_has_the_same_fingerprint() -> None:
    assert fingerprint(a_request()) == fingerprint(a_request())
    assert fingerprint(a_request()) != fingerprint(a_request(subject="Something else"))


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({}, []),
        ({"topic_family": "astrology"}, ["body.topic_family"]),
    ],
)
def test_reference_codes_are_checked(changes: dict[str, object], fields: list[str]) -> None:
    problems = reference_problems(a_request(**changes), DEMO_OFFICES, DEMO_TOPIC_FAMILIES)
    assert [f for f, _ in problems] == fields


def test_an_unknown_office_is_named() -> None:
    member = {**stream(1, seed=3)[0]["member"], "home_office": "paris"}
    problems = reference_problems(a_request(member=member), DEMO_OFFICES, DEMO_TOPIC_FAMILIES)
    assert problems[0][0] == "body.member.home_office"
    assert "liege" in problems[0][1]


def test_the_event_is_built_from_its_inputs_only() -> None:
    request, case_id, event_id = a_request(), uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    one = request_received(
        request, case_id=case_id, event_id=event_id, correlation_id=case_id, now=now
    )
    two = request_received(
        request, case_id=case_id, event_id=event_id, correlation_id=case_id, now=now
    )
    assert one == two
    assert one.received_at == now
    assert one.causation_id is None
    assert one.producer == "intake"
    assert one.member_id == request.member.member_id


def test_blank_text_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 character"):
        a_request(subject="   ")
