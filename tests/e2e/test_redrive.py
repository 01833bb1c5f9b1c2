"""Dead letters redriven after a fix are processed; one that fails again comes back once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import asyncpg
import orjson

from shared import dead_letter_log as dlq
from shared import dead_letters as dl
from shared.codec import encode
from shared.events import REQUEST_RECEIVED
from shared.settings import DEMO_OFFICES, Settings
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import collect, end_offsets, produce
from tests.support.processes import ROOT, ServiceProcess
from tests.support.traffic import routed_cases, until_routed

DLQ = dl.topic_for("routing")


async def test_a_dead_letter_is_redriven_after_the_fix_and_never_loops(
    routing: ServiceProcess, bootstrap: str, db: asyncpg.Pool, settings: Settings
) -> None:
    since = await end_offsets(bootstrap, DLQ)
    # Given a request for an office routing is not configured for yet: dead-lettered
    event = request(
        1001, at=datetime.now(UTC), member={"home_office": "arlon"}, producer=TEST_PRODUCER
    )
    case_id = str(event.case_id)
    await produce(bootstrap, REQUEST_RECEIVED, [(case_id.encode(), encode(event))])
    (first,) = await collect(
        bootstrap, DLQ, since, lambda rs: any(r.key == case_id.encode() for r in rs)
    )
    assert dict(first.headers)[dl.REASON].startswith(b"handler error: UnknownOffice")

    # When it is redriven before the fix
    since = await end_offsets(bootstrap, DLQ)
    await dlq.redrive(settings, "routing", at=[(first.partition, first.offset)])
    # Then it returns to the dead-letter topic once, its origin kept, its redrive counted...
    back = await collect(
        bootstrap, DLQ, since, lambda rs: any(r.key == case_id.encode() for r in rs)
    )
    (again,) = [r for r in back if r.key == case_id.encode()]
    headers = dict(again.headers)
    assert headers[dl.REDRIVES] == b"1"
    assert headers[dl.ORIGINAL_TOPIC] == REQUEST_RECEIVED.encode()
    assert headers[dl.ORIGINAL_OFFSET] == dict(first.headers)[dl.ORIGINAL_OFFSET]
    # ... and only once: nothing sends it round again
    await asyncio.sleep(2)
    later = await collect(bootstrap, DLQ, since, lambda rs: False, timeout=1)
    assert len([r for r in later if r.key == case_id.encode()]) == 1
    assert await routed_cases(db, [case_id]) == 0

    # When routing is configured for the office and ops redrive it from the CLI
    routing.stop()
    offices = orjson.dumps([*DEMO_OFFICES, "arlon"]).decode()
    fixed = ServiceProcess("routing", {"RELAIS_OFFICES": offices}).start()
    try:
        redriven = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "relais_cli.main",
                "dlq",
                "redrive",
                "routing",
                "--at",
                f"{again.partition}:{again.offset}",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert redriven.returncode == 0, redriven.stdout + redriven.stderr
        # Then the case is routed
        assert await until_routed(db, [case_id]) == 1
        assert (
            await db.fetchval(
                "SELECT queue FROM routing.cases WHERE case_id = $1", uuid.UUID(case_id)
            )
            == "arlon/first_line"
        )
    finally:
        fixed.stop()
        routing.start()
