"""Phase 1: where the figures come from — machine, versions, commit, and how busy the box was."""

from __future__ import annotations

import glob
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from bench.stack import ROOT, broker_pid

PACKAGES = (
    "aiokafka",
    "faststream",
    "asyncpg",
    "pydantic",
    "fastapi",
    "uvicorn",
    "orjson",
    "uvloop",
)
PG_SETTINGS = ("server_version", "synchronous_commit", "shared_buffers", "fsync", "wal_level")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def kafka_version() -> str:
    """The broker's version, read from the kafka_2.13-X.jar on its classpath."""
    pid = broker_pid()
    if pid is None:
        return "unknown (external broker)"
    try:
        cmdline = psutil.Process(pid).cmdline()
    except psutil.Error:
        return "unknown"
    if "-cp" in cmdline:
        classpath = cmdline[cmdline.index("-cp") + 1]
        for entry in classpath.split(":"):
            for jar in glob.glob(entry):
                name = Path(jar).name
                if name.startswith("kafka_2.13-"):
                    return name.removeprefix("kafka_2.13-").removesuffix(".jar")
    return "unknown"


async def postgres_settings(pool: asyncpg.Pool) -> dict[str, str]:
    rows = await pool.fetch(
        "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
        list(PG_SETTINGS),
    )
    return {r["name"]: f"{r['setting']}{r['unit'] or ''}" for r in rows}


async def collect(pool: asyncpg.Pool) -> dict[str, Any]:
    """Everything a reader needs to compare this run with another."""
    memory = psutil.virtual_memory()
    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gib": round(memory.total / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "kafka": kafka_version(),
        "postgresql": await postgres_settings(pool),
        "git": git_commit(),
        # The machine may be shared: its load before the run explains noisy figures.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
