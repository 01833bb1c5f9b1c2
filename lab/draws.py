"""Common random numbers: each case's draws come from a hash of (seed, case), so two models
replaying the same case with the same seed draw the same durations and the same coin flips,
and their difference is the model's, not noise. No shared generator: a case's draws do not
depend on the order cases are simulated in. A seed's draws are made once and shared by every
model run with that seed."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import cache
from hashlib import blake2b
from struct import Struct
from typing import Any, NamedTuple

from lab.cases import Case
from lab.durations import Durations, Spread, Steps

SCALE = 2.0**-32
TAU = 2.0 * math.pi
WORDS = Struct("<16I")
USED = Struct("<12I")  # the words a case's draws use: the first twelve of the sixteen


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


class Draw(NamedTuple):
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
    """Every case's first-stage draws under ``seed``: ``draw`` for each, in bulk (the same
    numbers, computed the same way, a test holds them equal): each family's steps made into
    samplers once, one digest per case, the words it uses unpacked at once."""
    found: list[Draw] = []
    append, new, unpack = found.append, tuple.__new__, USED.unpack_from
    plans: dict[str, tuple[Any, ...]] = {}
    prefix = f"{seed}:"
    for case in cases:
        plan = plans.get(case.topic_family)
        if plan is None:
            plan = plans[case.topic_family] = _plan(durations.of(case.topic_family))
        pickup, reply, escalate_after, resolve, wait, support, p_escalate, p_wait = plan
        digest = blake2b((prefix + case.case_id).encode(), digest_size=64).digest()
        u0, u1, u2, u3, u4, u5, u6, u7, u8, u9, u10, u11 = [
            (w + 0.5) * SCALE for w in unpack(digest)
        ]
        escalated = u4 < p_escalate
        drawn = (
            pickup(u0, u1),
            reply(u2, u3),
            escalated,
            (escalate_after if escalated else resolve)(u5, u6),
            wait(u8, u9) if u7 < p_wait else 0.0,
            support(u10, u11),
        )
        append(new(Draw, drawn))
    return found


Sampler = Callable[[float, float], float]


def _plan(steps: Steps) -> tuple[Any, ...]:
    """A family's steps as ``draws`` reads them: a sampler per step (``lognormal`` of that
    spread, its branches taken once), then the two shares."""
    spreads = (steps.pickup, steps.reply, steps.escalate_after, steps.resolve, steps.wait)
    return (
        *(_sampler(s) for s in (*spreads, steps.support)),
        steps.p_escalate,
        steps.p_wait,
    )


def _sampler(spread: Spread) -> Sampler:
    """``lognormal(spread, u1, u2)`` as a function of ``u1, u2`` alone."""
    samples = tuple(spread.samples)
    if samples:
        n = len(samples)
        return lambda u1, u2: samples[int(u1 * n)]
    if spread.mean <= 0:
        return lambda u1, u2: 0.0
    mu, sigma = _shape(spread.mean, spread.cv)
    exp, log, sqrt, cos = math.exp, math.log, math.sqrt, math.cos
    return lambda u1, u2: exp(mu + sigma * sqrt(-2.0 * log(u1)) * cos(TAU * u2))
