"""A rebuild refuses what cannot be right: a projection from the future or emptier than the
live one, events that failed to apply, a second rebuild of the same service, a lost lock. The
projection a swap replaced is kept, and a rollback brings it up to date and puts it back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from aiokafka import TopicPartition

import ops.rebuild
import ops.verify
from ops import kafka, swap
from ops.guards import RebuildRefused
from ops.rebuild import Rebuilt, rebuild
from ops.rebuild_failures import RebuildFailed
from ops.rebuild_lock import LockLost, RebuildRunning
from ops.rollback import rollback
from ops.services import Service, load
from ops.swap_in import Rules
from relais_cli.demo_data import stream
from shared.batch import Apply, Delivery
from shared.db import Conn
from shared.events import REQUEST_RECEIVED
from shared.service import Source
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.processes import ServiceProcess
from tests.support.traffic import until_routed

# intake's projection is the one whose loss hurts most: its idempotency keys.
SERVICE = "intake"


async def post(intake: ServiceProcess, seed: int, key: str) -> tuple[str, bool]:
    """Posts a demo request with an idempotency key: its case id, and whether it was a replay."""
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        answer = await client.post(
            "/requests", json=stream(1, seed=seed)[0], headers={"Idempotency-Key": key}
        )
    assert answer.status_code == 202, answer.text
    return answer.json()["case_id"], answer.headers["Idempotent-Replayed"] == "true"


async def value_at(bootstrap: str, partition: int, offset: int) -> str:
    """The value of the record of `request-received` at a position, as text."""
    tp = TopicPartition(REQUEST_RECEIVED, partition)
    async with kafka.reader(bootstrap) as consumer:
        consumer.assign([tp])
        consumer.seek(tp, offset)
        record = await asyncio.wait_for(consumer.getone(), 30)
    return bytes(record.value or b"").decode()


async def requests_held(db: asyncpg.Pool) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM intake.requests")
    return count


async def kept_copies(db: asyncpg.Pool) -> list[str]:
    async with db.acquire() as conn:
        return await swap.kept(conn, SERVICE)


async def test_an_empty_rebuild_is_refused_and_a_forced_one_is_rolled_back(
    intake: ServiceProcess, routing: ServiceProcess, db: asyncpg.Pool, settings: Settings
) -> None:
    # Given intake holds a request accepted with an idempotency key, published and routed
    key = f"guard-{uuid.uuid4()}"
    case_id, _ = await post(intake, 951, key)
    assert await until_routed(db, [case_id]) == 1
    held = await requests_held(db)
    kept_before = await kept_copies(db)
    # When a rebuild from a time in the future is asked for
    with pytest.raises(RebuildRefused, match="in the future"):
        await rebuild(settings, SERVICE, since=datetime.now(UTC) + timedelta(days=1))
    # And one from a time after the last event of the log
    with pytest.raises(RebuildRefused, match="empty while the live one holds rows"):
        await rebuild(settings, SERVICE, since=datetime.now(UTC))
    # Then nothing was swapped: the live projection holds what it held, nothing more is kept
    assert await requests_held(db) == held
    assert await kept_copies(db) == kept_before
    # When ops force a rebuild from the future anyway
    forced = await rebuild(
        settings,
        SERVICE,
        since=datetime.now(UTC) + timedelta(days=1),
        rules=Rules(force=True),
    )
    # Then an empty projection is live, and the replaced one is kept, the only copy
    assert await requests_held(db) == 0
    assert await kept_copies(db) == [forced.kept_as]
    kept_rows = await db.fetchval(f'SELECT count(*) FROM "{forced.kept_as}".requests')
    assert kept_rows == held
    # When a new request is accepted meanwhile, then the swap is rolled back
    later, _ = await post(intake, 952, f"guard-{uuid.uuid4()}")
    assert await until_routed(db, [later]) == 1
    back = await rollback(settings, SERVICE)
    # Then the kept projection is live again, brought up to date with what came meanwhile
    assert back.verified
    assert await requests_held(db) == held + 1
    assert await db.fetchval(
        "SELECT count(*) FROM intake.requests WHERE case_id = $1::uuid", uuid.UUID(later)
    )
    # And the idempotency key accepted before is known again: the retry names the same case
    again, replayed = await post(intake, 951, key)
    assert (again, replayed) == (case_id, True)
    # And the projection it replaced (empty but for the request accepted while it was live)
    # is now the one kept copy
    assert await kept_copies(db) == [back.kept_as]
    kept = await db.fetch(f'SELECT case_id::text FROM "{back.kept_as}".requests')
    assert [r["case_id"] for r in kept] == [later]


def failing_on(case_id: str) -> Callable[[str, Settings], Service]:
    """ops.services.load, but intake's handler now fails on one case (as changed code would)."""

    def wrap(apply: Apply) -> Apply:
        async def changed(conn: Conn, deliveries: Sequence[Delivery]) -> None:
            if any(str(getattr(d.event, "case_id", "")) == case_id for d in deliveries):
                raise ValueError(f"this code cannot apply case {case_id}")
            await apply(conn, deliveries)

        return changed

    def load_changed(name: str, settings: Settings) -> Service:
        service = load(name, settings)
        sources = service.runtime.sources
        sources[:] = [Source(s.topic, wrap(s.apply), s.live) for s in sources]
        return service

    return load_changed


async def test_events_that_fail_during_a_rebuild_stop_the_swap_unless_accepted(
    intake: ServiceProcess,
    routing: ServiceProcess,
    db: asyncpg.Pool,
    settings: Settings,
    bootstrap: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a request the live service applied, which the code rebuilding can no longer apply
    case_id, _ = await post(intake, 953, f"guard-{uuid.uuid4()}")
    assert await until_routed(db, [case_id]) == 1
    monkeypatch.setattr(ops.rebuild, "load", failing_on(case_id))
    monkeypatch.setattr(ops.verify, "load", failing_on(case_id))
    kept_before = await kept_copies(db)
    # When intake is rebuilt
    with pytest.raises(RebuildFailed) as refused:
        await rebuild(settings, SERVICE)
    # Then nothing is swapped, and the failure is reported with where it was read and why
    ours = [f for f in refused.value.failures if case_id in f.reason]
    assert len(ours) == 1
    assert ours[0].topic == REQUEST_RECEIVED
    assert case_id in await value_at(bootstrap, ours[0].partition, ours[0].offset)
    assert f"--accept-failures {len(refused.value.failures)}" in str(refused.value)
    assert await kept_copies(db) == kept_before
    assert await db.fetchval(
        "SELECT count(*) FROM intake.requests WHERE case_id = $1::uuid", uuid.UUID(case_id)
    )
    # When ops accept exactly those failures
    accepted = len(refused.value.failures)
    done = await rebuild(settings, SERVICE, rules=Rules(accept_failures=accepted))
    # Then the projection without them is swapped in, and they are reported
    assert [f for f in done.failures if case_id in f.reason] == ours
    assert not await db.fetchval(
        "SELECT count(*) FROM intake.requests WHERE case_id = $1::uuid", uuid.UUID(case_id)
    )
    # And with the code put back, a rollback restores the projection that held it
    monkeypatch.undo()
    await rollback(settings, SERVICE)
    assert await db.fetchval(
        "SELECT count(*) FROM intake.requests WHERE case_id = $1::uuid", uuid.UUID(case_id)
    )


async def test_one_rebuild_of_a_service_at_a_time(
    intake: ServiceProcess, db: asyncpg.Pool, settings: Settings
) -> None:
    # When two rebuilds of intake are started together
    results = await asyncio.gather(
        rebuild(settings, SERVICE, check=False),
        rebuild(settings, SERVICE, check=False),
        return_exceptions=True,
    )
    # Then one swaps its projection in and the other is refused, saying why
    done = [r for r in results if isinstance(r, Rebuilt)]
    refused = [r for r in results if isinstance(r, RebuildRunning)]
    assert (len(done), len(refused)) == (1, 1), results
    assert "already running" in str(refused[0])
    assert f"relais rebuild {SERVICE}" in str(refused[0])
    # And only the winner's replaced projection is kept
    assert await kept_copies(db) == [done[0].kept_as]


class KillLockAt:
    """Ends the database session holding the rebuild lock when the rebuild enters a phase."""

    def __init__(self, db: asyncpg.Pool, phase: str) -> None:
        self.db = db
        self.wanted = phase
        self.killing: asyncio.Task[object] | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        if name == self.wanted and self.killing is None:
            self.killing = asyncio.get_running_loop().create_task(
                self.db.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name LIKE $1",
                    f"relais rebuild {SERVICE} %",
                )
            )

    def advance(self, count: int) -> None:
        return None


async def test_a_rebuild_whose_lock_is_lost_stops_before_the_swap(
    intake: ServiceProcess, db: asyncpg.Pool, settings: Settings
) -> None:
    held = await requests_held(db)
    kept_before = await kept_copies(db)
    # When the session holding the rebuild's lock ends while the log is replayed
    observer = KillLockAt(db, "replaying the log")
    with pytest.raises(LockLost, match="live projection is untouched"):
        await rebuild(settings, SERVICE, observer=observer, check=False)
    assert observer.killing is not None
    assert await observer.killing == 1
    # Then nothing was swapped
    assert await requests_held(db) == held
    assert await kept_copies(db) == kept_before
