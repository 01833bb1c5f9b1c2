"""Runs Relais services as real OS processes for end-to-end tests (so they can be killed -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.settings import PORT_OFFSETS

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / ".local" / "test-logs"
# Test processes listen on their own ports, away from `make run`'s 8001-8004.
TEST_PORT_BASE = int(os.environ.get("RELAIS_TEST_PORT_BASE", "18000"))


class ServiceProcess:
    def __init__(
        self, name: str, extra_env: dict[str, str] | None = None, port: int | None = None
    ) -> None:
        self.name = name
        self.port = port or TEST_PORT_BASE + PORT_OFFSETS[name]
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, "RELAIS_HTTP_PORT": str(self.port), **(extra_env or {})}
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        self.launch()
        try:
            self.wait_ready(timeout)
        except BaseException:  # a fixture that fails to start never stops it: do it here
            self.stop()
            raise
        return self

    def launch(self) -> None:
        """Starts the process without waiting for it: several launched together, then each
        waited for, start in the time of the slowest rather than of all of them."""
        LOGS.mkdir(parents=True, exist_ok=True)
        log = (LOGS / f"{self.name}.log").open("ab")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}"],
            cwd=ROOT,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._proc.returncode}; see {LOGS}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s; see {LOGS}")

    @property
    def returncode(self) -> int | None:
        """None while the process runs (or was never started); its exit status after."""
        return self._proc.poll() if self._proc else None

    def kill(self) -> None:
        """kill -9: no shutdown hooks, no final commits."""
        if self._proc and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGKILL)
            self._proc.wait(10)

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
