"""Garbage collection during a replay: collect rarely (see ``relaxed_gc``)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def relaxed_gc() -> Iterator[None]:
    """A replay allocates millions of short-lived, acyclic objects (records, events) that
    reference counting frees; the cycle collector, triggered every few hundred allocations,
    would rescan everything alive again and again. Collect rarely while replaying."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(200_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
