"""The two organisation models' policies: table-driven cases and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.routing.organisation import Adviser, Desk, Office
from services.routing.policies import Request, decide, polyvalent, specialised
from shared.events import OrganisationModel
from shared.organisation_events import DeskKind

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


advisers_st = st.lists(
    st.builds(
        adviser,
        aid=st.sampled_from([f"a{i}" for i in range(12)]),
        langs=st.sampled_from(["fr", "nl", "fr,nl", "fr,de", "en,fr", "de"]),
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


@given(advisers=advisers_st, request_=requests_st, model=st.sampled_from([P, S]))
def test_policy_invariants(
    advisers: list[Adviser], request_: Request, model: OrganisationModel
) -> None:
    org = office(model, *advisers)
    choice = decide(request_, org)
    # deterministic
    assert decide(request_, org) == choice
    # every request gets a destination
    assert choice.queue.startswith("liege/")
    if choice.adviser_id is None:
        return
    chosen = next(a for a in advisers if a.adviser_id == choice.adviser_id)
    # never over capacity, never someone absent
    assert chosen.has_room
    # language respected when an available adviser of the same pool speaks it
    pool = [a for a in advisers if a.adviser_id in {c.adviser_id for c in choice.candidates}]
    if any(a.available and request_.language in a.languages for a in pool):
        assert request_.language in chosen.languages
    # capacity: nobody in the pool who speaks the language has more room
    rivals = [a for a in pool if a.has_room and request_.language in a.languages]
    if rivals and chosen.adviser_id != request_.own_adviser:
        assert chosen.free == max(a.free for a in rivals)
