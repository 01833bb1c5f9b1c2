"""Each crash or outage run written down, one JSON line per run, for `make chaos`'s figures."""

from __future__ import annotations

import json
import time

from tests.support.chaos.run import Outcome
from tests.support.processes import ROOT

RESULTS = ROOT / ".local" / "chaos" / "results.jsonl"


def record(outcome: Outcome) -> None:
    """Appends the run to ``.local/chaos/results.jsonl``."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scenario": outcome.scenario.id,
        "seed": outcome.seed,
        "passage": outcome.passage,
        "killed": outcome.killed,
        "seconds": round(outcome.seconds, 1),
        "wrong": outcome.wrong,
        "phases": outcome.phases,
    }
    with RESULTS.open("a") as out:
        out.write(json.dumps(line) + "\n")
