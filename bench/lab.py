"""The lab's speed (DESIGN.md: a year of traffic, about 100,000 cases and 100 advisers, through
3 models x 10 seeds in under 60 s): `relais lab`'s own code on a generated year and the
~100-adviser example organisation, in a process of its own (its workers forked from it), timed
end to end, with the peak memory of that process and of its largest worker. Run before the
services start, like the baselines, and reported next to the same run's raw drain rate.

`python -m bench.lab --cases N --seeds S` runs it alone and prints the JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the benchmark's harness: `python -m bench.lab` alone need not import it
    from bench.context import Bench

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 60.0
# The default scenario's three: the model in force (the seed's: Liège and Charleroi
# specialised), specialised everywhere, polyvalent everywhere.
MODELS = ("in_force", "specialised", "polyvalent")


def scenario(cases: int, seeds: int) -> Any:
    from lab.models import ModelSpec
    from lab.scenario import Assumptions, Organisation, Scenario, Traffic

    return Scenario(
        title="bench",
        seeds=seeds,
        traffic=Traffic(source="generated", cases=cases),
        organisation=Organisation(source="file", file=ROOT / "lab/examples/organisation-100.json"),
        assumptions=Assumptions(specialist_speedups=(0.0,)),
        models=tuple(ModelSpec(name=m, kind=m) for m in MODELS),
    )


def measure(cases: int, seeds: int, workers: int) -> dict[str, Any]:
    from lab.run import run

    load = os.getloadavg()[0]
    began = time.perf_counter()
    result = asyncio.run(run(scenario(cases, seeds), None, workers))
    elapsed = time.perf_counter() - began
    timing = result["timing"]
    me, workers_ = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    # CPU time, the figure a shared machine changes least: wall time is CPU time over the cores
    # the other work on the machine leaves (the load average says how much there was)
    cpu = me.ru_utime + me.ru_stime + workers_.ru_utime + workers_.ru_stime
    return {
        "cases": cases,
        "models": len(MODELS),
        "seeds": seeds,
        "workers": workers,
        "advisers": sum(result["inputs"]["offices"].values()),
        "seconds": elapsed,
        "cpu_s": cpu,
        "load_average_at_start": load,
        "load_average_at_end": os.getloadavg()[0],
        "simulate_s": timing["simulate_s"],
        "simulated_cases_per_s": cases * timing["runs"] / elapsed,
        "peak_rss_mib": me.ru_maxrss / 1024,
        "peak_rss_worker_mib": workers_.ru_maxrss / 1024,
    }


async def run(bench: Bench) -> dict[str, Any]:
    """The measurement, in a fresh process; its figures join the run's table."""
    config = bench.config
    command = [sys.executable, "-m", "bench.lab", "--cases", str(config.lab_cases)]
    command += ["--seeds", str(config.lab_seeds), "--workers", str(config.lab_workers)]
    done = await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, check=True, capture_output=True, text=True
    )
    found: dict[str, Any] = json.loads(done.stdout)
    drain = bench.results.get("baselines", {}).get("kafka_drain", {}).get("rate_per_s")
    runs = f"{found['cases']:,} cases x {found['models']} models x {found['seeds']} seeds"
    full = found["cases"] >= 100_000 and found["seeds"] >= 10  # the target's size
    bench.results.setdefault("extra_figures", []).extend(
        [
            {
                "figure": f"lab: {runs} ({found['advisers']} advisers, {found['workers']} workers)",
                "value": round(found["seconds"], 1),
                "unit": "s",
                "target": f"< {TARGET_S:g} s" if full else "(for 100,000 x 3 x 10 only)",
                "met": found["seconds"] < TARGET_S if full else None,
            },
            {
                "figure": "lab: CPU time, user + sys, all processes (load average at start / end)",
                "value": round(found["cpu_s"], 1),
                "unit": f"s ({found['load_average_at_start']:.1f} / "
                f"{found['load_average_at_end']:.1f})",
            },
            {
                "figure": "lab: simulated cases per second",
                "value": round(found["simulated_cases_per_s"]),
                "unit": "cases/s",
                "baseline": "raw aiokafka getmany drain (msg/s)",
                "baseline_value": drain,
            },
            {
                "figure": "lab: peak RSS (main process / largest worker)",
                "value": round(found["peak_rss_mib"], 1),
                "unit": f"MiB / {found['peak_rss_worker_mib']:.0f} MiB",
            },
        ]
    )
    return found


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.cases, args.seeds, args.workers)))


if __name__ == "__main__":
    cli()
