"""The two organisation models' policies: table-driven cases and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.routing.organisation.model import Adviser, Desk, Office
from services.routing.policies import (
    Request,
    decide,
    place,
    polyvalent,
    replay,
    specialised,
)
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind
from shared.routing_inputs import MAX_CANDIDATES

P, S = OrganisationModel.POLYVALENT, OrganisationModel.SPECIALISED
FRONT = Desk("front", "liege", DeskKind.FRONT, frozenset({"cooperative_life", "expenses"}))
CONTRACTS = Desk("contracts", "liege", DeskKind.SPECIALIST, frozenset({"contracts", "invoicing"}))


def adviser(
    aid: str,
    langs: str = "fr",
    load: int = 0,
    cap: int = 5,
    *,
    up: bool = True,
    desk: str | None = None,
) -> Adviser:
    return Adviser(aid, "liege", frozenset(langs.split(",")), frozenset(), cap, load, up, desk)


def office(model: OrganisationModel, *advisers: Adviser) -> Office:
    return Office("liege", model, (FRONT, CONTRACTS), advisers)


def placed(request_: Request, org: Office) -> tuple[str, str | None]:
    """The queue and adviser of ``place``'s decision (unexplained)."""
    found = place(request_, org)
    return found.queue, found.adviser.adviser_id if found.adviser else None


@pytest.mark.parametrize(
    ("advisers", "request_", "chosen", "reason_part"),
    [
        # own adviser available -> own adviser, even if others are freer
        (
            (adviser("a1", load=4), adviser("a2")),
            Request("liege", "fr", "vat_tax", "a1"),
            "a1",
            "own adviser",
        ),
        # own adviser absent -> least loaded
        (
            (adviser("a1", up=False), adviser("a2", load=2), adviser("a3", load=1)),
            Request("liege", "fr", "vat_tax", "a1"),
            "a3",
            "own adviser unavailable",
        ),
        # own adviser full -> least loaded with room
        (
            (adviser("a1", load=5), adviser("a2", load=3)),
            Request("liege", "fr", "vat_tax", "a1"),
            "a2",
            "least-loaded",
        ),
        # language first: the German speaker although busier
        (
            (adviser("a1"), adviser("a2", "fr,de", load=3)),
            Request("liege", "de", "vat_tax"),
            "a2",
            "speaks de",
        ),
        # the only speaker is full: wait for them rather than a non-speaker
        (
            (adviser("a1"), adviser("a2", "de", load=5)),
            Request("liege", "de", "vat_tax"),
            None,
            "at capacity",
        ),
        # nobody speaks it at all: least loaded anyway, and the reason says so
        (
            (adviser("a1", load=1), adviser("a2")),
            Request("liege", "en", "vat_tax"),
            "a2",
            "nobody available speaks en",
        ),
        # own adviser free but not speaking the member's language -> a speaker
        (
            (adviser("a1", "nl"), adviser("a2", load=3)),
            Request("liege", "fr", "vat_tax", "a1"),
            "a2",
            "own adviser unavailable; least-loaded adviser who speaks fr",
        ),
        # everyone full -> the office queue
        (
            (adviser("a1", load=5), adviser("a2", load=5)),
            Request("liege", "fr", "vat_tax"),
            None,
            "queued",
        ),
    ],
)
def test_polyvalent(
    advisers: tuple[Adviser, ...], request_: Request, chosen: str | None, reason_part: str
) -> None:
    choice = polyvalent(request_, office(P, *advisers))
    assert choice.adviser_id == chosen
    assert placed(request_, office(P, *advisers)) == (choice.queue, chosen)
    assert reason_part in choice.reason
    assert choice.queue == "liege/first_line"
    assert choice.policy == "polyvalent"


@pytest.mark.parametrize(
    ("family", "queue", "chosen"),
    [
        ("expenses", "liege/front", "f2"),  # simple: front desk, most free capacity
        ("contracts", "liege/contracts", "c1"),  # specialist desk of the family
        ("insurance", "liege/front", "f2"),  # no desk for it: the front desk takes it
    ],
)
def test_specialised(family: str, queue: str, chosen: str) -> None:
    staff = (
        adviser("f1", load=3, desk="front"),
        adviser("f2", load=1, desk="front"),
        adviser("c1", load=2, desk="contracts"),
    )
    choice = specialised(Request("liege", "fr", family), office(S, *staff))
    assert (choice.queue, choice.adviser_id) == (queue, chosen)
    assert placed(Request("liege", "fr", family), office(S, *staff)) == (queue, chosen)
    assert choice.organisation_model is S
    assert {c.adviser_id for c in choice.candidates} <= {"f1", "f2", "c1"}


def test_specialised_overflows_to_the_desk_queue() -> None:
    staff = (adviser("c1", load=5, desk="contracts"), adviser("f1", desk="front"))
    choice = specialised(Request("liege", "fr", "contracts"), office(S, *staff))
    assert (choice.queue, choice.adviser_id) == ("liege/contracts", None)
    assert "queued" in choice.reason


def test_the_office_model_picks_the_policy() -> None:
    staff = (adviser("c1", desk="contracts"),)
    assert decide(Request("liege", "fr", "contracts"), office(P, *staff)).policy == "polyvalent"
    assert decide(Request("liege", "fr", "contracts"), office(S, *staff)).policy == "specialised"


def test_nobody_at_the_desk_speaks_it_a_skilled_speaker_of_the_office_takes_it() -> None:
    # Given nobody at the contracts desk speaks German, a front-desk adviser skilled in
    # contracts does
    staff = (
        adviser("c1", "fr", desk="contracts"),
        Adviser(
            "f1", "liege", frozenset({"fr", "de"}), frozenset({"contracts"}), 5, 2, True, "front"
        ),
        adviser("f2", "fr,de", desk="front"),  # speaks German, not skilled in contracts
    )
    choice = specialised(Request("liege", "de", "contracts"), office(S, *staff))
    # Then the case stays in the desk's queue but goes to the skilled German speaker
    assert (choice.queue, choice.adviser_id, choice.pool) == (
        "liege/contracts",
        "f1",
        "skilled_speakers",
    )
    assert "skilled speaker" in choice.reason


def test_the_decision_records_the_best_candidates_in_order_and_how_many_it_weighed() -> None:
    staff = tuple(adviser(f"a{i}", load=i % 4, desk="front") for i in range(12))
    choice = polyvalent(Request("liege", "fr", "vat_tax"), office(P, *staff))
    assert choice.considered == 12
    assert len(choice.candidates) == MAX_CANDIDATES
    assert choice.candidates[0].adviser_id == choice.adviser_id
    assert [c.open_cases for c in choice.candidates] == sorted(
        c.open_cases for c in choice.candidates
    )


skills_st = st.frozensets(st.sampled_from(["contracts", "invoicing", "expenses", "vat_tax"]))
advisers_st = st.lists(
    st.builds(
        lambda aid, langs, skills, load, cap, up, desk: Adviser(
            aid, "liege", frozenset(langs.split(",")), skills, cap, load, up, desk
        ),
        aid=st.sampled_from([f"a{i}" for i in range(12)]),
        langs=st.sampled_from(["fr", "nl", "fr,nl", "fr,de", "en,fr", "de"]),
        skills=skills_st,
        load=st.integers(0, 6),
        cap=st.integers(1, 6),
        up=st.booleans(),
        desk=st.sampled_from(["front", "contracts", None]),
    ),
    max_size=10,
    unique_by=lambda a: a.adviser_id,
)
requests_st = st.builds(
    Request,
    office=st.just("liege"),
    language=st.sampled_from(["fr", "nl", "de", "en"]),
    topic_family=st.sampled_from(["expenses", "contracts", "invoicing", "vat_tax"]),
    own_adviser=st.sampled_from([None, "a1", "a5"]),
)


def eligible(request_: Request, org: Office) -> list[Adviser]:
    """Who the rules say may take the case, computed apart from the policies: the office's
    advisers (polyvalent) or the desk's (specialised; a skilled speaker of the office when
    nobody at the desk speaks the language); speakers first when one is available."""
    if org.model is P:
        pool = list(org.advisers)
    else:
        desk = org.desk_for(request_.topic_family) or org.front_desk()
        pool = list(org.advisers_of(desk))
        if not any(a.available and request_.language in a.languages for a in pool):
            skilled = [
                a
                for a in org.advisers
                if a.available
                and request_.language in a.languages
                and request_.topic_family in a.skills
            ]
            pool = skilled or pool
    speakers = [a for a in pool if a.available and request_.language in a.languages]
    return speakers or [a for a in pool if a.available]


@given(advisers=advisers_st, request_=requests_st, model=st.sampled_from([P, S]))
def test_policy_invariants(
    advisers: list[Adviser], request_: Request, model: OrganisationModel
) -> None:
    org = office(model, *advisers)
    choice = decide(request_, org)
    # deterministic
    assert decide(request_, org) == choice
    # and placed alike without the explanation (the lab's simulation reads this)
    assert placed(request_, org) == (choice.queue, choice.adviser_id)
    # every request gets a destination: the office's first-line queue or one of its desks'
    assert choice.queue in {"liege/first_line", "liege/front", "liege/contracts"}
    assert choice.organisation_model is model
    may = eligible(request_, org)
    own = next((a for a in advisers if a.adviser_id == request_.own_adviser), None)
    own_takes_it = (
        model is P and own is not None and own.has_room and request_.language in own.languages
    )
    if choice.adviser_id is None:
        # queued only when every eligible adviser is at capacity (or nobody is available)
        assert not any(a.has_room for a in may)
        return
    chosen = next(a for a in advisers if a.adviser_id == choice.adviser_id)
    # never over capacity, never someone absent
    assert chosen.has_room
    # language respected whenever an eligible adviser speaks it
    if any(request_.language in a.languages for a in may):
        assert request_.language in chosen.languages
    # the most free capacity among the eligible (the member's own adviser aside)
    if not own_takes_it:
        assert chosen in may
        assert chosen.free == max(a.free for a in may if a.has_room)


@given(advisers=advisers_st, request_=requests_st, model=st.sampled_from([P, S]))
def test_a_decision_replays_from_what_it_records(
    advisers: list[Adviser], request_: Request, model: OrganisationModel
) -> None:
    choice = decide(request_, office(model, *advisers))
    again = replay(model, request_.language, choice.own, choice.candidates)
    assert again == choice.adviser_id
