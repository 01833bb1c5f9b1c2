"""Kafka, then PostgreSQL, stopped under each service while the work flows through it, and
started again: nothing accepted is lost, nothing applied twice. Named to run last: it stops
and restarts the shared stack."""

from __future__ import annotations

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.chaos.fleet import Fleet
from tests.support.chaos.outages import COMPONENTS, local_stack
from tests.support.chaos.results import record
from tests.support.chaos.run import run_outages
from tests.support.chaos.scenarios import SERVICES

pytestmark = pytest.mark.skipif(
    not local_stack(), reason="stops the stack: only the local one, not external infrastructure"
)


@pytest.mark.parametrize("component", COMPONENTS)
@pytest.mark.parametrize("service", SERVICES)
async def test_an_outage_under_a_service_loses_and_doubles_nothing(
    fleet: Fleet, service: str, component: str, settings: Settings, db: asyncpg.Pool
) -> None:
    # Given the four services serving
    # When the component is stopped as the service's part of the work begins, and restarted
    outcome = await run_outages(fleet, [(service, component)], 1, settings, db)
    record(outcome)
    # Then every request and command took effect exactly once
    assert outcome.wrong == []
