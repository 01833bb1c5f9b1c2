"""Crash tests (`make chaos`): the four services as processes, started once for the session,
against the real broker and database; each scenario swaps one of them for an armed process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.chaos.fleet import Fleet
from tests.support.chaos.scenarios import SERVICES


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    started = Fleet.started(SERVICES)
    yield started
    started.stop()
