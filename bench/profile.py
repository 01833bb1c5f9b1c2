"""Phase: where each service's CPU goes. py-spy samples every service process while requests
flow through intake's HTTP API at half its maximum; the samples are summed by component (our
code, pydantic, asyncpg, aiokafka, FastStream, FastAPI/Starlette, uvicorn, the loop) and the
hottest functions listed — the evidence behind any target the run misses."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.context import Bench
from bench.drivers import HttpDriver
from bench.steps import run_step, wait_until

# Leaf frame's file path prefix -> component.
COMPONENTS = (
    (("services/", "shared/"), "our code"),
    (("pydantic/", "pydantic_core/"), "pydantic"),
    (("asyncpg/",), "asyncpg"),
    (("aiokafka/",), "aiokafka"),
    (("faststream/", "fast_depends/"), "FastStream"),
    (("fastapi/", "starlette/"), "FastAPI/Starlette"),
    (("uvicorn/", "httptools/"), "uvicorn"),
)
STDLIB = "stdlib"
# uvloop runs in C under asyncio's Runner: its own work (I/O, callbacks) and idle time land here.
LOOP = "event loop (uvloop)"
ORDER = (*(name for _, name in COMPONENTS), STDLIB, LOOP)
SAMPLE_RATE = 100


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def component(frame: str) -> str:
    if frame.startswith("Runner.run (") or "uvloop/" in frame:
        return LOOP
    path = frame.rpartition("(")[2]
    for prefixes, name in COMPONENTS:
        if any(p in path for p in prefixes):
            return name
    return STDLIB


def summarise(collapsed: str) -> dict[str, Any]:
    """Shares of samples by component (leaf frame) and the hottest functions."""
    by_component: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        by_component[component(frames[-1])] += n
        leaves[frames[-1]] += n
        for frame in set(frames):
            if component(frame) == "our code":
                ours[frame] += n
    share = {k: round(by_component[k] / total, 3) for k in ORDER} if total else {}
    return {
        "samples": total,
        "share_by_component": share,
        "hottest_functions": [(f, round(n / total, 3)) for f, n in leaves.most_common(8)],
        "our_functions_inclusive": [(f, round(n / total, 3)) for f, n in ours.most_common(8)],
    }


async def record(spy: str, pid: int, seconds: float, out: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--nonblocking",
        "-p",
        str(pid),
        "-d",
        str(max(1, int(seconds))),
        "-r",
        str(SAMPLE_RATE),
        "-f",
        "raw",
        "-o",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def run(bench: Bench) -> dict[str, Any]:
    spy = py_spy()
    if spy is None:
        return {"skipped": "py-spy is not installed (a dev dependency: make bench installs it)"}
    config = bench.config
    http_runs = bench.results.get("pipeline", {}).get("http", [])
    maximum = next((r["max_sustained_per_s"] for r in http_runs if r["intake_processes"] == 1), 0)
    rate = max(1.0, round(0.5 * (maximum or config.http_steps[0])))
    intakes = bench.services.ensure_intakes(1)
    driver = HttpDriver([c.url for c in intakes], config.http_connections, config.members, 99)
    final = bench.trackers.final
    await wait_until(lambda: final.lag <= 0, 60.0)
    children = [c for c in bench.services.children if c.alive()]
    with tempfile.TemporaryDirectory() as folder:
        files = {c.name: Path(folder) / f"{c.name}.txt" for c in children}
        spies = [
            await record(spy, c.process.pid, config.profile_seconds, files[c.name])
            for c in children
        ]
        step = await run_step(
            driver, bench.trackers, rate, config.profile_seconds, config, bench.resources
        )
        await asyncio.gather(*(s.wait() for s in spies))
        profiles = {
            name: summarise(path.read_text()) for name, path in files.items() if path.exists()
        }
    return {"rate_per_s": rate, "throughput_per_s": step["throughput_per_s"], "services": profiles}
