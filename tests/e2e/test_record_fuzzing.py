"""Property-based fuzzing of every consumer with records any producer may send, interleaved
with valid events, on the real broker and the running services. Afterwards every record is
applied or dead-lettered with a reason, every valid request is routed exactly once, and each
consumer's stored position is at the end of what it read: it passed no record that was
neither. `make fuzz-kafka` runs more examples (RELAIS_FUZZ_KAFKA_EXAMPLES)."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from datetime import UTC, datetime

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer, TopicPartition
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared import dead_letters
from shared.codec import encode
from shared.events import REQUEST_RECEIVED, ROUTED
from tests.support.events import TEST_PRODUCER, request
from tests.support.hostile import HOSTILE_TEXT, garbage, headers, keys, with_hostile_field
from tests.support.kafka import collect, end_offsets
from tests.support.polling import until
from tests.support.processes import ServiceProcess

EXAMPLES = int(os.environ.get("RELAIS_FUZZ_KAFKA_EXAMPLES", "3"))
Record = tuple[bytes | None, bytes | None, list[tuple[str, bytes | None]]]
Sent = tuple[str, int, int]  # topic, partition, offset


async def send(bootstrap: str, topic: str, records: list[Record]) -> list[Sent]:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=1_048_576, linger_ms=20
    )
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value, key=key, headers=hs) for key, value, hs in records
        ]
        return [(topic, m.partition, m.offset) for m in await asyncio.gather(*futures)]
    finally:
        await producer.stop()


async def settled(db: asyncpg.Pool, service: str, topic: str, sent: list[Sent]) -> bool:
    """The service's stored positions on ``topic`` are past every record sent."""
    rows = await db.fetch(
        f"SELECT partition, next_offset FROM {service}.consumer_positions "
        "WHERE consumer_group = $1 AND topic = $2",
        service,
        topic,
    )
    stored = {r["partition"]: r["next_offset"] for r in rows}
    return all(stored.get(p, 0) > o for _, p, o in sent)


async def dead_lettered(
    bootstrap: str, service: str, since: dict[TopicPartition, int], wanted: set[str]
) -> dict[str, str]:
    """Record id -> reason, for the dead letters ``service`` wrote since ``since``."""
    found: dict[str, str] = {}

    def done(rs: list[object]) -> bool:
        for r in rs:
            hs = {k: (v or b"").decode(errors="replace") for k, v in r.headers}  # type: ignore[attr-defined]
            found[hs.get(dead_letters.FAILED_RECORD, "")] = hs.get(dead_letters.REASON, "")
        return wanted <= found.keys()

    await collect(bootstrap, dead_letters.topic_for(service), since, done, timeout=60)
    return found


def record_id(sent: Sent) -> str:
    return dead_letters.record_id(*sent)


hostile_requests = st.tuples(
    st.sampled_from(["subject", "body", "channel", "member_id"]), HOSTILE_TEXT
)
# A tombstone (no value) needs a key: the client refuses a record with neither.
hostile = st.tuples(keys, garbage(), headers).map(
    lambda r: (r[0] if r[0] is not None or r[1] is not None else b"tombstone", r[1], r[2])
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    junk=st.lists(hostile, min_size=1, max_size=8),
    twisted=st.lists(hostile_requests, max_size=3),
    valid=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=10_000),
)
async def test_routing_settles_every_record_of_request_received(
    routing: ServiceProcess,
    bootstrap: str,
    db: asyncpg.Pool,
    junk: list[Record],
    twisted: list[tuple[str, str]],
    valid: int,
    seed: int,
) -> None:
    since_routed = await end_offsets(bootstrap, ROUTED)
    since_dlq = await end_offsets(bootstrap, dead_letters.topic_for("routing"))
    at = datetime.now(UTC)
    good = [request(seed + i, at=at, producer=TEST_PRODUCER) for i in range(valid)]
    bent = [request(seed + 100 + i, at=at, producer=TEST_PRODUCER) for i in range(len(twisted))]
    bent_values = [
        with_hostile_field(orjson.loads(encode(e)), field, text)
        for e, (field, text) in zip(bent, twisted, strict=True)
    ]
    # Given valid requests interleaved with hostile records and requests with hostile fields
    records: list[Record] = [(str(e.case_id).encode(), encode(e), []) for e in good]
    records += [
        (str(e.case_id).encode(), v, [("x-origin", None)])
        for e, v in zip(bent, bent_values, strict=True)
    ]
    records += junk
    order = sorted(range(len(records)), key=lambda i: (i * 7919 + seed) % 104729)
    sent = await send(bootstrap, REQUEST_RECEIVED, [records[i] for i in order])
    by_index = dict(zip(order, sent, strict=True))
    # Then routing's position passes every record
    assert await until(lambda: settled(db, "routing", REQUEST_RECEIVED, sent), bool, timeout=60)
    # And every record that is no event is dead-lettered with a reason
    junk_ids = {record_id(by_index[i]) for i in range(len(good) + len(bent), len(records))}
    dead = await dead_lettered(bootstrap, "routing", since_dlq, junk_ids)
    assert junk_ids <= dead.keys()
    assert all(dead[i] for i in junk_ids)
    # And every valid request is routed exactly once, and never dead-lettered
    good_ids = {record_id(by_index[i]) for i in range(len(good))}
    assert not good_ids & dead.keys()
    wanted = {str(e.case_id) for e in [*good, *bent]}

    def routed_cases(rs: list[object]) -> Counter[str]:
        cases = (orjson.loads(r.value).get("case_id") for r in rs)  # type: ignore[attr-defined]
        return Counter(c for c in cases if c in wanted)

    routed = await collect(
        bootstrap,
        ROUTED,
        since_routed,
        lambda rs: {str(e.case_id) for e in good} <= set(routed_cases(rs)),
        timeout=30,
    )
    counts = routed_cases(routed)
    assert all(counts[str(e.case_id)] == 1 for e in good)
    # And a request with a hostile field is either routed once or dead-lettered, never both
    for i, e in enumerate(bent, start=len(good)):
        in_dlq = record_id(by_index[i]) in dead
        assert (counts[str(e.case_id)], in_dlq) in {(1, False), (0, True)}, (twisted, dead)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    service=st.sampled_from(["routing", "advisory", "admin"]),
    junk=st.lists(hostile, min_size=1, max_size=8),
)
async def test_every_consumer_settles_hostile_records(
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    bootstrap: str,
    db: asyncpg.Pool,
    service: str,
    junk: list[Record],
) -> None:
    """Each service's own consumer group, through the topic only it reads (its redrive
    topic: hostile records there reach no other service's projection)."""
    topic = dead_letters.redrive_topic_for(service)
    since_dlq = await end_offsets(bootstrap, dead_letters.topic_for(service))
    # Given hostile records on a topic the service consumes
    sent = await send(bootstrap, topic, junk)
    # Then its position passes every one, and each is dead-lettered with a reason
    assert await until(lambda: settled(db, service, topic, sent), bool, timeout=60)
    ids = {record_id(s) for s in sent}
    dead = await dead_lettered(bootstrap, service, since_dlq, ids)
    assert ids <= dead.keys()
    assert all(dead[i] for i in ids)
