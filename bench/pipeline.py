"""Phase 3: the highest request rate the pipeline sustains with bounded lag, driven open-loop
straight onto `request-received`, then through intake's HTTP API with 1, 2, … intake processes
(the outbox relay is single-active per service: the extra processes share the HTTP work)."""

from __future__ import annotations

from typing import Any

from bench.context import Bench
from bench.drivers import DirectDriver, HttpDriver
from bench.steps import search


async def direct(bench: Bench) -> dict[str, Any]:
    config = bench.config
    driver = DirectDriver(bench.bootstrap, config.members, config.seed)
    await driver.start()
    try:
        return await search(driver, bench.trackers, config.pipeline_steps, config, bench.resources)
    finally:
        await driver.stop()


async def http(bench: Bench, processes: int) -> dict[str, Any]:
    config = bench.config
    intakes = bench.services.ensure_intakes(processes)
    driver = HttpDriver(
        [c.url for c in intakes], config.http_connections, config.members, config.seed + processes
    )
    rates = tuple(rate * processes for rate in config.http_steps)
    result = await search(driver, bench.trackers, rates, config, bench.resources)
    result["intake_processes"] = processes
    result["max_sustained_per_process_per_s"] = result["max_sustained_per_s"] / processes
    return result


async def run(bench: Bench) -> dict[str, Any]:
    results: dict[str, Any] = {"request-received": await direct(bench)}
    results["http"] = [await http(bench, n) for n in bench.config.intake_processes]
    bench.services.ensure_intakes(1)
    return results
