"""The AsyncAPI document of every topic, as FastStream generates it from the services' brokers."""

from __future__ import annotations

from typing import Any

from faststream.specification import AsyncAPI

from services.catalog import BUILDERS
from shared.settings import Settings

DESCRIPTION = """\
The topics of Relais. Every message is one JSON event carrying the envelope (event_id, type,
schema_version, occurred_at, case_id, member_id, correlation_id, causation_id, producer).
The Kafka key is the case_id, so a case's events are ordered within one partition. The one
exception is `organisation` (routing's facts about offices, desks, advisers and absences):
its events carry event_id, type, schema_version, occurred_at, causation_id, producer and
changed_by, and are keyed by the office or the adviser they change. Headers:
event_type, schema_version, event_id, content-type, and, when the producer traces, the W3C trace
context (traceparent, tracestate) so one trace follows a case across services. Fields marked
`x-personal: true` hold personal data. In an event about a member (one with member_id) such a
field is a string sealed with the member's key:
`enc:aes-gcm:<kid>:<data>`, kid = `<member_id>.<generation>` of the member's key in the key
store, data = base64url without padding of the 12-byte nonce, then the AES-256-GCM ciphertext
and its 16-byte tag, with associated data `<kid>|<path>` (the field's path in the event, e.g.
`member.name`, `subject`, `note`). Events written before encryption carry the plaintext (within
the bounds the schema gives); readers take both. Erasing a member (`member-erasures`) destroys
their keys: their sealed fields never open again and readers show `[erased]` instead, for the
legacy plaintext too. The organisation's events (about staff, no member) are not sealed.
Consumers receive at least once and must be idempotent on event_id. Each consuming service
owns `<service>.dead-letter`, holding the original message and `dlq.*` headers saying why and
where it came from, and reads `<service>.redrive`, where ops send dead letters back after a fix.
Events are versioned: a reader of the whole log meets every version still in it (the
subscriptions document them all, e.g. RequestReceived v1 and v2 on `request-received`) and
reads old versions through upcasters; a publisher writes the current version only."""


def build_spec() -> dict[str, Any]:
    settings = Settings()
    brokers = [build(settings)[0].broker for build in BUILDERS.values()]
    factory = AsyncAPI(*brokers, title="Relais events", version="1.0.0", description=DESCRIPTION)
    spec = factory.to_specification()
    document: dict[str, Any] = spec.to_jsonable()
    return unbatch_payloads(document)


def unbatch_payloads(document: dict[str, Any]) -> dict[str, Any]:
    """Services consume in batches, so FastStream documents a subscriber's payload as an array;
    on the wire every Kafka message is one event, which is what the contract must say."""
    schemas = document.get("components", {}).get("schemas", {})
    for name, schema in list(schemas.items()):
        if name.endswith(":Payload") and schema.get("type") == "array" and "items" in schema:
            schemas[name] = {"title": schema.get("title", name), **schema["items"]}
    return document
