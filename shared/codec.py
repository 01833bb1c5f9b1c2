"""Bytes on the wire <-> contract events. Decoding never raises anything but UndecodableEvent."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from shared.events import TOPIC_SCHEMAS, Event
from shared.upcasting import UnknownSchemaVersion, upcast

_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    topic: TypeAdapter(schema) for topic, schema in TOPIC_SCHEMAS.items()
}


class UndecodableEvent(ValueError):
    """A message that can never be processed as it is: it belongs in a dead-letter topic."""


def encode(event: Event) -> bytes:
    """The JSON value of an event's Kafka message."""
    return event.model_dump_json().encode()


def describe(error: ValidationError) -> str:
    """A short, field-level summary of a schema violation."""
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()[:5]
    ]
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def decode(topic: str, value: bytes | None) -> Event:
    """Parses, upcasts and validates one message read from a contract topic."""
    adapter = _ADAPTERS.get(topic)
    if adapter is None:
        raise UndecodableEvent(f"topic {topic!r} is not in the contract")
    if not value:
        raise UndecodableEvent("empty message value")
    # Fast path: an event at its current version validates straight from the bytes (rebuilds
    # decode millions). Anything else takes the path that upcasts and explains.
    try:
        fast: Event = adapter.validate_json(value)
        return fast
    except ValidationError:
        pass
    return _decode_slowly(adapter, value)


def _decode_slowly(adapter: TypeAdapter[Any], value: bytes) -> Event:
    try:
        raw = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise UndecodableEvent(f"invalid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise UndecodableEvent(f"expected a JSON object, got {type(raw).__name__}")
    try:
        event: Event = adapter.validate_python(upcast(raw))
    except UnknownSchemaVersion as exc:
        raise UndecodableEvent(str(exc)) from None
    except ValidationError as exc:
        raise UndecodableEvent(f"schema violation: {describe(exc)}") from None
    return event
