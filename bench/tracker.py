"""Per-case timing: when each case was due to be sent (open loop), when intake accepted it, and
when an end point saw it. Latency counts from the *intended* send time, so a generator or a
client falling behind shows up as latency instead of hiding it (coordinated omission)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Tracker:
    """The cases sent in one step, as one end point sees them."""

    name: str
    due: dict[bytes, float] = field(default_factory=dict)
    accepted: dict[bytes, float] = field(default_factory=dict)
    # Seen before the harness registered them (an HTTP answer read after the case went through).
    early: dict[bytes, float] = field(default_factory=dict)
    from_due: list[float] = field(default_factory=list)
    from_accept: list[float] = field(default_factory=list)
    sent: int = 0
    visible: int = 0

    def expect(self, key: bytes, due: float, accepted: float | None = None) -> None:
        self.sent += 1
        if key in self.early:
            self._complete(key, due, accepted, self.early.pop(key))
            return
        self.due[key] = due
        if accepted is not None:
            self.accepted[key] = accepted

    def seen(self, key: bytes, at: float) -> None:
        due = self.due.pop(key, None)
        if due is None:
            self.early[key] = at  # not ours, or ours but not registered yet
            return
        self._complete(key, due, self.accepted.pop(key, None), at)

    def _complete(self, key: bytes, due: float, accepted: float | None, at: float) -> None:
        self.visible += 1
        self.from_due.append(at - due)
        if accepted is not None:
            self.from_accept.append(at - accepted)

    @property
    def lag(self) -> int:
        """Cases sent and not yet visible."""
        return self.sent - self.visible


@dataclass
class Trackers:
    """Every end point's tracker for the same traffic; the last one is the pipeline's end."""

    endpoints: list[str]
    all: list[Tracker] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.all = [Tracker(name) for name in self.endpoints]

    def by_name(self, name: str) -> Tracker:
        return next(t for t in self.all if t.name == name)

    @property
    def final(self) -> Tracker:
        return self.all[-1]

    def expect(self, key: bytes, due: float, accepted: float | None = None) -> None:
        for tracker in self.all:
            tracker.expect(key, due, accepted)


def now() -> float:
    return time.perf_counter()
