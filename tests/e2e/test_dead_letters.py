"""A message routing can never process goes to `routing.dead-letter`; the next one is routed.

Events this test writes itself carry producer 'e2e-test': they are not intake's facts, so
intake's projection, rebuilt from its own facts, rightly does not hold them."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from shared import dead_letters
from shared.codec import encode
from shared.events import REQUEST_RECEIVED, ROUTED
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import collect, end_offsets, produce
from tests.support.processes import ServiceProcess


def valid_event_bytes(seed: int, **member: str) -> tuple[str, bytes]:
    event = request(seed, at=datetime.now(UTC), member=member, producer=TEST_PRODUCER)
    return str(event.case_id), encode(event)


async def test_malformed_messages_are_dead_lettered_and_the_next_is_routed(
    routing: ServiceProcess, bootstrap: str
) -> None:
    dlq = dead_letters.topic_for("routing")
    since_dlq = await end_offsets(bootstrap, dlq)
    since_routed = await end_offsets(bootstrap, ROUTED)
    case_id, good = valid_event_bytes(505)
    raw_good = orjson.loads(good)
    poison = {
        b"not-json": b"{this is not json",
        b"schema-violation": orjson.dumps({**raw_good, "channel": "pigeon"}),
        b"future-version": orjson.dumps({**raw_good, "schema_version": 9}),
        b"unknown-type": orjson.dumps({**raw_good, "type": "RequestTeleported"}),
    }
    # ... and a valid event routing's handler fails on (an office it does not serve)
    _, unroutable = valid_event_bytes(506, home_office="arlon")
    poison[b"handler-error"] = unroutable
    # Given poison messages on `request-received`, followed by a valid request on the same key
    await produce(bootstrap, REQUEST_RECEIVED, [(case_id.encode(), v) for v in poison.values()])
    await produce(bootstrap, REQUEST_RECEIVED, [(case_id.encode(), good)])
    # Then each poison message lands in the dead-letter topic with why and where it came from
    dead = await collect(bootstrap, dlq, since_dlq, lambda rs: len(rs) >= len(poison))
    assert sorted(r.value for r in dead) == sorted(poison.values())
    reasons = {r.value: dict(r.headers) for r in dead}
    assert reasons[poison[b"not-json"]][dead_letters.REASON].startswith(b"invalid JSON")
    assert b"channel" in reasons[poison[b"schema-violation"]][dead_letters.REASON]
    assert (
        b"newer than this service reads" in reasons[poison[b"future-version"]][dead_letters.REASON]
    )
    assert b"RequestTeleported" in reasons[poison[b"unknown-type"]][dead_letters.REASON]
    assert reasons[poison[b"handler-error"]][dead_letters.REASON].startswith(
        b"handler error: UnknownOffice"
    )
    for headers in reasons.values():
        assert headers[dead_letters.ORIGINAL_TOPIC] == REQUEST_RECEIVED.encode()
        assert headers[dead_letters.SERVICE] == b"routing"
        assert int(headers[dead_letters.ORIGINAL_OFFSET]) >= 0
    # And the valid request behind them is still routed: the consumer kept going
    routed = await collect(
        bootstrap,
        ROUTED,
        since_routed,
        lambda rs: any(orjson.loads(r.value)["case_id"] == case_id for r in rs),
    )
    assert any(orjson.loads(r.value)["case_id"] == case_id for r in routed)
