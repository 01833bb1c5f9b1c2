"""A rebuild cancelled at any point leaves the live projection as it was, serving; running it
again works."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from ops import swap
from ops.rebuild import rebuild
from ops.verify import verify
from relais_cli.demo_data import stream
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.processes import ServiceProcess
from tests.support.traffic import until_routed


class CancelAt:
    """Cancels the task running the rebuild when it enters the named phase."""

    def __init__(self, phase: str) -> None:
        self.wanted = phase
        self.task: asyncio.Task[object] | None = None
        self.reached = False

    def phase(self, name: str, total: int | None = None) -> None:
        if name == self.wanted and self.task is not None:
            self.reached = True
            self.task.cancel()

    def advance(self, count: int) -> None:
        return None


async def post(intake: ServiceProcess, seed: int) -> str:
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        answer = await client.post("/requests", json=stream(1, seed=seed)[0])
    assert answer.status_code == 202
    case_id: str = answer.json()["case_id"]
    return case_id


@pytest.mark.parametrize(
    "phase",
    ["replaying the log", "final catch-up", "swapping"],
    ids=["while replaying", "with live writers paused", "about to swap"],
)
async def test_a_cancelled_rebuild_leaves_the_live_projection_serving(
    phase: str,
    intake: ServiceProcess,
    routing: ServiceProcess,
    db: asyncpg.Pool,
    settings: Settings,
) -> None:
    # Given routing's projection holds a case
    before = await post(intake, 909)
    assert await until_routed(db, [before]) == 1
    cases = await db.fetchval("SELECT count(*) FROM routing.cases")
    async with db.acquire() as conn:
        kept = await swap.kept(conn, "routing")
    # When a rebuild of it is cancelled at that phase
    observer = CancelAt(phase)
    task = asyncio.create_task(rebuild(settings, "routing", observer=observer))
    observer.task = task
    with pytest.raises(asyncio.CancelledError):
        await task
    assert observer.reached
    # Then the live projection is untouched, and it keeps serving: a new case is routed
    assert await db.fetchval("SELECT count(*) FROM routing.cases") == cases
    after = await post(intake, 910)
    assert await until_routed(db, [before, after]) == 2
    async with db.acquire() as conn:
        assert await swap.kept(conn, "routing") == kept
    # And a rebuild run again completes, and the projection is what its log says
    assert (await rebuild(settings, "routing")).events > 0
    assert (await verify(settings, "routing")).identical
