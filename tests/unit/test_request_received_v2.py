"""RequestReceived v1 in the log is read as v2; the fast and the careful decoding agree."""

from __future__ import annotations

import re

import orjson
import pytest

from shared.codec import UndecodableEvent, decode, encode
from shared.events import REQUEST_RECEIVED, RequestReceived, RequestReceivedV1
from shared.upcasting import upcast
from tests.support.events import request


def as_v1(event: RequestReceived) -> bytes:
    """The event as intake published it before version 2."""
    raw = orjson.loads(encode(event))
    del raw["idempotency_key"]
    del raw["follows_case_id"]  # added to version 2 later, never in version 1
    raw["schema_version"] = 1
    RequestReceivedV1.model_validate(raw)  # it is a valid v1 event
    return orjson.dumps(raw)


def test_a_v1_event_decodes_as_v2_with_an_unknown_idempotency_key() -> None:
    # Given a v1 RequestReceived, as it sits in the log
    event = request(3, key="client-key-1")
    # When it is decoded
    decoded = decode(REQUEST_RECEIVED, as_v1(event))
    # Then it is the current version, the same facts, the key unknown
    assert isinstance(decoded, RequestReceived)
    assert decoded.schema_version == 2
    assert decoded.idempotency_key is None
    assert decoded.model_dump(exclude={"idempotency_key"}) == event.model_dump(
        exclude={"idempotency_key"}
    )


def test_a_v2_event_round_trips_with_its_key() -> None:
    event = request(4, key="client-key-2")
    assert decode(REQUEST_RECEIVED, encode(event)) == event


def test_upcasting_leaves_the_current_version_alone() -> None:
    raw = orjson.loads(encode(request(5)))
    assert upcast(raw) == raw


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"schema_version": 3}, "newer than this service reads (v2)"),
        ({"schema_version": 0}, "no upcaster for RequestReceived v0"),
        ({"channel": "pigeon"}, "schema violation: RequestReceived.channel"),
        ({"type": "RequestTeleported"}, "schema violation"),
        ({"idempotency_key": "k" * 201}, "schema violation: RequestReceived.idempotency_key"),
    ],
)
def test_an_event_the_code_cannot_read_is_undecodable_with_the_reason(
    change: dict[str, object], reason: str
) -> None:
    raw = {**orjson.loads(encode(request(6))), **change}
    with pytest.raises(UndecodableEvent, match=re.escape(reason)):
        decode(REQUEST_RECEIVED, orjson.dumps(raw))


@pytest.mark.parametrize(
    ("value", "reason"),
    [(b"", "empty message value"), (b"{oops", "invalid JSON"), (b"[1, 2]", "a JSON object")],
)
def test_bytes_that_are_no_event_are_undecodable(value: bytes, reason: str) -> None:
    with pytest.raises(UndecodableEvent, match=reason):
        decode(REQUEST_RECEIVED, value)
