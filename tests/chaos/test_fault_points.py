"""Every service killed -9 at every fault point it has (``shared.faults``), with each seed:
after the restart nothing accepted is lost and nothing is applied twice, on the log or in any
projection (``tests/support/chaos/checks.py`` says exactly what is checked)."""

from __future__ import annotations

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.chaos.fleet import Fleet
from tests.support.chaos.results import record
from tests.support.chaos.run import run
from tests.support.chaos.scenarios import SCENARIOS, SEEDS, Scenario


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
