"""Intervals over seeds, paired differences, and the break-even speed-up."""

from __future__ import annotations

import math

import pytest

from lab.intervals import interval, paired
from lab.summary import zero_crossing


def test_a_95_percent_interval_over_seeds_uses_students_t() -> None:
    found = interval([1.0, 2.0, 3.0])
    assert found.mean == 2.0
    assert found.high - found.mean == pytest.approx(4.303 / math.sqrt(3))
    assert interval([5.0]).low == interval([5.0]).high == 5.0
    assert interval([]).n == 0


def test_paired_differences_cancel_what_the_seeds_share() -> None:
    # Two models whose figures move together from seed to seed, one always 1 higher
    a, b = [10.0, 20.0, 30.0], [11.0, 21.0, 31.0]
    diff = paired(b, a)
    assert (diff.mean, diff.low, diff.high) == (1.0, 1.0, 1.0)
    assert interval(b).high - interval(b).low > 20  # unpaired, the noise would hide it


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([(-0.2, -0.5), (-0.1, -0.1), (0.0, 0.3)], -0.075),  # crosses between -10% and 0
        ([(-0.2, 0.4), (-0.1, 0.2), (0.0, 0.1)], None),  # never catches up within the sweep
        ([(-0.2, -0.3), (0.0, 0.0)], 0.0),  # already equal without a speed-up
    ],
)
def test_the_break_even_is_where_the_difference_crosses_zero(
    points: list[tuple[float, float]], expected: float | None
) -> None:
    found = zero_crossing(points)
    assert found == (None if expected is None else pytest.approx(expected))
