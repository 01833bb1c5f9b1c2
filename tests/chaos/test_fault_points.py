"""Every service killed -9 at every fault point it has (``shared.faults``), with each seed:
after the restart nothing accepted is lost and nothing is applied twice, on the log or in any
projection (``tests/support/chaos/checks.py`` says exactly what is checked)."""

from __future__ import annotations

import json
import time

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.chaos.fleet import Fleet
from tests.support.chaos.run import Outcome, run
from tests.support.chaos.scenarios import SCENARIOS, SEEDS, Scenario
from tests.support.processes import ROOT

RESULTS = ROOT / ".local" / "chaos" / "results.jsonl"


def record(outcome: Outcome) -> None:
    """One line per run, for the figures of `make chaos`."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scenario": outcome.scenario.id,
        "seed": outcome.seed,
        "passage": outcome.passage,
        "killed": outcome.killed,
        "seconds": round(outcome.seconds, 1),
        "wrong": outcome.wrong,
        "phases": outcome.phases,
    }
    with RESULTS.open("a") as out:
        out.write(json.dumps(line) + "\n")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
async def test_a_crash_at_a_fault_point_loses_and_doubles_nothing(
    fleet: Fleet, scenario: Scenario, seed: int, settings: Settings, db: asyncpg.Pool
) -> None:
    # Given the four services serving, one of them (or its rebuild) armed to die at the point
    # When members, staff and ops work through them, and it dies there (and is started again)
    outcome = await run(fleet, scenario, seed, settings, db)
    record(outcome)
    # Then it died as often as armed, and every request and command took effect exactly once
    assert outcome.killed == scenario.kills
    assert outcome.wrong == []
