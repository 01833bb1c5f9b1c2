"""One crash scenario, start to end: mark the log, run the workload while the armed process is
killed (and started again) at its point, wait for the stack to be quiet, check exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import asyncpg

from shared.settings import Settings
from tests.support.chaos import checks, log
from tests.support.chaos.fleet import CHAOS_ENV, Fleet, Supervised, armed_env
from tests.support.chaos.outages import OUTAGE_S, outage
from tests.support.chaos.scenarios import Scenario
from tests.support.chaos.workload import Told, Workload
from tests.support.processes import LOGS, ROOT

QUIET_TIMEOUT_S = 120.0
# An SLA round or an outbox batch can come after the last answer: the fault may fire then.
LATE_FAULT_S = 20.0
# BI views reading a kept copy of a service (``<service>_previous_<time>``, frozen at its cut)
# instead of its live projection: what a rebuild's crash must never leave behind.
LEFT_BEHIND = """
SELECT count(*) FROM information_schema.view_table_usage
WHERE view_schema = 'bi' AND table_schema ~ ('^' || $1 || '_previous_')"""


@dataclass
class Outcome:
    """What a run did and what it found wrong (empty: exactly once held)."""

    scenario: Scenario
    seed: int
    passage: int
    killed: int = 0
    seconds: float = 0.0
    wrong: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds each phase took

    def lap(self, phase: str, since: float) -> float:
        now = time.monotonic()
        self.phases[phase] = round(now - since, 1)
        return now


async def run(
    fleet: Fleet, scenario: Scenario, seed: int, settings: Settings, db: asyncpg.Pool
) -> Outcome:
    """Runs the scenario with this seed against the running fleet."""
    started = time.monotonic()
    outcome = Outcome(scenario, seed, scenario.passage(seed))
    bootstrap = settings.kafka_bootstrap_servers
    marks = await log.marks(bootstrap)
    urls = {name: fleet.url(name) for name in fleet.processes}
    workload = Workload(urls, seed, label=f"{scenario.id}-{seed}")
    if scenario.rebuild:
        told = await rebuilt_meanwhile(workload, scenario, outcome, db)
    else:
        told = await killed_meanwhile(fleet, workload, scenario, outcome, db)
    outcome.wrong += told.problems
    if outcome.killed != scenario.kills:
        outcome.wrong.append(f"killed {outcome.killed} times, expected {scenario.kills}")
    outcome.phases.update({f"workload.{k}": v for k, v in workload.phases.items()})
    outcome.wrong += await checked(settings, db, told, marks, outcome)
    outcome.seconds = time.monotonic() - started
    return outcome


# Where each service's part of the work begins: the outage under it starts there.
UNDER = {"intake": "submit", "routing": "profiles", "advisory": "work", "admin": "tasks"}


async def run_outages(
    fleet: Fleet,
    under: list[tuple[str, str]],
    seed: int,
    settings: Settings,
    db: asyncpg.Pool,
    seconds: float = OUTAGE_S,
) -> Outcome:
    """For each (service, component): Kafka or PostgreSQL stopped as the service's part of the
    work begins (intake taking requests, routing routing them and taking ops' changes,
    advisory taking staff commands, admin opening tasks), started again ``seconds`` later;
    then the same checks as after a crash."""
    started = time.monotonic()
    label = "-".join(f"{s}-{c}" for s, c in under)
    outcome = Outcome(Scenario(label, "outage", kills=0), seed, 0)
    marks = await log.marks(settings.kafka_bootstrap_servers)
    urls = {name: fleet.url(name) for name in fleet.processes}
    disrupt: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [
        (UNDER[s], partial(outage, c, seconds)) for s, c in under
    ]
    workload = Workload(urls, seed, label=f"{label}-{seed}", disrupt=disrupt)
    told = await workload.run(db)
    outcome.wrong += told.problems
    outcome.phases.update({f"workload.{k}": v for k, v in workload.phases.items()})
    await db.expire_connections()
    outcome.wrong += await checked(settings, db, told, marks, outcome)
    outcome.seconds = time.monotonic() - started
    return outcome


async def checked(
    settings: Settings, db: asyncpg.Pool, told: Told, marks: log.Marks, outcome: Outcome
) -> list[str]:
    """Waits for the stack to be quiet; what is wrong with the log and the projections."""
    wrong = []
    lap = time.monotonic()
    if not await checks.quiet(settings, db, list(told.cases.values()), QUIET_TIMEOUT_S):
        wrong.append(f"the stack was not quiet after {QUIET_TIMEOUT_S:g}s")
    lap = outcome.lap("quiet", lap)
    records = await log.since(settings.kafka_bootstrap_servers, marks)
    wrong += checks.on_the_log(told, records)
    wrong += await checks.in_projections(db, told, records)
    outcome.lap("checks", lap)
    return wrong


async def killed_meanwhile(
    fleet: Fleet, workload: Workload, scenario: Scenario, outcome: Outcome, db: asyncpg.Pool
) -> Told:
    """The workload while the scenario's service dies at its point (and is started again)."""
    supervised = Supervised(
        fleet, scenario.service, scenario.point, outcome.passage, scenario.kills
    )
    lap = time.monotonic()
    async with supervised.running():
        lap = outcome.lap("armed", lap)
        told = await workload.run(db)
        lap = outcome.lap("workload", lap)
        deadline = time.monotonic() + LATE_FAULT_S
        while supervised.killed < scenario.kills and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        lap = outcome.lap("late", lap)
    outcome.lap("restored", lap)
    outcome.killed = supervised.killed
    outcome.wrong += supervised.failures
    return told


async def rebuilt_meanwhile(
    workload: Workload, scenario: Scenario, outcome: Outcome, db: asyncpg.Pool
) -> Told:
    """The workload while the scenario's service is rebuilt: killed at the point, then run
    again to the end, as an operator would."""
    working = asyncio.create_task(workload.run(db))
    while not workload.told.cases and not working.done():  # noqa: ASYNC110 - a plain dict
        await asyncio.sleep(0.05)
    for _ in range(scenario.kills):
        code = await rebuild(scenario.service, armed_env(scenario.point, outcome.passage))
        if code == -signal.SIGKILL:
            outcome.killed += 1
        else:
            outcome.wrong.append(f"armed rebuild exited with {code}")
    if scenario.rebuild and await db.fetchval(LEFT_BEHIND, scenario.service):
        outcome.wrong.append(
            f"after the crash the BI views read a kept copy of {scenario.service}, frozen"
        )
    if (code := await rebuild(scenario.service, {})) != 0:
        outcome.wrong.append(f"the rebuild run again exited with {code}")
    return await working


async def rebuild(service: str, env: dict[str, str]) -> int | None:
    """`relais rebuild SERVICE` as its own process; its exit status."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"rebuild-{service}.log").open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "relais_cli.main",
            "rebuild",
            service,
            cwd=ROOT,
            env={**os.environ, **CHAOS_ENV, **env},
            stdout=out,
            stderr=out,
        )
        try:
            return await asyncio.wait_for(process.wait(), timeout=180)
        except TimeoutError:
            process.kill()
            return None
