"""Kafka or PostgreSQL stopped under the running services, then started again, with the local
stack's own scripts (``deploy/kafka.sh``, ``deploy/postgres.sh``). Only the local stack: never
a broker or database the tests did not start."""

from __future__ import annotations

import asyncio
import os
import subprocess

from tests.support.processes import ROOT

COMPONENTS = ("kafka", "postgres")
OUTAGE_S = 12.0  # longer than a consumer's round of retries (0.2 + 0.4 + 0.8 + 1.6 + 3.2 s)


def local_stack() -> bool:
    """The stack is the local one (the scripts may stop it), not external infrastructure."""
    return not (os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or os.environ.get("DATABASE_URL"))


def stack(component: str, action: str) -> str:
    """Runs ``deploy/<component>.sh <action>``; its output. RELAIS_LOCAL (the scripts read
    it) points a git worktree at the stack its main checkout runs."""
    done = subprocess.run(
        ["bash", str(ROOT / "deploy" / f"{component}.sh"), action],
        check=True,
        timeout=180,
        capture_output=True,
        text=True,
    )
    return done.stdout


async def outage(component: str, seconds: float = OUTAGE_S) -> None:
    """Stops the component, waits, starts it again. Refuses a component this checkout's
    scripts do not see running (it would be another stack's: they could not restart it)."""
    if "running" not in await asyncio.to_thread(stack, component, "status"):
        raise RuntimeError(f"{component} is not this checkout's stack: set RELAIS_LOCAL")
    await asyncio.to_thread(stack, component, "down")
    try:
        await asyncio.sleep(seconds)
    finally:
        await asyncio.to_thread(stack, component, "up")
