"""Members' requests sent to intake over HTTP while a test does something else."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import asyncpg
import httpx

from relais_cli.demo_data import stream
from tests.support.auth import CHANNEL


@dataclass
class Traffic:
    """Posts ``count`` demo requests with ``senders`` concurrent clients; collects case ids."""

    url: str
    count: int
    seed: int
    senders: int = 4
    case_ids: list[str] = field(default_factory=list)

    async def run(self) -> None:
        bodies = stream(self.count, seed=self.seed)
        async with httpx.AsyncClient(base_url=self.url, timeout=30, headers=CHANNEL) as client:

            async def send(chunk: list[dict[str, object]]) -> None:
                for body in chunk:
                    key = f"traffic-{uuid.uuid4()}"
                    answer = await client.post(
                        "/requests", json=body, headers={"Idempotency-Key": key}
                    )
                    assert answer.status_code == 202, answer.text
                    self.case_ids.append(answer.json()["case_id"])

            await asyncio.gather(*[send(bodies[i :: self.senders]) for i in range(self.senders)])

    async def sent(self, at_least: int) -> None:
        """Returns once ``at_least`` requests were accepted."""
        while len(self.case_ids) < at_least:  # noqa: ASYNC110 - polling a plain list is enough
            await asyncio.sleep(0.01)


async def routed_cases(db: asyncpg.Pool, case_ids: list[str]) -> int:
    """How many of the cases routing's projection holds with a decision."""
    count: int = await db.fetchval(
        "SELECT count(*) FROM routing.cases WHERE case_id = ANY($1::uuid[]) AND queue IS NOT NULL",
        [uuid.UUID(c) for c in case_ids],
    )
    return count


async def until_routed(db: asyncpg.Pool, case_ids: list[str], timeout: float = 60) -> int:
    """Waits (bounded) for routing to hold every case; returns how many it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (held := await routed_cases(db, case_ids)) < len(case_ids):
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    return held
