"""Phase 5: peak resident memory of every service and of the broker, sampled all through the
load phases; and CPU seconds per process, so a step's result shows who used the two cores."""

from __future__ import annotations

import asyncio
import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

import psutil

from bench.stack import Services, broker_pid

MIB = 2**20


@dataclass
class Resources:
    """Samples RSS every ``interval`` seconds while running; keeps the peak per process."""

    services: Services
    postgres_pid: int | None = None
    interval: float = 0.25
    peak_mb: dict[str, float] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    def processes(self) -> dict[str, psutil.Process]:
        found: dict[str, psutil.Process] = {}
        for child in self.services.children:
            if child.alive():
                with contextlib.suppress(psutil.Error):
                    found[child.name] = psutil.Process(child.process.pid)
        pid = broker_pid()
        if pid is not None:
            with contextlib.suppress(psutil.Error):
                found["kafka broker"] = psutil.Process(pid)
        found["bench harness"] = psutil.Process(os.getpid())
        return found

    def sample(self) -> None:
        for name, process in self.processes().items():
            with contextlib.suppress(psutil.Error):
                mb = process.memory_info().rss / MIB
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), mb)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by each process; PostgreSQL summed over its
        backends (they come and go, so only deltas between two calls are meaningful)."""
        used: dict[str, float] = {}
        for name, process in self.processes().items():
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                used[name] = times.user + times.system
        if self.postgres_pid is not None:
            with contextlib.suppress(psutil.Error):
                postmaster = psutil.Process(self.postgres_pid)
                total = 0.0
                for process in [postmaster, *postmaster.children()]:
                    with contextlib.suppress(psutil.Error):
                        times = process.cpu_times()
                        total += times.user + times.system
                used["postgresql"] = total
        return used

    async def _run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bench-resources")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def result(self) -> dict[str, Any]:
        return {"peak_rss_mb": {k: round(v, 1) for k, v in sorted(self.peak_mb.items())}}


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds each process used between two snapshots."""
    return {k: round(after[k] - before.get(k, 0.0), 2) for k in after if k in before}
