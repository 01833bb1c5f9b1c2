"""advisory's projection on the real PostgreSQL: every message applied twice, or the topics read
in another order, gives the same rows; concurrent claims have one winner; a refused command
writes nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from services.advisory import commands, handlers
from services.advisory.decisions import Claim, Resolve
from shared.consumer import BatchConsumer
from shared.db import PoolHolder
from shared.events import CASE_ACTIVITY, ESCALATED, RESOLVED, ROUTED, Outcome
from shared.identity import Principal, Role
from shared.refusals import Conflict, Refused
from tests.integration.conftest import ScratchFactory
from tests.support.lifecycles import as_records, interleaved, logs, moved

TOPICS = (ROUTED, CASE_ACTIVITY, ESCALATED, RESOLVED)
CASES = "SELECT * FROM cases ORDER BY case_id"
HISTORY = "SELECT * FROM case_history ORDER BY event_id"


def holder_of(pool: asyncpg.Pool) -> PoolHolder:
    holder = PoolHolder()
    holder.pool = pool
    return holder


def consumer(pool: asyncpg.Pool) -> BatchConsumer:
    return BatchConsumer(
        holder_of(pool), service="advisory", group="advisory", apply=handlers.apply_case_events
    )


def advisory_records(count: int, seed: int) -> list[Any]:
    return [r for r in as_records(logs(count, seed)) if r.topic in TOPICS]


async def rows(pool: asyncpg.Pool) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    return await pool.fetch(CASES), await pool.fetch(HISTORY)


async def test_applying_every_message_twice_gives_the_same_rows(
    scratch_schema: ScratchFactory,
) -> None:
    pool = await scratch_schema("advisory")
    records = advisory_records(24, seed=31)
    # Given the log applied once, topic by topic as the consumers would
    for topic in TOPICS:
        await consumer(pool).process([r for r in records if r.topic == topic])
    once = await rows(pool)
    # When every message is delivered again: redelivered, then re-published at new offsets
    for topic in TOPICS:
        await consumer(pool).process([r for r in records if r.topic == topic])
        await consumer(pool).process(moved([r for r in records if r.topic == topic], 1000))
    # Then nothing changed
    assert await rows(pool) == once
    cases, history = once
    assert len(cases) == 24
    assert len(history) == len(records)
    assert {c["status"] for c in cases} == {
        "queued",
        "claimed",
        "waiting_on_member",
        "escalated",
        "resolved",
    }
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0  # consuming publishes nothing


async def test_any_interleaving_of_the_topics_gives_the_same_rows(
    scratch_schema: ScratchFactory,
) -> None:
    live, replay = await scratch_schema("advisory"), await scratch_schema("advisory")
    records = advisory_records(24, seed=47)
    # Given one projection fed in log order
    await consumer(live).process(records)
    # When another reads the same records in batches mixing the topics in a random order
    # (`resolved` before `routed`, claims before the routing they follow...)
    shuffled = interleaved(records, seed=5)
    first_read: dict[bytes, str] = {}
    for r in shuffled:
        first_read.setdefault(r.key, r.topic)
    assert set(first_read.values()) > {ROUTED}  # some cases are seen before their routing
    for i in range(0, len(shuffled), 7):
        await consumer(replay).process(shuffled[i : i + 7])
    # Then both hold the same cases and the same histories
    assert await rows(replay) == await rows(live)


async def test_concurrent_claims_have_exactly_one_winner(scratch_schema: ScratchFactory) -> None:
    pool = await scratch_schema("advisory")
    records = advisory_records(1, seed=60)  # the first path: routed, nobody claimed it
    await consumer(pool).process(records)
    case_id = uuid.UUID(records[0].key.decode())
    office = await pool.fetchval("SELECT office FROM cases")
    advisers = [Principal(f"adviser-{i}", Role.ADVISER, office) for i in range(8)]
    holder = holder_of(pool)

    async def claim(adviser: Principal) -> str:
        try:
            await commands.execute(
                holder, case_id, Claim(), adviser, event_id=uuid.uuid4(), now=datetime.now(UTC)
            )
        except Conflict as exc:
            return exc.code
        return "won"

    # When eight advisers claim the same case at once
    answers = await asyncio.gather(*[claim(a) for a in advisers])
    # Then exactly one wins; the others are told it is no longer queued
    assert sorted(answers) == ["not_queued"] * 7 + ["won"]
    winner = advisers[answers.index("won")].subject
    assert await pool.fetchval("SELECT assignee FROM cases") == winner
    claims = await pool.fetch("SELECT actor FROM case_history WHERE type = 'CaseClaimed'")
    assert [c["actor"] for c in claims] == [winner]
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", CASE_ACTIVITY) == 1


@pytest.mark.parametrize("refused_resolution", ["unknown case", "nobody claimed it"])
async def test_a_refused_command_writes_and_publishes_nothing(
    scratch_schema: ScratchFactory, refused_resolution: str
) -> None:
    pool = await scratch_schema("advisory")
    records = advisory_records(1, seed=61)
    await consumer(pool).process(records)
    known = uuid.UUID(records[0].key.decode())
    case_id = uuid.uuid4() if refused_resolution == "unknown case" else known
    office = await pool.fetchval("SELECT office FROM cases")
    before = await rows(pool)
    with pytest.raises(Refused):
        await commands.execute(
            holder_of(pool),
            case_id,
            Resolve(outcome=Outcome.SOLVED),
            Principal("ann", Role.ADVISER, office),
            event_id=uuid.uuid4(),
            now=datetime.now(UTC),
        )
    assert await rows(pool) == before
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
