"""Phase 4: end-to-end latency (p50, p95, p99, p99.9) at fractions (10%, 50%) of the maximum
sustained rate: straight onto `request-received` (from the moment the event is due on the log),
and through intake's HTTP API (from the request's due time, and from intake's 202)."""

from __future__ import annotations

from typing import Any

from bench.context import Bench
from bench.drivers import DirectDriver, HttpDriver
from bench.steps import Driver, run_step, wait_until


def rate_at(fraction: float, maximum: float, fallback: float) -> float:
    """The step's rate; without a sustained maximum (smoke runs), a fraction of the lowest step."""
    return max(1.0, round(fraction * (maximum or fallback)))


async def measure(bench: Bench, driver: Driver, rate: float, fraction: float) -> dict[str, Any]:
    final = bench.trackers.final
    await wait_until(lambda: final.lag <= 0, 60.0)
    step = await run_step(
        driver, bench.trackers, rate, bench.config.latency_seconds, bench.config, bench.resources
    )
    step["fraction_of_max"] = fraction
    return step


async def run(bench: Bench) -> dict[str, Any]:
    config = bench.config
    pipeline = bench.results.get("pipeline", {})
    runs: list[dict[str, Any]] = []
    direct_max = pipeline.get("request-received", {}).get("max_sustained_per_s", 0)
    driver = DirectDriver(bench.bootstrap, config.members, config.seed + 100)
    await driver.start()
    try:
        for fraction in config.latency_fractions:
            rate = rate_at(fraction, direct_max, config.pipeline_steps[0])
            runs.append(await measure(bench, driver, rate, fraction))
    finally:
        await driver.stop()
    http_runs = pipeline.get("http", [])
    processes = max(config.intake_processes)
    http_max = next(
        (r["max_sustained_per_s"] for r in http_runs if r["intake_processes"] == processes), 0
    )
    intakes = bench.services.ensure_intakes(processes)
    http = HttpDriver(
        [c.url for c in intakes], config.http_connections, config.members, config.seed + 200
    )
    for fraction in config.latency_fractions:
        rate = rate_at(fraction, http_max, config.http_steps[0] * processes)
        runs.append(await measure(bench, http, rate, fraction))
    bench.services.ensure_intakes(1)
    return {"runs": runs}
