"""Fault points: a process armed for a point dies by SIGKILL the n-th time it gets there; an
unarmed point does nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.support.processes import ROOT

# Reaches point "a" three times, printing a line after each, then point "b" once.
SCRIPT = """
from shared import faults
for i in range(3):
    faults.point("a")
    print("after a", i + 1, flush=True)
faults.point("b")
print("done", flush=True)
"""


def run(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_FAULT_")}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unarmed_process_passes_every_point() -> None:
    # Given a process started without a fault point / When it passes its points
    done = run()
    # Then it runs to the end
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "done"


def test_an_armed_process_is_killed_the_nth_time_it_reaches_its_point() -> None:
    # Given a process armed for the second time it reaches point "a"
    done = run(RELAIS_FAULT_POINT="a", RELAIS_FAULT_AFTER="2")
    # Then it dies by SIGKILL right there: it got past the first passage only
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.splitlines() == ["after a 1"]
    assert "fault point a reached 2 time(s)" in done.stderr


def test_a_point_never_reached_kills_nothing() -> None:
    # Given a process armed for a point its code does not reach often enough
    done = run(RELAIS_FAULT_POINT="b", RELAIS_FAULT_AFTER="2")
    # Then it runs to the end
    assert done.returncode == 0
