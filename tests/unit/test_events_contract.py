"""The event contract: envelope, personal fields, unions per topic, encode/decode."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, get_args

import orjson
import pytest
from pydantic import TypeAdapter, ValidationError

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from shared.codec import UndecodableEvent, decode, encode
from shared.events import (
    BACKBONE_TOPICS,
    ORGANISATION,
    REQUEST_RECEIVED,
    ROUTED,
    SLA,
    TOPIC_SCHEMAS,
    CaseEscalated,
    CaseResolved,
    CaseRouted,
    Envelope,
    Event,
    MemberErased,
    RequestReceived,
)
from shared.organisation_events import (
    AdviserAbsenceRecorded,
    OfficeModelChanged,
    OrganisationFact,
)
from shared.outbox import event_message
from tests.support.organisation import ADVISERS, SEED

MODELS = (RequestReceived, CaseRouted, CaseEscalated, CaseResolved)


def an_event() -> RequestReceived:
    case_id = uuid.uuid4()
    return request_received(
        SubmitRequest.model_validate(stream(1, seed=1)[0]),
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    )


def test_backbone_topic_names_are_exact() -> None:
    assert BACKBONE_TOPICS == ("request-received", "routed", "escalated", "resolved")
    assert set(TOPIC_SCHEMAS) >= set(BACKBONE_TOPICS)


@pytest.mark.parametrize("model", MODELS)
def test_every_event_carries_the_envelope_and_describes_every_field(model: type[Envelope]) -> None:
    envelope = {
        "event_id",
        "type",
        "schema_version",
        "occurred_at",
        "case_id",
        "member_id",
        "correlation_id",
        "causation_id",
        "producer",
    }
    assert envelope <= set(model.model_fields)
    undocumented = [name for name, f in model.model_fields.items() if not f.description]
    assert undocumented == []
    assert model.model_config.get("frozen") is True


def test_personal_fields_are_marked_in_the_schema() -> None:
    schema = TypeAdapter(RequestReceived).json_schema()
    member = schema["$defs"]["MemberSnapshot"]["properties"]
    assert member["name"]["x-personal"] is True
    assert schema["properties"]["subject"]["x-personal"] is True
    assert schema["properties"]["body"]["x-personal"] is True
    assert "x-personal" not in schema["properties"]["topic_family"]


def test_occurred_at_must_be_timezone_aware() -> None:
    raw = an_event().model_dump(mode="json")
    raw["occurred_at"] = "2026-03-02T09:30:00"
    with pytest.raises(ValidationError):
        RequestReceived.model_validate(raw)


def test_events_are_immutable() -> None:
    event = an_event()
    with pytest.raises(ValidationError):
        event.subject = "changed"  # type: ignore[misc]


def test_encode_then_decode_gives_the_same_event() -> None:
    event = an_event()
    assert decode(REQUEST_RECEIVED, encode(event)) == event


BAD: list[tuple[str, bytes | None, str]] = [
    ("empty", None, "empty message value"),
    ("not json", b"{nope", "invalid JSON"),
    ("not an object", b"[1, 2]", "expected a JSON object"),
    ("wrong topic type", b'{"type": "CaseRouted"}', "schema violation"),
]


@pytest.mark.parametrize(("label", "value", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_messages_fail_with_a_reason(label: str, value: bytes | None, reason: str) -> None:
    with pytest.raises(UndecodableEvent, match=reason):
        decode(REQUEST_RECEIVED, value)


def test_a_message_of_another_topic_is_a_schema_violation() -> None:
    with pytest.raises(UndecodableEvent, match="schema violation"):
        decode(ROUTED, encode(an_event()))


def test_unknown_topic_is_refused() -> None:
    with pytest.raises(UndecodableEvent, match="not in the contract"):
        decode("elsewhere", encode(an_event()))


def test_schema_violation_names_the_field() -> None:
    raw: dict[str, Any] = an_event().model_dump(mode="json")
    raw["member"]["preferred_language"] = "it"
    with pytest.raises(UndecodableEvent, match=r"member\.preferred_language"):
        decode(REQUEST_RECEIVED, orjson.dumps(raw))


CASE_ENVELOPE = {"event_id", "occurred_at", "case_id", "member_id", "correlation_id"}
FACT_ENVELOPE = {"event_id", "occurred_at", "causation_id", "producer", "changed_by"}
# A fact about a member (an erasure): no case, keyed by the member.
MEMBER_ENVELOPE = {"event_id", "occurred_at", "member_id", "causation_id", "producer"}


@pytest.mark.parametrize("model", get_args(Event), ids=lambda m: m.__name__)
def test_every_event_of_every_topic_is_versioned_frozen_and_documented(model: type[Any]) -> None:
    fields = model.model_fields
    assert {"type", "schema_version"} <= set(fields)
    assert [name for name, f in fields.items() if not f.description] == []
    assert model.model_config.get("frozen") is True
    # a fact about a case carries the case envelope; an organisation fact its own
    expected = FACT_ENVELOPE if issubclass(model, OrganisationFact) else CASE_ENVELOPE
    if model is MemberErased:
        expected = MEMBER_ENVELOPE
    assert expected <= set(fields)


def test_organisation_facts_are_keyed_by_the_office_or_the_adviser_they_change() -> None:
    switch = next(f for f in SEED if isinstance(f, OfficeModelChanged))
    adviser = ADVISERS[0]
    assert event_message(ORGANISATION, switch).key == switch.office.encode()
    assert event_message(ORGANISATION, adviser).key == adviser.adviser_id.encode()
    request = an_event()
    assert event_message(REQUEST_RECEIVED, request).key == str(request.case_id).encode()
    assert set(TOPIC_SCHEMAS) >= {ORGANISATION, SLA}


def test_an_absence_reason_is_personal_data() -> None:
    schema = TypeAdapter(AdviserAbsenceRecorded).json_schema()
    assert schema["properties"]["reason"]["x-personal"] is True
