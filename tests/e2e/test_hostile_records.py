"""Records any Kafka producer may send, among valid requests, lose nothing: a header with a
null value (Java clients and Kafka Connect send them), header bytes that are not UTF-8, a
`reply_to` header. Each record is applied or dead-lettered, every valid request on every
partition is routed exactly once, and the ops tools read the same records without failing."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

import orjson
from aiokafka import AIOKafkaProducer

from ops.verify import verify
from shared import dead_letters
from shared.codec import encode
from shared.events import REQUEST_RECEIVED, ROUTED
from shared.settings import Settings
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ServiceProcess

Headers = list[tuple[str, bytes | None]]


async def produce_with_headers(bootstrap: str, records: list[tuple[bytes, bytes, Headers]]) -> None:
    """One burst, so routing reads hostile and valid records in the same batches."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=50)
    await producer.start()
    try:
        sent = [
            await producer.send(REQUEST_RECEIVED, value, key=key, headers=headers)
            for key, value, headers in records
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def test_null_and_unreadable_headers_lose_no_valid_request(
    routing: ServiceProcess, bootstrap: str, settings: Settings
) -> None:
    since_routed = await end_offsets(bootstrap, ROUTED)
    since_dlq = await end_offsets(bootstrap, dead_letters.topic_for("routing"))
    at = datetime.now(UTC)
    valid = [request(700 + i, at=at, producer=TEST_PRODUCER) for i in range(8)]
    hostile: list[Headers] = [
        [("x-origin", None)],
        [("x-origin", b"\xff\xfe not utf-8")],
        [("reply_to", b"request-received"), ("event_id", None)],
    ]
    # Given valid requests on several partitions, some of them carrying hostile headers,
    # and a record that is no event at all with a null header, all in one burst
    records = [
        (str(e.case_id).encode(), encode(e), hostile[i] if i < len(hostile) else [])
        for i, e in enumerate(valid)
    ]
    junk = (b"junk-key", b"\x00 not an event", [("x-origin", None)])
    await produce_with_headers(bootstrap, [*records[:4], junk, *records[4:]])  # type: ignore[list-item]

    # Then every valid request is routed, exactly once
    wanted = {str(e.case_id) for e in valid}

    def case_ids(rs: list[object]) -> Counter[str]:
        found = (orjson.loads(r.value)["case_id"] for r in rs)  # type: ignore[attr-defined]
        return Counter(c for c in found if c in wanted)

    routed = await collect(bootstrap, ROUTED, since_routed, lambda rs: set(case_ids(rs)) == wanted)
    assert set(case_ids(routed)) == wanted
    # And the junk record is dead-lettered with why, its null header kept as an empty one
    dead = await collect(
        bootstrap, dead_letters.topic_for("routing"), since_dlq, lambda rs: len(rs) >= 1
    )
    assert [r.value for r in dead] == [junk[1]]
    assert dict(dead[0].headers)["x-origin"] == b""
    assert dict(dead[0].headers)[dead_letters.REASON].startswith(b"invalid JSON")
    # And nothing is routed twice, even after the consumer had time to read anything again
    await asyncio.sleep(2)
    routed = await collect(bootstrap, ROUTED, since_routed, lambda rs: False, timeout=3)
    assert set(case_ids(routed).values()) == {1}
    # And verify reads the same records (null headers included) and finds routing identical
    assert (await verify(settings, "routing")).identical
