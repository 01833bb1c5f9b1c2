"""The events routing's bulk loader reads (services.routing.bulk), mirrored as msgspec structs:
checked in C at a fraction of pydantic's cost, which is what makes a rebuild's first pass fast.

A mirror must never accept what the contract (shared.events, pydantic) refuses, nor read a
value differently; it may refuse more (that event then takes the handlers, decoded by the
contract). So it is stricter where pydantic is lenient: no unknown field, every field present
(none has a default in the contract), integers as JSON integers. What msgspec reads otherwise
(a time with digits past the microsecond) or checks slowly (patterns) the loader checks
itself, with fullmatch (pydantic's ``$`` never matches before a final newline). Every version
still in the log has its mirror; tests/unit/test_routing_bulk_events.py holds them to the
contract."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

from shared.routing_inputs import MAX_CANDIDATES

Time = Annotated[datetime, Meta(tz=True)]
# The contract's enums (shared.envelope) as plain strings: cheaper to read than enum members.
Language = Literal["fr", "nl", "en", "de"]
Channel = Literal["web", "email", "phone", "walk_in"]
Tier = Literal["first_line", "support"]
OrganisationModel = Literal["polyvalent", "specialised"]
# A policy version is stored as a PostgreSQL integer: a larger one takes the handlers.
PolicyVersion = Annotated[int, Meta(ge=1, le=2**31 - 1)]
# Patterns are checked after decoding (services.routing.bulk), where they are cheap.
CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MEMBER_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def sub_microsecond(value: bytes) -> bool:
    """Whether the JSON may hold a time with digits past the microsecond, which msgspec
    rounds and pydantic truncates (seven digits after any dot: a fast, coarse test)."""
    at = value.find(b".")
    while at != -1:
        if value[at + 1 : at + 8].isdigit() and at + 8 <= len(value):
            return True
        at = value.find(b".", at + 1)
    return False


class Mirror(Struct, forbid_unknown_fields=True, gc=False):
    pass


class Envelope(Mirror):
    event_id: UUID
    occurred_at: Time
    case_id: UUID
    member_id: str
    correlation_id: UUID
    causation_id: UUID | None
    producer: str


class Member(Mirror):
    member_id: str
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    preferred_language: Language
    home_office: str
    activity_type: str


class RequestReceivedV1(Envelope):
    type: Literal["RequestReceived"]
    schema_version: Literal[1]
    member: Member
    channel: Channel
    topic_family: str
    subject: Annotated[str, Meta(min_length=1, max_length=200)]
    body: Annotated[str, Meta(min_length=1, max_length=10_000)]
    received_at: Time


class RequestReceived(Envelope):
    type: Literal["RequestReceived"]
    schema_version: Literal[2]
    member: Member
    channel: Channel
    topic_family: str
    subject: Annotated[str, Meta(min_length=1, max_length=200)]
    body: Annotated[str, Meta(min_length=1, max_length=10_000)]
    received_at: Time
    idempotency_key: Annotated[str, Meta(max_length=200)] | None


class Candidate(Mirror):
    adviser_id: str
    desk: str | None
    open_cases: int
    capacity: int
    speaks_language: bool
    available: bool


class RoutingInputs(Mirror):
    received_at: Time
    model_since: Time | None
    own_adviser: Candidate | None
    pool: str
    considered: Annotated[int, Meta(ge=0)]
    candidates: Annotated[tuple[Candidate, ...], Meta(max_length=MAX_CANDIDATES)]


class CaseRoutedV1(Envelope):
    type: Literal["CaseRouted"]
    schema_version: Literal[1]
    office: str
    queue: str
    tier: Tier
    adviser_id: str | None
    organisation_model: OrganisationModel
    policy: str
    policy_version: PolicyVersion
    reason: str
    topic_family: str
    language: Language
    routed_at: Time


class CaseRouted(Envelope):
    type: Literal["CaseRouted"]
    schema_version: Literal[2]
    office: str
    queue: str
    desk: str | None
    tier: Tier
    adviser_id: str | None
    organisation_model: OrganisationModel
    policy: str
    policy_version: PolicyVersion
    reason: str
    inputs: RoutingInputs | None
    topic_family: str
    language: Language
    routed_at: Time
