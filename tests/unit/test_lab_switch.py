"""Before and after a real switch: difference in differences against the offices that did not
switch, and randomization inference over placebo offices and dates."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from lab.cases import Case
from lab.outcome import Run
from lab.switch import analyse, did
from tests.support.organisation import model_switch

START = datetime(2026, 1, 5, tzinfo=UTC)
OFFICES = ("namur", "mons", "gent", "antwerpen", "bruxelles", "liege")
SWITCH = START + timedelta(weeks=10)


def period(effect_h: float, weeks: int = 20) -> tuple[list[Case], Run]:
    """Five cases per office a day; waits rise for everyone in the weeks after the switch
    (a season) and by ``effect_h`` more in Namur once it switched."""
    rng = random.Random(2)
    cases, waits = [], []
    for day in range(weeks * 7):
        for office in OFFICES:
            for n in range(5):
                at = START + timedelta(days=day, hours=9 + n)
                season = 1.0 if at >= SWITCH else 0.0
                effect = effect_h if office == "namur" and at >= SWITCH else 0.0
                waits.append(2.0 + season + effect + rng.gauss(0, 0.2))
                cases.append(Case(f"{office}-{day}-{n}", f"m-{n}", office, "fr", "contracts", at))
    arrived = [(c.received_at - START).total_seconds() for c in cases]
    first: list[float | None] = [a + w * 3600 for a, w in zip(arrived, waits, strict=True)]
    n = len(cases)
    run = Run(arrived, first, [None] * n, [0.0] * n, [None] * n, [False] * n, [0] * n,
              [False] * n, {}, {}, {}, {}, max(arrived) + 86400)  # fmt: skip
    return cases, run


def test_the_season_is_not_mistaken_for_the_models_effect() -> None:
    # Given Namur switching while every office's waits rise for the season, Namur's by 1 h more
    cases, run = period(effect_h=1.0)
    facts = [model_switch("namur", "polyvalent", START - timedelta(days=30))]
    facts.append(model_switch("namur", "specialised", SWITCH, n=1))
    # When the switch is analysed
    [result] = analyse(cases, run, facts)
    # Then the difference in differences finds the hour, not the season's
    assert result["office"] == "namur"
    assert abs(result["estimate_h"] - 1.0) < 0.15
    assert result["controls"] == sorted(OFFICES[1:])
    # ...the event study is flat before the switch and steps up after it
    study = dict(result["event_study"])
    assert all(abs(v) < 0.3 for k, v in study.items() if k < 0)
    assert all(abs(v - 1.0) < 0.3 for k, v in study.items() if k >= 0)
    # ...and no placebo office or date comes near it
    assert result["p_value"] == 1 / (1 + result["placebos"])
    assert result["placebos"] >= 10


def test_no_effect_gives_no_significance() -> None:
    cases, run = period(effect_h=0.0)
    facts = [
        model_switch("namur", "polyvalent", START - timedelta(days=30)),
        model_switch("namur", "specialised", SWITCH, n=1),
    ]
    [result] = analyse(cases, run, facts)
    assert abs(result["estimate_h"]) < 0.1
    assert result["p_value"] > 0.1


def test_an_offices_first_model_is_not_a_switch() -> None:
    cases, run = period(effect_h=1.0)
    assert analyse(cases, run, [model_switch("namur", "specialised", SWITCH)]) == []


def test_too_few_periods_on_a_side_give_no_estimate() -> None:
    grid = {"a": {0: 1.0, 1: 2.0, 2: 3.0}, "b": {0: 1.0, 1: 1.0, 2: 1.0}}
    estimate, study = did(grid, "a", ["b"], at=1)
    assert estimate != estimate  # nan
    assert study == {}
