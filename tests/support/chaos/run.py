"""One crash scenario, start to end: mark the log, run the workload while the armed process is
killed (and started again) at its point, wait for the stack to be quiet, check exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field

import asyncpg

from shared.settings import Settings
from tests.support.chaos import checks, log
from tests.support.chaos.fleet import CHAOS_ENV, Fleet, Supervised, armed_env
from tests.support.chaos.scenarios import Scenario
from tests.support.chaos.workload import Told, Workload
from tests.support.processes import LOGS, ROOT

QUIET_TIMEOUT_S = 120.0
# An SLA round or an outbox batch can come after the last answer: the fault may fire then.
LATE_FAULT_S = 20.0
# Where a rebuild's crash leaves something behind that only the next rebuild clears.
LEFT_BEHIND = """
SELECT count(*) FROM information_schema.view_table_usage
WHERE view_schema = 'bi' AND table_schema = $1"""


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
    outcome.phases.update({f"workload.{k}": v for k, v in workload.phases.items()})
    if outcome.killed != scenario.kills:
        outcome.wrong.append(f"killed {outcome.killed} times, expected {scenario.kills}")
    lap = time.monotonic()
    if not await checks.quiet(settings, db, list(told.cases.values()), QUIET_TIMEOUT_S):
        outcome.wrong.append(f"the stack was not quiet after {QUIET_TIMEOUT_S:g}s")
    lap = outcome.lap("quiet", lap)
    records = await log.since(bootstrap, marks)
    outcome.wrong += checks.on_the_log(told, records)
    outcome.wrong += await checks.in_projections(db, told, records)
    outcome.lap("checks", lap)
    outcome.seconds = time.monotonic() - started
    return outcome


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
    schema = f"{scenario.service}_previous"
    if scenario.point == "rebuild.swapped" and await db.fetchval(LEFT_BEHIND, schema):
        outcome.wrong.append(f"after the crash the BI views read {schema}, a frozen copy")
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
