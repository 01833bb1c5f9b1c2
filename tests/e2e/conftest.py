"""End-to-end: the services run as real processes against the real broker and database (the
session's service fixtures are tests/support/service_fixtures.py's, shared with tests/browser)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.processes import ServiceProcess
from tests.support.traces import tracing_env

SECONDS = 1 / 3600
# advisory's SLA policy in seconds, round the clock: its clocks warn, breach and escalate while
# a test waits.
SHORT_SLA = {
    "RELAIS_SLA_TICK_SECONDS": "0.3",
    "RELAIS_SLA_TARGETS_HOURS": json.dumps(
        {
            p: {"first_response": 3 * SECONDS, "resolution": 6 * SECONDS}
            for p in ("high", "normal", "low")
        }
    ),
    "RELAIS_SLA_OPENS": "00:00:00",
    "RELAIS_SLA_CLOSES": "23:59:59.999999",
    "RELAIS_SLA_WORKDAYS": "[0, 1, 2, 3, 4, 5, 6]",
    "RELAIS_SLA_PUBLIC_HOLIDAYS": "false",
    "RELAIS_SLA_POLICY_VERSION": "99",
}


@pytest.fixture
def short_sla_advisory(advisory: ServiceProcess) -> Iterator[ServiceProcess]:
    """advisory with the test policy for this test only; the session's one is back after."""
    advisory.stop()
    short = ServiceProcess("advisory", {**tracing_env("advisory"), **SHORT_SLA}).start()
    try:
        yield short
    finally:
        short.stop()
        advisory.start()
