"""What the phases share: the configuration, the stack, the end points and the results so far.
A new phase (e.g. issue 5's rebuild benchmark) is an ``async def run(bench) -> dict`` that reads
what it needs from here and adds rows to ``figures``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from bench.config import BenchConfig
from bench.memory import Resources
from bench.stack import Services
from bench.tracker import Trackers
from shared.settings import Settings


@dataclass
class Bench:
    config: BenchConfig
    settings: Settings
    pool: asyncpg.Pool
    services: Services
    resources: Resources
    trackers: Trackers
    # Phase name -> its raw result (the JSON file holds all of them).
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def bootstrap(self) -> str:
        return self.settings.kafka_bootstrap_servers

    def baseline(self, name: str) -> float | None:
        """A baseline rate measured earlier in this run (None if that phase did not run)."""
        value = self.results.get("baselines", {}).get(name, {}).get("rate_per_s")
        return float(value) if value is not None else None
