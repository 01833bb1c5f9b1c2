"""Starts the services as child processes and stops them with the runner: one of each, or N
instances of each service (`relais run --instances N`). Instance i (from 0) of a service
listens on its port + 10 * i (intake 8001, 8011, 8021, ...); every instance joins the service's
consumer group and shares its partitions, and any instance answers any HTTP command. The
console stays one process (it holds no state) talking to the first instance of each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from services.catalog import BUILDERS
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".local" / "logs"
# The staff console starts after the services it calls (it holds no state: no migrations, no
# consumers); it is a process of `relais run` like them.
PROCESSES = [*BUILDERS, "console"]
INSTANCE_PORT_STEP = 10


def instance_port(settings: Settings, name: str, instance: int) -> int:
    """Where instance ``instance`` (from 0) of ``name`` listens."""
    return settings.port(name) + INSTANCE_PORT_STEP * instance


def label(name: str, instance: int) -> str:
    """intake, intake-2, intake-3, ...: the first instance keeps the service's name."""
    return name if instance == 0 else f"{name}-{instance + 1}"


@dataclass
class Child:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def rss_mb(self) -> float:
        try:
            rss: int = psutil.Process(self.process.pid).memory_info().rss
            return rss / 2**20
        except psutil.Error:
            return 0.0

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Fleet:
    children: list[Child] = field(default_factory=list)

    def start_all(self, settings: Settings, timeout: float = 60.0, instances: int = 1) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        for name in PROCESSES:
            for instance in range(1 if name == "console" else instances):
                self.children.append(start(settings, name, instance))
        for child in self.children:
            wait_ready(child, timeout)

    def stop_all(self) -> None:
        for child in self.children:
            if child.alive():
                child.process.terminate()
        for child in self.children:
            try:
                child.process.wait(15)
            except subprocess.TimeoutExpired:
                child.process.kill()


def start(settings: Settings, name: str, instance: int) -> Child:
    """Launches instance ``instance`` of ``name`` (not waiting for it to be ready)."""
    port = instance_port(settings, name, instance)
    log = LOGS / f"{label(name, instance)}.log"
    env = os.environ.copy()
    if instance:
        env["RELAIS_HTTP_PORT"] = str(port)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", f"services.{name}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    return Child(label(name, instance), f"http://{settings.http_host}:{port}", process, log)


def wait_ready(child: Child, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited; see {child.log}")
        try:
            if httpx.get(f"{child.url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{child.name} not ready after {timeout}s; see {child.log}")
