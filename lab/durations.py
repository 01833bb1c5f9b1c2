"""How long the steps of a case take, per topic family: the assumptions the simulation draws
from. Estimated from the log (``lab.estimates``) or given by the scenario; durations are
business seconds: the log's own durations resampled, or a lognormal of a given mean and spread."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

HOUR = 3600.0


@dataclass(frozen=True)
class Spread:
    """A step's duration: drawn from ``samples`` when the log gave them (its own distribution,
    resampled), else a lognormal of this mean and coefficient of variation."""

    mean: float
    cv: float = 1.0
    samples: tuple[float, ...] = ()


@dataclass(frozen=True)
class Steps:
    """One topic family's steps, from the moment an adviser holds the case."""

    pickup: Spread  # holding it -> claiming it (their other work first; from receipt, routing's
    # latency included, for a case held as soon as it is routed)
    reply: Spread  # claim -> first reply: the first response
    resolve: Spread  # first reply -> resolution (adviser's work, waits on the member aside)
    escalate_after: Spread  # first reply -> escalation, for the cases that are escalated
    support: Spread  # escalation -> resolution by the support team, its queue aside
    wait: Spread  # one wait on the member
    p_escalate: float = 0.2
    p_wait: float = 0.1


DEFAULT_STEPS = Steps(
    pickup=Spread(0.5 * HOUR),
    reply=Spread(0.75 * HOUR),
    resolve=Spread(6 * HOUR),
    escalate_after=Spread(2 * HOUR),
    support=Spread(8 * HOUR),
    wait=Spread(16 * HOUR),
)


@dataclass(frozen=True)
class Durations:
    """The steps per topic family (``default`` for a family the estimates do not cover)."""

    by_family: Mapping[str, Steps] = field(default_factory=dict)
    default: Steps = DEFAULT_STEPS
    source: str = "defaults"

    def of(self, family: str) -> Steps:
        return self.by_family.get(family, self.default)
