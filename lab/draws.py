"""Common random numbers: each case's draws come from a hash of (seed, case), so two models
replaying the same case with the same seed draw the same durations and the same coin flips,
and their difference is the model's, not noise. No shared generator: a case's draws do not
depend on the order cases are simulated in. A seed's draws are made once and shared by every
model run with that seed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from hashlib import blake2b
from struct import Struct

from lab.cases import Case
from lab.durations import Durations, Spread

SCALE = 2.0**-32
TAU = 2.0 * math.pi
WORDS = Struct("<16I")


def uniforms(seed: int, case: str) -> list[float]:
    """Sixteen independent uniforms in (0, 1) for ``case`` under ``seed``."""
    digest = blake2b(f"{seed}:{case}".encode(), digest_size=64).digest()
    return [(w + 0.5) * SCALE for w in WORDS.unpack(digest)]


def lognormal(spread: Spread, u1: float, u2: float) -> float:
    """A duration: one of the spread's samples (picked by ``u1``) when it has some, else a
    lognormal with its mean and coefficient of variation (Box-Muller)."""
    if spread.samples:
        return spread.samples[int(u1 * len(spread.samples))]
    if spread.mean <= 0:
        return 0.0
    mu, sigma = _shape(spread.mean, spread.cv)
    return math.exp(mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(TAU * u2))


@cache
def _shape(mean: float, cv: float) -> tuple[float, float]:
    """The normal's mean and spread of a lognormal of this mean and coefficient of variation."""
    sigma2 = math.log1p(cv * cv)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True, slots=True)
class Draw:
    """A case's drawn steps (business seconds; ``work`` is the adviser's part, which the
    specialist speed-up scales)."""

    pickup: float
    reply: float
    escalated: bool
    after: float  # first reply -> escalation (escalated) or -> resolution (work)
    wait: float  # on the member, before the resolution
    support: float


def draw(seed: int, case: Case, durations: Durations, stage: int = 1) -> Draw:
    steps = durations.of(case.topic_family)
    u = uniforms(seed, case.case_id if stage == 1 else f"{case.case_id}/{stage}")
    escalated = u[4] < steps.p_escalate
    return Draw(
        pickup=lognormal(steps.pickup, u[0], u[1]),
        reply=lognormal(steps.reply, u[2], u[3]),
        escalated=escalated,
        after=lognormal(steps.escalate_after if escalated else steps.resolve, u[5], u[6]),
        wait=lognormal(steps.wait, u[8], u[9]) if u[7] < steps.p_wait else 0.0,
        support=lognormal(steps.support, u[10], u[11]),
    )


def draws(seed: int, cases: Sequence[Case], durations: Durations) -> list[Draw]:
    """Every case's first-stage draws under ``seed``."""
    return [draw(seed, c, durations) for c in cases]
