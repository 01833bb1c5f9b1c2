"""Replay mode: while a projection is rebuilt from the log, handlers apply facts, they do not
decide. A deciding handler (routing a case, firing an SLA escalation) checks ``replaying()`` and
leaves the decision to the facts already in the log; whatever a handler still writes to the
outbox during a rebuild lands in the shadow schema's outbox, which nothing relays."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_REPLAYING: ContextVar[bool] = ContextVar("relais_replaying", default=False)


def replaying() -> bool:
    """True while the current task rebuilds a projection from the log."""
    return _REPLAYING.get()


@contextlib.contextmanager
def replay_mode() -> Iterator[None]:
    """Marks the current task (and the tasks it starts) as replaying."""
    token = _REPLAYING.set(True)
    try:
        yield
    finally:
        _REPLAYING.reset(token)
