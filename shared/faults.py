"""Crashes on purpose at named points of the code, for the crash tests (``tests/chaos``).

A process started with ``RELAIS_FAULT_POINT=<name>`` kills itself with SIGKILL the
``RELAIS_FAULT_AFTER``-th time (default: the first) it reaches ``point(<name>)``: no shutdown
hook, no final commit, exactly as a power cut or the OOM killer would stop it. Started without
it, a point is one string comparison: points sit on hot paths (every batch, every request).

The points, where a crash is hardest to survive:

- ``consumer.committed``: a batch's projection rows and positions are committed to
  PostgreSQL, its Kafka offsets not yet (the batch is read again after the restart).
- ``outbox.acked``: Kafka acknowledged a batch of outbox rows, their delete has not run (they
  are published again after the restart).
- ``sla.recording`` / ``sla.committed``: an SLA tick's facts written, before / after its
  transaction commits.
- ``http.recording`` / ``http.committed``: an HTTP command's fact written, before / after its
  transaction commits, before the answer (intake's accept is one statement: ``recording`` is
  just before it).
- ``rebuild.swapping`` / ``rebuild.swapped``: a rebuild's schemas swapped, before / after the
  transaction commits (``relais rebuild``'s own process).

``RELAIS_FAULT_FAIL=<name>`` makes ``fail(<name>)`` raise ``InjectedFailure`` every time it is
reached instead: for code that must survive a failure of its own part, not a crash:

- ``routing.shadow``: a batch's shadow decisions (the candidate model's), after the live ones
  are recorded; the e2e test of shadow routing checks live routing goes on unchanged."""

from __future__ import annotations

import os
import signal

ARMED = os.environ.get("RELAIS_FAULT_POINT") or None
FAILING = os.environ.get("RELAIS_FAULT_FAIL") or None
AFTER = max(1, int(os.environ.get("RELAIS_FAULT_AFTER") or "1"))
_reached = 0


def point(name: str) -> None:
    """Kills this process here if it was started armed for ``name`` and this is the n-th time
    it gets here; does nothing otherwise."""
    if name == ARMED:
        _reach(name)


class InjectedFailure(RuntimeError):
    """Raised by ``fail`` in a process started with ``RELAIS_FAULT_FAIL`` naming its point."""


def fail(name: str) -> None:
    """Raises ``InjectedFailure`` here if the process was started failing ``name``."""
    if name == FAILING:
        raise InjectedFailure(f"fault {name}: failing on purpose (RELAIS_FAULT_FAIL)")


def _reach(name: str) -> None:
    global _reached
    _reached += 1
    if _reached >= AFTER:
        # Written straight to the file descriptor: the harness reads where the process died.
        os.write(2, f"fault point {name} reached {_reached} time(s): SIGKILL\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)
