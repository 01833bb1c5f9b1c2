"""A message that keeps failing 'transiently' while the database answers is the message's
problem: after its bounded retries it is dead-lettered with the reason, never retried
forever, and the messages behind it are processed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from shared import dead_letters
from shared.codec import encode
from shared.events import REQUEST_RECEIVED
from shared.settings import Settings
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import collect, end_offsets, produce
from tests.support.processes import ServiceProcess
from tests.support.traffic import until_routed

DLQ = dead_letters.topic_for("routing")


def dsn_timing_out(settings: Settings) -> str:
    """routing's own DSN, with statement_timeout (asyncpg sends extra parameters as settings)."""
    return f"{settings.dsn('routing')}?statement_timeout=1000"


async def test_a_message_failing_transiently_for_good_is_dead_lettered_not_retried_forever(
    routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool, settings: Settings
) -> None:
    # Given a case routing knows
    known = request(3001, at=datetime.now(UTC), producer=TEST_PRODUCER)
    key = str(known.case_id).encode()
    await produce(bootstrap, REQUEST_RECEIVED, [(key, encode(known))])
    assert await until_routed(db, [str(known.case_id)]) == 1
    # And routing runs with statements timing out after a second (a transient failure)
    routing.stop()
    # (DATABASE_URL alone would also be where it looks for the members' keys: keep the key
    # store where it is)
    timing_out = ServiceProcess(
        "routing",
        {
            "DATABASE_URL": dsn_timing_out(settings),
            "RELAIS_KEYSTORE_DATABASE_URL": settings.keystore_dsn(),
        },
    ).start()
    since = await end_offsets(bootstrap, DLQ)
    try:
        async with db.acquire() as conn, conn.transaction():
            # When the case's member's row stays locked (a duplicate request rewrites it), and
            # a duplicate request about it arrives, followed by a new request
            await conn.execute(
                "SELECT 1 FROM routing.members WHERE member_id = $1 FOR UPDATE", known.member_id
            )
            duplicate = known.model_copy(update={"event_id": uuid.uuid4()})
            behind = request(3002, at=datetime.now(UTC), producer=TEST_PRODUCER)
            await produce(bootstrap, REQUEST_RECEIVED, [(key, encode(duplicate))])
            await produce(bootstrap, REQUEST_RECEIVED, [(key, encode(behind))])
            # Then, its retries spent, the duplicate is dead-lettered with the reason
            dead = await collect(bootstrap, DLQ, since, lambda rs: any(r.key == key for r in rs))
    finally:
        timing_out.stop()
        routing.start()
    (letter,) = [r for r in dead if r.key == key]
    assert letter.value == encode(duplicate)
    reason = dict(letter.headers)[dead_letters.REASON]
    assert reason.startswith(b"gave up after retries: QueryCanceledError"), reason
    # And the request behind it was routed
    assert await until_routed(db, [str(behind.case_id)]) == 1
