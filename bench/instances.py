"""Phase: the pipeline with 1 and then 3 instances of every service (issue 16), at one fixed
rate driven straight onto `request-received`, giving the CPU per case of each instance.

On a 2-core machine more instances cannot be faster: this measures what coordination costs
(more consumer-group members, smaller batches per member, one outbox relay per service active
and the others standing by, advisory's ticks taking turns). docs/scaling.md turns the figures
into a capacity model."""

from __future__ import annotations

from typing import Any

from bench.context import Bench
from bench.drivers import DirectDriver
from bench.steps import settle_then
from services.catalog import BUILDERS


def per_service(cpu_us: dict[str, int], instances: int) -> dict[str, dict[str, float]]:
    """Per service: the CPU per case of all its instances together, and per instance."""
    result: dict[str, dict[str, float]] = {}
    for name in BUILDERS:
        mine = [v for k, v in cpu_us.items() if k == name or k.startswith(f"{name}-")]
        if mine:
            total = float(sum(mine))
            result[name] = {"all_us": total, "per_instance_us": round(total / instances, 1)}
    return result


async def run(bench: Bench) -> dict[str, Any]:
    config = bench.config
    driver = DirectDriver(bench.bootstrap, config.members, config.seed + 16)
    await driver.start()
    cases: list[dict[str, Any]] = []
    try:
        for count in config.instance_counts:
            bench.services.ensure_instances(list(BUILDERS), count)
            step = await settle_then(
                driver, bench.trackers, config.instances_rate, config, bench.resources
            )
            cases.append(
                {
                    "instances": count,
                    "rate_per_s": config.instances_rate,
                    "sustained": step["sustained"],
                    "cpu_us_per_case": step["cpu_us_per_case"],
                    "per_service": per_service(step["cpu_us_per_case"], count),
                    "latency": step["latency"],
                }
            )
    finally:
        await driver.stop()
        bench.services.ensure_instances(list(BUILDERS), 1)
    return {"cases": cases}
