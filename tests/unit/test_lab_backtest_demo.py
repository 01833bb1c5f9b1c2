"""The backtest on the log a `make run` demo left behind on a fresh stack: replaying the model
in force routes every case as live routing did and reproduces the measured waits and breach
rates within the issue's tolerances, with the default scenario.

The log (tests/support/logs/demo-run.tsv.gz: one `topic<TAB>event` a line, the members' free
text and names blanked) is every record of the topics the lab reads after `relais run
--requests 300 --rate 10 --seconds 180` on a stack started empty (2026-12-03)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from lab.inputs import Inputs, assemble
from lab.run import simulate
from lab.scenario import Scenario
from shared.codec import decode

LOG = Path(__file__).resolve().parents[1] / "support" / "logs" / "demo-run.tsv.gz"


def demo_log() -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    with gzip.open(LOG, "rt") as lines:
        for line in lines:
            topic, value = line.rstrip("\n").split("\t", 1)
            found.setdefault(topic, []).append(decode(topic, value.encode()))
    return found


@pytest.fixture(scope="module")
def demo() -> tuple[Scenario, Inputs]:
    scenario = Scenario(seeds=5)
    return scenario, assemble(scenario, demo_log())


def test_the_default_scenario_reads_a_demo_log_in_continuous_time(
    demo: tuple[Scenario, Inputs],
) -> None:
    # a log of minutes is a compressed one: business hours would fold it into nothing
    _, inputs = demo
    assert len(inputs.cases) == 300
    assert inputs.clock.calendar is None


def test_replaying_the_model_in_force_reproduces_the_demo(demo: tuple[Scenario, Inputs]) -> None:
    scenario, inputs = demo
    backtest = simulate(scenario, inputs, workers=1)["backtest"]
    # every routing decision identical
    assert backtest["decisions"] == backtest["identical"] == 300
    # and every outcome within its tolerance (median wait ±10 %, p90 ±15 %, breaches ±2 points)
    rows = {r["measure"]: r for r in backtest["outcomes"]}
    assert set(rows) == {
        "wait_p50_h",
        "wait_p90_h",
        "breach_first_response",
        "breach_resolution",
    }
    for name, row in rows.items():
        assert row["within"], (name, row)
        assert row["noise_sd"] == row["noise_sd"], name  # the period's own noise is shown
    assert rows["wait_p50_h"]["measured"] > 0
    # the median within a few percent: routing's own latency is part of the pickup the lab
    # estimates (counted from the receipt; from the routing it left the simulation 6 % short)
    median = rows["wait_p50_h"]
    assert abs(median["simulated"] - median["measured"]) < 0.03 * median["measured"]
    assert backtest["within_tolerance"]
