"""The four services as processes for the crash tests: one of them swapped for a process armed
with a fault point, watched, and started again each time the fault kills it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from tests.support.processes import ServiceProcess

# Faster SLA rounds (the tick's points are reached within seconds), a dead member's partitions
# handed on after 6 s rather than 10 (the broker's minimum), and rebalances (each subscriber of
# a restarted service joins its group in turn) noticed within half a second rather than 3 s.
CHAOS_ENV = {
    "RELAIS_SLA_TICK_SECONDS": "0.5",
    "RELAIS_CONSUMER_SESSION_TIMEOUT_MS": "6000",
    "RELAIS_CONSUMER_HEARTBEAT_INTERVAL_MS": "500",
}


def armed_env(point: str, passage: int) -> dict[str, str]:
    """The environment of a process that kills itself at the ``passage``-th ``point``."""
    return {"RELAIS_FAULT_POINT": point, "RELAIS_FAULT_AFTER": str(passage)}


@dataclass
class Fleet:
    """The running service processes by name (the ones the tests see)."""

    processes: dict[str, ServiceProcess]

    @classmethod
    def started(cls, names: tuple[str, ...]) -> Fleet:
        """Starts the services with the crash tests' environment."""
        return cls({n: ServiceProcess(n, CHAOS_ENV).start() for n in names})

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()

    def url(self, name: str) -> str:
        return self.processes[name].url


@dataclass
class Supervised:
    """A service killed by its fault point ``kills`` times: each time it dies, it is started
    again (armed again until the last kill, then unarmed). Any other exit is a failure."""

    fleet: Fleet
    name: str
    point: str
    passage: int
    kills: int
    killed: int = 0
    failures: list[str] = field(default_factory=list)
    armed: bool = False  # the process running now is armed

    async def _start(self, *, unarmed: bool = False) -> None:
        self.armed = not unarmed and self.killed < self.kills
        armed = armed_env(self.point, self.passage) if self.armed else {}
        process = ServiceProcess(self.name, {**CHAOS_ENV, **armed})
        self.fleet.processes[self.name] = process
        # Killed before it was ready: the watch sees the exit.
        with contextlib.suppress(RuntimeError):
            await asyncio.to_thread(process.start, 90.0)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            code = self.fleet.processes[self.name].returncode
            if code is None:
                continue
            if code != -signal.SIGKILL:
                self.failures.append(f"{self.name} exited with {code}, not by its fault point")
                return
            self.killed += 1
            await self._start()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Supervised]:
        """The service replaced by an armed process for the block, restarted as it dies."""
        self.fleet.processes[self.name].stop()
        await self._start()
        watch = asyncio.create_task(self._watch())
        try:
            yield self
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            # Whatever happened, the next scenario finds the service running, unarmed.
            process = self.fleet.processes[self.name]
            if process.returncode == -signal.SIGKILL:  # died at the very end
                self.killed += 1
            if self.armed or process.returncode is not None:
                process.stop()
                await self._start(unarmed=True)
