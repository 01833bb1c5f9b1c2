"""`python -m bench.run` (`make bench`): one run of every phase on the real stack (`make up`),
written to bench/results/. `--smoke` runs tiny volumes in seconds (CI); no speed is asserted."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import psutil
import uvloop

from bench import (
    baselines,
    environment,
    figures,
    instances,
    lab,
    latency,
    pace,
    pipeline,
    profile,
    report,
)
from bench.config import BenchConfig, smoke
from bench.context import Bench
from bench.endpoint import Endpoints, default_endpoints
from bench.memory import Resources
from bench.stack import Services, admin_dsn
from bench.tracker import Trackers
from services.catalog import BUILDERS
from shared.settings import Settings

Phase = Callable[[Bench], Awaitable[dict[str, Any]]]
# Phases that need the services running, in order. A later phase (issue 5's rebuild) is one
# more entry here.
LOAD_PHASES: dict[str, Phase] = {
    "pipeline": pipeline.run,
    "instances": instances.run,
    "latency": latency.run,
    "pace": pace.run,
    "profile": profile.run,
}


async def postgres_pid(pool: asyncpg.Pool) -> int | None:
    """The postmaster's pid when PostgreSQL runs on this machine (for its CPU figures)."""
    if os.environ.get("DATABASE_URL"):
        return None
    backend = await pool.fetchval("SELECT pg_backend_pid()")
    with contextlib.suppress(psutil.Error):
        return psutil.Process(backend).ppid()
    return None


def notes() -> list[str]:
    found = []
    if "advisory" not in BUILDERS:
        found.append(
            "advisory does not exist yet: the pipeline's end is `routed` on the log (routing "
            "has committed its projection and relayed the decision). When advisory lands, "
            "bench/endpoint.py adds 'advisory projection' as the end point."
        )
    found.append(
        "Load average at start shows whether the machine was shared during the run; compare "
        "ratios to the same run's baselines rather than absolute figures across runs."
    )
    return found


async def run_phases(bench: Bench, endpoints: Endpoints) -> None:
    phases = bench.config.phases
    results = bench.results
    if "environment" in phases:
        results["environment"] = await environment.collect(bench.pool)
    if "baselines" in phases:  # before the services start: the tools have the machine alone
        results["baselines"] = await baselines.run(bench)
    if "lab" in phases:  # CPU-bound: also before the services start
        results["lab"] = await lab.run(bench)
    wanted = [name for name in LOAD_PHASES if name in phases]
    if not wanted:
        return
    # Every service of the catalogue (advisory and admin too once they exist: the pipeline's
    # end moves to advisory's projection, and every service's memory is measured).
    for name in BUILDERS:
        if name != "intake":
            bench.services.start(name)
    bench.services.ensure_intakes(1)
    await endpoints.start(bench.trackers)
    try:
        for name in wanted:
            results[name] = await LOAD_PHASES[name](bench)
    finally:
        await endpoints.stop()


async def main(config: BenchConfig, preset: str, folder: Path) -> tuple[Path, Path]:
    settings = Settings()
    pool = await asyncpg.create_pool(admin_dsn(settings), min_size=1, max_size=4)
    assert pool is not None
    services = Services(settings, config.port_base or settings.port_base)
    resources = Resources(services, await postgres_pid(pool))
    endpoints = default_endpoints(settings.kafka_bootstrap_servers, pool)
    trackers = Trackers(endpoints.names)
    bench = Bench(config, settings, pool, services, resources, trackers)
    bench.results.update(
        started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        preset=preset,
        config=config.as_dict(),
        notes=notes(),
    )
    resources.start()
    try:
        await run_phases(bench, endpoints)
    finally:
        await resources.stop()
        services.stop_all()
        await pool.close()
    if "memory" in config.phases:
        bench.results["memory"] = resources.result()
    return report.write(bench.results, folder)


def parse(argv: list[str] | None = None) -> tuple[BenchConfig, str, Path]:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny volumes, a few seconds")
    parser.add_argument("--kafka-messages", type=int, help="baseline messages (default 1M)")
    parser.add_argument("--pg-rows", type=int, help="baseline rows (default 1M)")
    parser.add_argument("--step-seconds", type=float, help="seconds per open-loop step")
    parser.add_argument(
        "--phases", help="comma-separated subset of " + ",".join(BenchConfig.phases)
    )
    parser.add_argument("--pipeline-steps", help="comma-separated rates onto request-received")
    parser.add_argument("--http-steps", help="comma-separated rates per intake process")
    parser.add_argument("--intake-processes", help="comma-separated intake process counts")
    parser.add_argument("--instance-counts", help="instances phase: processes of each service")
    parser.add_argument("--instances-rate", type=int, help="instances phase: requests/s")
    parser.add_argument("--port-base", type=int, help="ports of the services the bench starts")
    parser.add_argument("--output", type=Path, help="results folder (default bench/results)")
    args = parser.parse_args(argv)
    config = smoke(args.port_base) if args.smoke else BenchConfig(port_base=args.port_base)
    overrides: dict[str, Any] = {
        "kafka_messages": args.kafka_messages,
        "pg_rows": args.pg_rows,
        "step_seconds": args.step_seconds,
        "phases": tuple(args.phases.split(",")) if args.phases else None,
        "pipeline_steps": numbers(args.pipeline_steps),
        "http_steps": numbers(args.http_steps),
        "intake_processes": numbers(args.intake_processes),
        "instance_counts": numbers(args.instance_counts),
        "instances_rate": args.instances_rate,
    }
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    # A smoke run must not replace latest.md: it measures nothing.
    folder = args.output or (report.RESULTS / "smoke" if args.smoke else report.RESULTS)
    return config, "smoke" if args.smoke else "full", folder


def numbers(listed: str | None) -> tuple[int, ...] | None:
    """A comma-separated list of integers (e.g. one step's rate, to study it alone)."""
    return tuple(int(n) for n in listed.split(",")) if listed else None


def cli(argv: list[str] | None = None) -> None:
    # The harness signs dev tokens and starts local services: the dev environment, unless the
    # caller chose one (make exports it; a direct `python -m bench.run` may not).
    os.environ.setdefault("RELAIS_ENV", "dev")
    config, preset, folder = parse(argv)
    json_path, md_path = uvloop.run(main(config, preset, folder))
    print(md_path.read_text())
    results = json.loads(json_path.read_text())
    print("\n".join(figures.targets(results)))
    print(f"[bench] wrote {json_path} and {md_path}")


if __name__ == "__main__":
    cli()
