"""intake's group commit: requests submitted together are stored together, each one answered
as if alone — a new key is stored, a repeated key only once, whatever lands in the same batch."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from relais_cli.demo_data import stream
from services.intake import domain
from services.intake.commands import AcceptWriter
from services.intake.projection import Submission
from shared.db import PoolHolder
from shared.events import REQUEST_RECEIVED
from shared.outbox import event_message
from tests.integration.conftest import ScratchFactory


def submission(body: dict[str, object], key: str | None) -> Submission:
    request = domain.SubmitRequest.model_validate(body)
    case_id = uuid.uuid4()
    event = domain.request_received(
        request,
        case_id=case_id,
        event_id=uuid.uuid4(),
        correlation_id=case_id,
        now=datetime.now(UTC),
        idempotency_key=key,
    )
    return Submission(
        event, event_message(REQUEST_RECEIVED, event), key, domain.fingerprint(request)
    )


async def test_requests_submitted_together_are_each_answered_as_alone(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("intake")
    holder = PoolHolder()
    holder.pool = pool
    writer = AcceptWriter(holder, writers=1, max_batch=50)
    bodies = stream(40, seed=5)
    fresh = [submission(b, f"key-{i}") for i, b in enumerate(bodies[:30])]
    unkeyed = [submission(b, None) for b in bodies[30:]]
    # The same key three times: twice the same request (a client retrying), once another one
    twice = [submission(bodies[0], "shared-key"), submission(bodies[0], "shared-key")]
    other = submission(bodies[1], "shared-key")
    everything = [*fresh, *twice, *unkeyed, other]
    # When all are submitted at once (they queue behind the first write, then go together)
    answers = await asyncio.gather(*(writer.accept(s) for s in everything))
    # Then each new request is stored, and of the three sharing a key exactly one
    assert answers[:30] == [True] * 30
    assert answers[32:42] == [True] * 10
    assert sum([answers[30], answers[31], answers[42]]) == 1
    rows = await pool.fetchval("SELECT count(*) FROM requests")
    assert rows == 41
    # And every stored request has its event in the outbox, nothing more
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 41
    stored = {r["case_id"] for r in await pool.fetch("SELECT case_id FROM requests")}
    outgoing = {uuid.UUID(r["key"].decode()) for r in await pool.fetch("SELECT key FROM outbox")}
    assert stored == outgoing
