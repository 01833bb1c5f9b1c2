"""The benchmark harness still works: a smoke run with tiny volumes on the real stack produces
a complete, well-formed result. No speed is asserted — only that every phase measured
something and that every case sent came out at the pipeline's end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.config import smoke
from bench.run import main
from tests.support.processes import TEST_PORT_BASE

# Away from the e2e services' ports (TEST_PORT_BASE + 1..4).
PORT_BASE = TEST_PORT_BASE + 20


def all_steps(result: dict[str, Any]) -> list[dict[str, Any]]:
    pipeline = result["pipeline"]
    runs = [pipeline["request-received"], *pipeline["http"]]
    steps: list[dict[str, Any]] = [s for run in runs for s in run["steps"]]
    return steps + list(result["latency"]["runs"])


async def test_smoke_run_writes_a_complete_result(tmp_path: Path) -> None:
    # When the harness runs every phase with tiny volumes
    json_path, md_path = await main(smoke(PORT_BASE), "smoke", tmp_path)
    result = json.loads(json_path.read_text())
    # Then the environment says where the figures come from
    env = result["environment"]
    assert env["logical_cores"] >= 1
    assert env["kafka"][0].isdigit()
    assert env["postgresql"]["server_version"]
    assert len(env["git"]["commit"]) == 40
    # And every baseline measured a positive rate, and the raw hop a latency
    baselines = result["baselines"]
    for name in ("kafka_produce", "kafka_drain", "pg_copy", "pg_upsert"):
        assert baselines[name]["rate_per_s"] > 0, name
    assert baselines["kafka_drain"]["messages"] >= baselines["kafka_produce"]["messages"]
    assert baselines["kafka_hop_latency"]["count"] > 0
    # And each step sent its cases, lost none, and timed every one at every end point
    steps = all_steps(result)
    assert {s["driver"] for s in steps} == {"request-received", "intake HTTP"}
    for step in steps:
        assert step["due"] > 0
        assert not step["errors"], step["errors"]
        assert step["all_visible"], step
        for endpoint, latency in step["latency"].items():
            assert latency["count"] == step["due"], (endpoint, step)
            assert latency["p50_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    # And at the cooperative's pace every case became readable through advisory's API
    pace = result["pace"]
    assert pace["readable"] == pace["sent"] > 0, pace
    assert pace["accept_to_readable"]["p50_ms"] <= pace["accept_to_readable"]["p95_ms"]
    # And memory was sampled for the services and the broker
    peaks = result["memory"]["peak_rss_mb"]
    assert peaks["intake"] > 0
    assert peaks["routing"] > 0
    # And the profile phase either sampled the services or says why it could not
    profile = result["profile"]
    assert "services" in profile or "skipped" in profile
    # And the Markdown table puts figures next to baselines, also as latest.md
    table = md_path.read_text()
    assert "| figure | value | baseline (same run) | ratio | target | met |" in table
    assert "pipeline max sustained" in table
    assert (tmp_path / "latest.md").read_text() == table
    assert {f["figure"] for f in result["figures"]} >= {
        "baseline: raw aiokafka getmany drain",
        "peak RSS: routing",
    }
