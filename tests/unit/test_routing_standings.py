"""An office's pools kept in the policies' order (``Standings``) decide exactly as weighing every
adviser again would: checked against a straightforward reference (every adviser of the pool
sorted by ``policies.preference``) on random offices, while advisers' loads and availability
change in place one at a time, as the lab's simulation changes them."""

from __future__ import annotations

import copy
from dataclasses import replace
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from services.routing import policies
from services.routing.organisation.model import Adviser, Desk, Office
from services.routing.organisation.standings import Standings
from services.routing.policies import Request, candidate, preference
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind
from shared.routing_inputs import MAX_CANDIDATES

P, S = OrganisationModel.POLYVALENT, OrganisationModel.SPECIALISED
DESKS = (
    Desk("front", "liege", DeskKind.FRONT, frozenset({"cooperative_life", "expenses"})),
    Desk("contracts", "liege", DeskKind.SPECIALIST, frozenset({"contracts", "invoicing"})),
    Desk("payments", "liege", DeskKind.SPECIALIST, frozenset({"payments"})),
)
LANGUAGES = ["fr", "nl", "de", "en"]
FAMILIES = ["expenses", "contracts", "invoicing", "payments", "vat_tax"]


def reference_ranked(advisers: object, language: str) -> tuple[policies.Candidate, ...]:
    """The policies' order the plain way: every adviser of the pool weighed and sorted."""
    assert isinstance(advisers, tuple | list)
    weighed = sorted((candidate(a, language) for a in advisers), key=preference)
    return tuple(weighed[:MAX_CANDIDATES])


def reference_decide(request: Request, office: Office) -> policies.Choice:
    """The policy's decision with every pool ranked by the reference, on a fresh copy of the
    office (nothing kept from earlier decisions)."""
    fresh = replace(office, advisers=tuple(copy.copy(a) for a in office.advisers))
    with (
        patch.object(policies, "ranked", reference_ranked),
        patch.object(policies, "best_of", lambda pool, lang: reference_ranked(pool.advisers, lang)),
    ):
        return policies.decide(request, fresh)


advisers_st = st.lists(
    st.builds(
        lambda aid, langs, skills, load, cap, up, desk: Adviser(
            aid, "liege", frozenset(langs), skills, cap, load, up, desk
        ),
        aid=st.sampled_from([f"a{i:02}" for i in range(30)]),
        langs=st.frozensets(st.sampled_from(LANGUAGES), min_size=1),
        skills=st.frozensets(st.sampled_from(FAMILIES)),
        load=st.integers(0, 9),
        cap=st.integers(1, 8),
        up=st.booleans(),
        desk=st.sampled_from(["front", "contracts", "payments", None]),
    ),
    max_size=25,
    unique_by=lambda a: a.adviser_id,
)
# a step: which adviser (modulo their number), +1 / -1 case or a change of availability
steps_st = st.lists(
    st.tuples(st.integers(0, 100), st.sampled_from(["+1", "-1", "toggle"])), max_size=40
)
requests_st = st.builds(
    Request,
    office=st.just("liege"),
    language=st.sampled_from(LANGUAGES),
    topic_family=st.sampled_from(FAMILIES),
    own_adviser=st.sampled_from([None, "a01", "a05", "a99"]),
    desk=st.sampled_from([None, None, None, "contracts", "payments", "nowhere"]),
)


def move(a: Adviser, what: str) -> None:
    """Changes an adviser in place, as the lab's floor does."""
    if what == "toggle":
        object.__setattr__(a, "available", not a.available)
    else:
        object.__setattr__(a, "open_cases", max(0, a.open_cases + int(what)))


@given(advisers=advisers_st, steps=steps_st, language=st.sampled_from(LANGUAGES))
def test_a_pool_in_order_gives_the_reference_ranking_as_loads_change(
    advisers: list[Adviser], steps: list[tuple[int, str]], language: str
) -> None:
    pool = Standings(advisers)
    assert policies.best_of(pool, language) == reference_ranked(advisers, language)
    for which, what in steps:
        if not advisers:
            break
        a = advisers[which % len(advisers)]
        move(a, what)
        pool.moved(a)
        for lang in LANGUAGES:
            assert policies.best_of(pool, lang) == reference_ranked(advisers, lang)
    # every adviser of the pool, in order: the first n for any n
    assert [a.adviser_id for a in pool.top(language, len(advisers))] == [
        c.adviser_id for c in sorted((candidate(a, language) for a in advisers), key=preference)
    ]


@given(
    advisers=advisers_st,
    model=st.sampled_from([P, S]),
    desks=st.sampled_from([DESKS, DESKS[:2], ()]),
    steps=st.lists(st.tuples(st.integers(0, 100), st.sampled_from(["+1", "-1", "toggle"]))),
    requests=st.lists(requests_st, min_size=1, max_size=30),
)
def test_decisions_on_a_changing_office_are_the_reference_decisions(
    advisers: list[Adviser],
    model: OrganisationModel,
    desks: tuple[Desk, ...],
    steps: list[tuple[int, str]],
    requests: list[Request],
) -> None:
    office = Office("liege", model, desks, tuple(advisers))
    for n, request in enumerate(requests):
        assert policies.decide(request, office) == reference_decide(request, office)
        for which, what in steps[n :: len(requests)]:
            if advisers:
                a = advisers[which % len(advisers)]
                move(a, what)
                office.moved(a)  # the office's pools built so far put them back in place
    # and the front desk alone, as a hybrid's first stage sees it
    front = Office("liege", P, desks, tuple(a for a in advisers if a.desk == "front"))
    for request in requests:
        assert policies.polyvalent(request, front) == reference_decide(request, front)


@given(
    advisers=advisers_st,
    model=st.sampled_from([P, S]),
    desks=st.sampled_from([DESKS, DESKS[:2], ()]),
    steps=st.lists(st.tuples(st.integers(0, 100), st.sampled_from(["+1", "-1", "toggle"]))),
    requests=st.lists(requests_st, min_size=1, max_size=30),
)
def test_a_placement_is_the_decision_unexplained(
    advisers: list[Adviser],
    model: OrganisationModel,
    desks: tuple[Desk, ...],
    steps: list[tuple[int, str]],
    requests: list[Request],
) -> None:
    # What the lab's simulation reads (``place``) is what live routing decides (``decide``,
    # checked against the reference above), on offices changing in place as the lab's do
    office = Office("liege", model, desks, tuple(advisers))
    front = Office("liege", P, desks, tuple(a for a in advisers if a.desk == "front"))
    for n, request in enumerate(requests):
        for placed, chosen in (
            (policies.place(request, office), policies.decide(request, office)),
            (policies.place_polyvalent(request, front), policies.polyvalent(request, front)),
        ):
            assert (placed.adviser.adviser_id if placed.adviser else None) == chosen.adviser_id
            assert (placed.queue, placed.pool_name) == (chosen.queue, chosen.pool)
            assert (placed.desk.desk_id if placed.desk else None) == chosen.desk
        for which, what in steps[n :: len(requests)]:
            if advisers:
                a = advisers[which % len(advisers)]
                move(a, what)
                office.moved(a)
                front.moved(a)
