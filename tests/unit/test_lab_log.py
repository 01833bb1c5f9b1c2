"""The lab on a log (built by the services' own pure code, no broker): the requests, the
routings and the cases' lives are read back, the routing decisions reproduced, the service
times estimated, and the model in force held against the period."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from lab.inputs import NothingToReplay, assemble
from lab.run import simulate
from lab.scenario import Assumptions, Scenario, Traffic
from tests.support.lifecycles import logs

SCENARIO = Scenario(seeds=2, assumptions=Assumptions(clock="continuous"))


def log_of(cases: int) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for topic, event in logs(cases):
        found[topic].append(event)
    return found


def test_a_log_is_replayed_with_its_backtest_first() -> None:
    # Given a log of 60 whole case lives, from request to resolution, escalations and waits
    inputs = assemble(SCENARIO, log_of(60))
    assert len(inputs.cases) == 60
    assert inputs.durations.source == "estimated from 60 cases of the log"
    # When the lab replays it
    result = simulate(SCENARIO, inputs, workers=1)
    # Then every first routing is decided again identically, from the same inputs
    backtest = result["backtest"]
    assert backtest["decisions"] == 60
    assert backtest["identical"] == backtest["replayed_from_inputs"] == 60
    # ...and the outcomes measured on the log stand beside the simulated ones
    rows = {r["measure"]: r for r in backtest["outcomes"]}
    assert set(rows) == {
        "wait_p50_h",
        "wait_p90_h",
        "breach_first_response",
        "breach_resolution",
    }
    assert rows["wait_p50_h"]["measured"] > 0
    assert result["variants"][0]["model"] == "in force"


def test_a_period_without_requests_is_refused() -> None:
    late = SCENARIO.model_copy(update={"traffic": Traffic(since="2100-01-01T00:00:00+00:00")})
    with pytest.raises(NothingToReplay):
        assemble(late, log_of(5))
