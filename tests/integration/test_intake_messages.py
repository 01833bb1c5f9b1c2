"""intake's members' messages on a scratch schema: a message is stored with its outgoing event
in one transaction; the same Idempotency-Key, even sent concurrently, names one message; a key
reused for another message, an unknown case or another member is refused, storing nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from relais_cli.demo_data import stream
from services.intake import commands, domain, message_store
from services.intake.commands import AcceptWriter
from services.intake.projection import Submission
from shared.db import PoolHolder
from shared.events import MEMBER_MESSAGES, REQUEST_RECEIVED, RequestReceived
from shared.outbox import event_message
from shared.refusals import Conflict, Invalid, NotFound
from tests.integration.conftest import ScratchFactory


async def accepted_case(holder: PoolHolder) -> RequestReceived:
    request = domain.SubmitRequest.model_validate(stream(1, seed=14)[0])
    case_id = uuid.uuid4()
    event = domain.request_received(
        request, case_id=case_id, event_id=uuid.uuid4(), correlation_id=case_id,
        now=datetime.now(UTC),
    )  # fmt: skip
    message = event_message(REQUEST_RECEIVED, event)
    submission = Submission(event, message, None, domain.fingerprint(request))
    assert await AcceptWriter(holder).accept(submission)
    return event


async def test_a_message_is_stored_once_per_key_even_concurrently(
    scratch_schema: ScratchFactory,
) -> None:
    holder = PoolHolder()
    holder.pool = pool = await scratch_schema("intake")
    case = await accepted_case(holder)
    case_id, member_id = case.case_id, case.member_id
    await pool.execute("DELETE FROM outbox")
    message = domain.PostMessage(member_id=member_id, channel="email", body="Attached.")
    now = datetime.now(UTC)
    # When a channel posts the same message five times at once under one key
    answers = await asyncio.gather(
        *(commands.post_message(holder, case_id, message, "k-1", now=now) for _ in range(5))
    )
    # Then one message is stored, with one outgoing event, and every answer names it
    assert len({event.event_id for event, _ in answers}) == 1
    assert sorted(replayed for _, replayed in answers) == [False, True, True, True, True]
    assert await pool.fetchval("SELECT count(*) FROM member_messages") == 1
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1
    # And the key with another message, an unknown case, another member: refused, nothing stored
    other = domain.PostMessage(member_id=member_id, channel="email", body="Something else.")
    with pytest.raises(Conflict):
        await commands.post_message(holder, case_id, other, "k-1", now=now)
    with pytest.raises(NotFound):
        await commands.post_message(holder, uuid.uuid4(), message, None, now=now)
    stranger = domain.PostMessage(member_id="M-STRANGER", channel="email", body="Hello.")
    with pytest.raises(Invalid):
        await commands.post_message(holder, case_id, stranger, None, now=now)
    assert await pool.fetchval("SELECT count(*) FROM member_messages") == 1
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 1


async def test_a_post_racing_an_uncommitted_one_with_its_key_answers_that_one(
    scratch_schema: ScratchFactory,
) -> None:
    holder = PoolHolder()
    holder.pool = pool = await scratch_schema("intake")
    case = await accepted_case(holder)
    message = domain.PostMessage(member_id=case.member_id, channel="web", body="Here it is.")
    now = datetime.now(UTC)
    first = domain.member_message_received(
        message, case=case, event_id=uuid.uuid4(), now=now, idempotency_key="race"
    )
    fingerprint = domain.message_fingerprint(case.case_id, message)
    async with pool.acquire() as conn:
        # Given a post under key "race" written but not committed yet
        writing = conn.transaction()
        await writing.start()
        outgoing = event_message(MEMBER_MESSAGES, first)
        assert await message_store.accept(conn, MEMBER_MESSAGES, first, outgoing, fingerprint)
        # When the same post arrives again meanwhile, it waits on the key
        second = asyncio.create_task(
            commands.post_message(holder, case.case_id, message, "race", now=now)
        )
        await asyncio.sleep(0.5)
        assert not second.done()
        await writing.commit()
    # Then it answers the first one, replayed, and nothing more is stored
    event, replayed = await second
    assert (event.event_id, replayed) == (first.event_id, True)
    assert await pool.fetchval("SELECT count(*) FROM member_messages") == 1
