"""The crash scenarios: which process is killed, at which fault point (``shared.faults``), how
many times in a row, and after how many passages of the point (drawn from the seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass

SERVICES = ("intake", "routing", "advisory", "admin")

# The points each service reaches while the workload runs (intake's one consumer, advisory's
# follow-ups, is not tried here; only advisory has an SLA tick). The rebuild points are reached
# by `relais rebuild SERVICE`.
POINTS: dict[str, tuple[str, ...]] = {
    "intake": ("outbox.acked", "http.recording", "http.committed"),
    "routing": ("consumer.committed", "outbox.acked", "http.recording", "http.committed"),
    "advisory": (
        "consumer.committed",
        "outbox.acked",
        "sla.recording",
        "sla.committed",
        "http.recording",
        "http.committed",
    ),
    "admin": ("consumer.committed", "outbox.acked", "http.recording", "http.committed"),
}
REBUILD_POINTS = ("rebuild.swapping", "rebuild.swapped")
# Points also tried with the restarted process killed again at the same point while it
# recovers: the replayed batch, the re-published outbox rows.
TWICE = ("consumer.committed", "outbox.acked")

# How many passages of a point the workload surely makes in one life of the process: the fault
# fires at a passage drawn between 1 and this (a crash in the first batch or a later one).
MOST_PASSAGES = {
    "consumer.committed": 3,
    "outbox.acked": 2,
    "sla.recording": 2,
    "sla.committed": 2,
    "http.recording": 2,
    "http.committed": 2,
    "rebuild.swapping": 1,
    "rebuild.swapped": 1,
}


@dataclass(frozen=True)
class Scenario:
    service: str
    point: str
    kills: int = 1  # the process is killed this many times in a row, then runs unarmed

    @property
    def id(self) -> str:
        return f"{self.service}-{self.point}" + ("-twice" if self.kills > 1 else "")

    @property
    def rebuild(self) -> bool:
        """Killed is `relais rebuild SERVICE`, not the service."""
        return self.point.startswith("rebuild.")

    def passage(self, seed: int) -> int:
        """At which passage of its point the process dies, for this seed."""
        return random.Random(f"{self.id}/{seed}").randint(1, MOST_PASSAGES[self.point])


def scenarios() -> list[Scenario]:
    """Every service by every point it has (once, and twice for the recovery points)."""
    table = []
    for service in SERVICES:
        for point in (*POINTS[service], *REBUILD_POINTS):
            table.append(Scenario(service, point))
            if point in TWICE:
                table.append(Scenario(service, point, kills=2))
    return table


SCENARIOS = scenarios()
SEEDS = (1, 2, 3)
