"""A few of `make chaos`'s crash scenarios, with one seed: a service killed -9 at a fault point
(``shared.faults``) while members, staff and ops work through the four services, then started
again; nothing accepted is lost, nothing applied twice (``tests/support/chaos/checks.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.chaos.fleet import Fleet
from tests.support.chaos.run import run
from tests.support.chaos.scenarios import Scenario
from tests.support.processes import ServiceProcess

# One per service, each at a different kind of point.
SUBSET = [
    Scenario("intake", "http.committed"),
    Scenario("routing", "consumer.committed"),
    Scenario("advisory", "outbox.acked"),
    Scenario("admin", "http.recording"),
]


@pytest.fixture(scope="module")
def fleet(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> Iterator[Fleet]:
    """The session's services; those the scenarios replaced are put back afterwards (the
    other tests expect them as they were started, traced)."""
    originals = {"intake": intake, "routing": routing, "advisory": advisory, "admin": admin}
    fleet = Fleet(dict(originals))
    yield fleet
    for name, original in originals.items():
        if fleet.processes[name] is not original:
            fleet.processes[name].stop()
            original.start()


@pytest.mark.parametrize("scenario", SUBSET, ids=lambda s: s.id)
async def test_a_crash_at_a_fault_point_loses_and_doubles_nothing(
    fleet: Fleet, scenario: Scenario, settings: Settings, db: asyncpg.Pool
) -> None:
    # Given the four services serving, one of them armed to die at the point
    # When requests, ops' changes, claims, resolutions and task completions go through them,
    # and it dies there (and is started again)
    outcome = await run(fleet, scenario, 1, settings, db)
    # Then it died once, and every request and command took effect exactly once
    assert outcome.killed == 1
    assert outcome.wrong == []
