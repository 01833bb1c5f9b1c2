"""Crash tests (`make chaos`): the four services as processes, started once for the session,
against the real broker and database; each scenario swaps one of them for an armed process."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from _pytest.terminal import TerminalReporter

from tests.support.chaos.fleet import Fleet
from tests.support.chaos.results import RESULTS
from tests.support.chaos.scenarios import SERVICES


@pytest.fixture(scope="session")
def fleet() -> Iterator[Fleet]:
    started = Fleet.started(SERVICES)
    yield started
    started.stop()


STARTED = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    """The figures of this run: runs, passed, kills, time (from .local/chaos/results.jsonl)."""
    if not RESULTS.exists():
        return
    runs = [json.loads(line) for line in RESULTS.read_text().splitlines()]
    runs = [r for r in runs if r["at"] >= STARTED]
    if not runs:
        return
    passed = Counter(not r["wrong"] for r in runs)
    scenarios = {r["scenario"] for r in runs}
    seeds = {r["seed"] for r in runs}
    terminalreporter.write_sep("-", "chaos figures")
    terminalreporter.write_line(
        f"{len(runs)} runs ({len(scenarios)} scenarios, seeds {sorted(seeds)}): "
        f"{passed[True]} passed, {passed[False]} failed; {sum(r['killed'] for r in runs)} "
        f"kills; {sum(r['seconds'] for r in runs):.0f} s in runs (results: {RESULTS})"
    )
