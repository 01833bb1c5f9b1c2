"""PostgreSQL stopped while advisory takes staff commands, then Kafka stopped while admin opens
tasks, in one flow of work through the four services: nothing accepted is lost, nothing
applied twice. (`make chaos` stops each under each service.) Named to run last: it stops and
restarts the shared stack."""

from __future__ import annotations

import asyncpg
import pytest

from shared.settings import Settings
from tests.support.chaos.fleet import Fleet
from tests.support.chaos.outages import local_stack
from tests.support.chaos.run import run_outages
from tests.support.processes import ServiceProcess


@pytest.mark.skipif(
    not local_stack(), reason="stops the stack: only the local one, not external infrastructure"
)
async def test_outages_under_advisory_and_admin_lose_and_double_nothing(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    settings: Settings,
    db: asyncpg.Pool,
) -> None:
    fleet = Fleet({"intake": intake, "routing": routing, "advisory": advisory, "admin": admin})
    # Given the four services serving
    # When PostgreSQL stops as advisers claim and resolve, and Kafka as admin opens the tasks
    under = [("advisory", "postgres"), ("admin", "kafka")]
    outcome = await run_outages(fleet, under, 7, settings, db, seconds=8.0)
    # Then the commands were retried until answered, and every one took effect exactly once
    assert outcome.wrong == []
