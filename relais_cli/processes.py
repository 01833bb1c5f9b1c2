"""Starts the services as child processes and stops them with the runner."""

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

    def start_all(self, settings: Settings, timeout: float = 60.0) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        for name in PROCESSES:
            log = LOGS / f"{name}.log"
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", f"services.{name}"],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=log.open("ab"),
                stderr=subprocess.STDOUT,
            )
            url = f"http://{settings.http_host}:{settings.port(name)}"
            self.children.append(Child(name, url, process, log))
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
