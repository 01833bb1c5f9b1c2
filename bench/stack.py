"""The real stack under test: the services as OS processes started by the harness (so their
memory and CPU can be measured), and the broker and database `make up` started."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from relais_cli.processes import Child, wait_ready
from shared.settings import PORT_OFFSETS, Settings

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".local" / "bench-logs"
# RELAIS_LOCAL: the stack of another checkout (deploy/lib.sh reads it the same way), so a
# worktree sharing the main checkout's stack finds its broker.
BROKER_PIDFILE = Path(os.environ.get("RELAIS_LOCAL", ROOT / ".local")) / "kafka" / "broker.pid"
# Extra intake processes listen on port_base + 10, + 11, ...
EXTRA_INTAKE_OFFSET = 10


def admin_dsn(settings: Settings) -> str:
    """The bench reads every service's schema, and owns its own, as the `relais` role."""
    return settings.database_url or (
        f"postgresql://relais:relais@{settings.pg_host}:{settings.pg_port}/{settings.pg_database}"
    )


def broker_pid() -> int | None:
    """The local broker's pid (`make up`); None with an external broker."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return None
    try:
        return int(BROKER_PIDFILE.read_text().strip())
    except (OSError, ValueError):
        return None


@dataclass
class Services:
    """Service processes the harness started; each one is stopped by ``stop_all``."""

    settings: Settings
    port_base: int
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, instance: int = 0, timeout: float = 60.0) -> Child:
        extra = EXTRA_INTAKE_OFFSET + instance if instance else 0
        port = self.port_base + PORT_OFFSETS[name] + extra
        LOGS.mkdir(parents=True, exist_ok=True)
        log = LOGS / f"{name}-{instance}.log"
        env = {**os.environ, "RELAIS_HTTP_PORT": str(port)}
        process = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        label = name if not instance else f"{name}-{instance + 1}"
        child = Child(label, f"http://{self.settings.http_host}:{port}", process, log)
        self.children.append(child)
        wait_ready(child, timeout)
        return child

    def intakes(self) -> list[Child]:
        return [c for c in self.children if c.name.startswith("intake") and c.alive()]

    def ensure_intakes(self, count: int) -> list[Child]:
        """Exactly ``count`` intake processes running (started or stopped as needed)."""
        running = self.intakes()
        for instance in range(len(running), count):
            self.start("intake", instance)
        for child in self.intakes()[count:]:
            self.stop(child)
        return self.intakes()

    def instances(self, name: str) -> list[Child]:
        return [
            c
            for c in self.children
            if (c.name == name or c.name.startswith(f"{name}-")) and c.alive()
        ]

    def ensure_instances(self, names: list[str], count: int) -> None:
        """Exactly ``count`` processes of each service in ``names`` (started or stopped)."""
        for name in names:
            for instance in range(len(self.instances(name)), count):
                self.start(name, instance)
            for child in self.instances(name)[count:]:
                self.stop(child)

    def stop(self, child: Child) -> None:
        if child.alive():
            child.process.terminate()
            try:
                child.process.wait(15)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait(5)

    def stop_all(self) -> None:
        for child in self.children:
            self.stop(child)
