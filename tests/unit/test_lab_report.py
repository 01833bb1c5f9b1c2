"""A whole lab run on generated traffic: the result (JSON-ready), the HTML report, the
scenario file format."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson

from lab import report
from lab.run import run
from lab.scenario import Scenario, load

EXAMPLE = Path(__file__).parents[2] / "lab" / "examples"

SMALL = """
title = "small"
seeds = 3
[traffic]
source = "generated"
cases = 1500
[organisation]
source = "file"
file = "lab/examples/organisation-100.json"
[assumptions]
specialist_speedups = [0.0, -0.2]
[[models]]
name = "polyvalent"
kind = "polyvalent"
[[models]]
name = "specialised"
kind = "specialised"
[[models]]
name = "polyvalent, one more at payments in Bruxelles"
kind = "polyvalent"
[[models.staffing]]
office = "bruxelles"
desk = "payments"
languages = ["fr", "nl"]
"""


def test_a_generated_scenario_gives_a_report_and_a_json_result(tmp_path: Path) -> None:
    # Given a scenario file of three models on generated traffic
    path = tmp_path / "s.toml"
    path.write_text(SMALL)
    scenario = load(path)
    # When the lab runs it in one process
    result = asyncio.run(run(scenario, None, workers=1))
    # Then each model (specialised at each speed-up) has every measure, with intervals
    labels = [v["label"] for v in result["variants"]]
    assert labels == [
        "polyvalent",
        "specialised",
        "specialised (specialists -20%)",
        "polyvalent, one more at payments in Bruxelles",
    ]
    wait = result["variants"][1]["measures"]["all"]["wait_p50_h"]
    assert wait["n"] == 3
    assert wait["low"] <= wait["mean"] <= wait["high"]
    assert set(result["variants"][0]["measures"]) >= {"all", "bruxelles", "liege"}
    # the reference's paired difference from itself is nought
    assert result["variants"][0]["difference"]["all"]["wait_p90_h"]["mean"] == 0
    assert result["backtest"] is None  # nothing to hold a generated year against
    assert {b["model"] for b in result["break_even"]} == {"specialised"}
    # ...the JSON result and the self-contained HTML report
    assert orjson.loads(orjson.dumps(result))["title"] == "small"
    html = report.render(result)
    assert "<svg" in html
    assert "Break-even" in html
    assert "http" not in html.split("</style>")[1]  # nothing fetched


def test_the_documented_examples_are_valid_scenarios() -> None:
    for path in sorted(EXAMPLE.glob("*.toml")):
        assert isinstance(load(path), Scenario), path
    assert load(None).models[0].kind == "in_force"
