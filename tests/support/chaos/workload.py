"""The work of a crash scenario, over the four services' real HTTP APIs, by clients that retry
as real ones would when an answer is lost (the service was killed): members send requests
(retried with their Idempotency-Key), ops change advisers' profiles, advisers claim and resolve
cases with an administrative act, the administrative team completes the tasks.

What the clients were told is written down (``Told``) for the exactly-once checks."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from relais_cli.demo_data import stream
from shared.identity import Role
from tests.support.auth import CHANNEL, bearer
from tests.support.polling import until

OPS = bearer(Role.OPS, "chaos-ops")
ADA = bearer(Role.ADMIN_TEAM, "chaos-ada")
ADVISER = "chaos-adviser"
DEADLINE_S = 120.0


@dataclass
class Told:
    """What the clients sent and were answered."""

    prefix: str  # of the Idempotency-Keys of this run
    cases: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> case_id answered
    worked: list[str] = field(default_factory=list)  # cases claimed and resolved with an act
    tasks: dict[str, str] = field(default_factory=dict)  # case_id -> task completed
    # adviser -> (attempts sent, event ids answered, capacity of the last PUT)
    profiles: dict[str, tuple[int, list[str], int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


async def send(
    client: httpx.AsyncClient, method: str, path: str, **kw: Any
) -> tuple[httpx.Response, int]:
    """The first answer that is not a server error, and how many attempts it took: an attempt
    that got no answer (or a 5xx) may have been applied."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    tries = 0
    while True:
        tries += 1
        try:
            answer = await client.request(method, path, **kw)
            if answer.status_code < 500:
                return answer, tries
        except httpx.TransportError:
            pass
        if loop.time() > deadline:
            raise TimeoutError(f"{method} {path}: no answer in {DEADLINE_S:g}s")
        await asyncio.sleep(0.2)


async def polled(db: asyncpg.Pool, query: str, *args: Any) -> list[asyncpg.Record]:
    """The rows, or none while the database is away (the pool's connections died with it)."""
    try:
        return await db.fetch(query, *args)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        await db.expire_connections()
        return []


@dataclass
class Workload:
    urls: dict[str, str]
    seed: int
    label: str
    requests: int = 12
    waves: int = 3
    worked: int = 4
    advisers: int = 2
    # Whose profiles ops change: workloads running at once (tests/scale) each have their own.
    profiled: str = "chaos-adviser"
    # Outages started (in the background) as a step begins: (step, the outage).
    disrupt: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = field(default_factory=list)
    told: Told = field(init=False)
    phases: dict[str, float] = field(default_factory=dict)  # seconds each step took

    def __post_init__(self) -> None:
        self.told = Told(prefix=f"chaos-{self.label}-{uuid.uuid4().hex[:8]}")

    async def run(self, db: asyncpg.Pool) -> Told:
        """Runs every step (the outage, if any, beside them); returns what the clients were
        told."""
        told = self.told
        outages: list[asyncio.Task[None]] = []
        offices: dict[str, str] = {}
        tasks: dict[str, str] = {}

        async def queued() -> None:
            offices.update(await self.queued(db, list(told.cases.values())))

        async def opened() -> None:
            tasks.update(await self.opened_tasks(db, told.worked))

        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("submit", lambda: self.submit(told)),
            ("profiles", lambda: self.set_profiles(told)),
            ("queued", queued),
            ("work", lambda: self.work(told, offices)),
            ("tasks", opened),
            ("complete", lambda: self.complete(told, tasks)),
        ]
        try:
            for name, step in steps:
                outages += [asyncio.create_task(o()) for at, o in self.disrupt if at == name]
                lap = time.monotonic()
                await step()
                self.phases[name] = round(time.monotonic() - lap, 1)
        finally:
            for outage in outages:
                await outage
        return told

    async def submit(self, told: Told) -> None:
        """The requests, in waves (each wave its own commits and relay batches)."""
        bodies = stream(self.requests, seed=self.seed)
        per_wave = -(-self.requests // self.waves)
        async with httpx.AsyncClient(
            base_url=self.urls["intake"], headers=CHANNEL, timeout=10
        ) as client:

            async def one(n: int, body: dict[str, Any]) -> None:
                key = f"{told.prefix}-{n}"
                answer, _ = await send(
                    client, "POST", "/requests", json=body, headers={"Idempotency-Key": key}
                )
                if answer.status_code != 202:
                    told.problems.append(f"request {key}: {answer.status_code} {answer.text}")
                    return
                told.cases[key] = answer.json()["case_id"]

            for start in range(0, self.requests, per_wave):
                wave = list(enumerate(bodies))[start : start + per_wave]
                await asyncio.gather(*[one(n, b) for n, b in wave])
                await asyncio.sleep(0.3)

    async def set_profiles(self, told: Told) -> None:
        """Ops set the profiles of advisers who are off the roster (they take no case)."""
        rng = random.Random(f"{self.label}/{self.seed}")
        async with httpx.AsyncClient(base_url=self.urls["routing"], headers=OPS, timeout=10) as c:
            for i in range(self.advisers):
                adviser = f"{self.profiled}-{i}"
                capacity = rng.randint(1, 200)
                profile = {"office": "liege", "languages": ["fr"], "capacity": capacity}
                attempts, answered, _ = told.profiles.get(adviser, (0, [], 0))
                answer, tries = await send(
                    c, "PUT", f"/advisers/{adviser}", json={**profile, "active": False}
                )
                attempts += tries
                if answer.status_code != 200:
                    told.problems.append(f"profile {adviser}: {answer.status_code} {answer.text}")
                else:
                    answered.append(answer.json()["event_id"])
                told.profiles[adviser] = (attempts, answered, capacity)

    async def queued(self, db: asyncpg.Pool, case_ids: list[str]) -> dict[str, str]:
        """Waits until advisory queues the cases; their offices."""
        wanted = [uuid.UUID(c) for c in case_ids]
        rows = await until(
            lambda: polled(
                db,
                "SELECT case_id, office FROM advisory.cases "
                "WHERE case_id = ANY($1::uuid[]) AND status = 'queued'",
                wanted,
            ),
            lambda found: len(found) == len(wanted),
            timeout=DEADLINE_S,
        )
        return {str(r["case_id"]): r["office"] for r in rows}

    async def work(self, told: Told, offices: dict[str, str]) -> None:
        """Advisers claim and resolve some cases, each needing a contract registration."""
        chosen = sorted(offices)[: self.worked]
        async with httpx.AsyncClient(base_url=self.urls["advisory"], timeout=10) as client:

            async def one(case_id: str) -> None:
                who = bearer(Role.ADVISER, ADVISER, offices[case_id])
                case = f"/cases/{case_id}"
                resolution = {"outcome": "solved", "admin_act": "contract_registration"}
                for path, body, status in (
                    ("claim", None, "claimed"),
                    ("resolution", resolution, "resolved"),
                ):
                    answer, tries = await send(
                        client, "POST", f"{case}/{path}", json=body, headers=who
                    )
                    if answer.status_code == 409 and tries > 1:  # the lost attempt was applied?
                        seen, _ = await send(client, "GET", case, headers=who)
                        if seen.json()["case"]["status"] == status:
                            continue
                    if answer.status_code != 200:
                        told.problems.append(f"{path} {case_id}: {answer.status_code}")
                        return
                told.worked.append(case_id)

            await asyncio.gather(*[one(c) for c in chosen])

    async def opened_tasks(self, db: asyncpg.Pool, case_ids: list[str]) -> dict[str, str]:
        """Waits until admin opens a task for each case; the tasks by case."""
        wanted = [uuid.UUID(c) for c in case_ids]
        rows = await until(
            lambda: polled(
                db,
                "SELECT case_id, task_id FROM admin.tasks WHERE case_id = ANY($1::uuid[])",
                wanted,
            ),
            lambda found: len(found) >= len(wanted),
            timeout=DEADLINE_S,
        )
        return {str(r["case_id"]): str(r["task_id"]) for r in rows}

    async def complete(self, told: Told, tasks: dict[str, str]) -> None:
        """The administrative team completes every task."""
        async with httpx.AsyncClient(base_url=self.urls["admin"], headers=ADA, timeout=10) as c:

            async def one(case_id: str, task_id: str) -> None:
                path = f"/tasks/{task_id}"
                answer, tries = await send(c, "POST", f"{path}/completion", json={"note": "Done."})
                if answer.status_code == 409 and tries > 1:
                    seen, _ = await send(c, "GET", path)
                    if seen.json()["task"]["status"] == "completed":
                        told.tasks[case_id] = task_id
                        return
                if answer.status_code != 200:
                    told.problems.append(f"completion {task_id}: {answer.status_code}")
                    return
                told.tasks[case_id] = task_id

            await asyncio.gather(*[one(c, t) for c, t in tasks.items()])
