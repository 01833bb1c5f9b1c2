"""First routings on the demo organisation: each office by its model, model switches by the
time a request was received, the member's own adviser, absences, capacity across a batch, and
decisions that explain themselves (replayed from the event alone)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relais_cli.demo_data import stream
from services.intake.domain import SubmitRequest, request_received
from services.routing.deciding import replayed, route_batch
from services.routing.domain import routed_event_id
from shared.codec import decode, encode
from shared.events import ROUTED, CaseRouted, Language, RequestReceived
from tests.support.organisation import ADVISERS, SEED, model_switch, staffing

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(seconds=5)


def request(
    office: str, language: str = "fr", family: str = "contracts", at: datetime = T0, n: int = 0
) -> RequestReceived:
    body = stream(1, seed=5 + n)[0]
    member = {**body["member"], "home_office": office, "preferred_language": language}
    body = {**body, "member": {**member, "member_id": f"M-{office}-{n}"}, "topic_family": family}
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, f"case:{office}:{language}:{family}:{at}:{n}")
    return request_received(
        SubmitRequest.model_validate(body),
        case_id=case_id,
        event_id=uuid.uuid5(case_id, "request"),
        correlation_id=case_id,
        now=at,
    )


@pytest.mark.parametrize(
    ("office", "language", "family", "model", "queue", "desk"),
    [
        ("liege", "fr", "contracts", "specialised", "liege/contracts", "contracts"),
        ("liege", "fr", "expenses", "specialised", "liege/front", "front"),
        ("liege", "de", "vat_tax", "specialised", "liege/payments", "payments"),
        ("charleroi", "fr", "project_guidance", "specialised", "charleroi/projects", "projects"),
        ("bruxelles", "nl", "contracts", "polyvalent", "bruxelles/first_line", None),
        ("gent", "nl", "social_security_artist_status", "polyvalent", "gent/first_line", None),
        ("namur", "fr", "insurance", "polyvalent", "namur/first_line", None),
    ],
)
def test_each_office_routes_by_its_model(
    office: str, language: str, family: str, model: str, queue: str, desk: str | None
) -> None:
    (routed,) = route_batch([request(office, language, family)], staffing(), {}, NOW)
    assert (routed.organisation_model.value, routed.queue, routed.desk) == (model, queue, desk)
    assert routed.policy == model
    assert routed.policy_version == 2
    assert routed.adviser_id is not None
    assert routed.inputs is not None
    assert routed.inputs.candidates
    # the adviser speaks the member's language
    speaks = {c.adviser_id: c.speaks_language for c in routed.inputs.candidates}
    assert speaks[routed.adviser_id]


def test_a_german_speaking_member_in_liege_gets_a_german_speaking_adviser() -> None:
    routed = route_batch(
        [
            request("liege", "de", f, n=i)
            for i, f in enumerate(("contracts", "expenses", "vat_tax"))
        ],
        staffing(),
        {},
        NOW,
    )
    german = {a.adviser_id for a in ADVISERS if Language.DE in a.languages}
    assert all(r.adviser_id in german for r in routed)


def test_a_switch_routes_the_cases_received_from_then_on_and_no_earlier_one() -> None:
    # Given Namur joins the pilot at T0 + 1h
    switch_at = T0 + timedelta(hours=1)
    org = staffing([*SEED, model_switch("namur", "specialised", switch_at)])
    before = request("namur", at=switch_at - timedelta(microseconds=1), n=1)
    after = request("namur", at=switch_at, n=2)
    # When both are routed after the switch
    first, second = route_batch([before, after], org, {}, switch_at + timedelta(minutes=5))
    # Then each went by the model in force when it was received
    assert (first.organisation_model.value, first.queue) == ("polyvalent", "namur/first_line")
    assert (second.organisation_model.value, second.queue) == ("specialised", "namur/contracts")
    assert first.inputs
    assert first.inputs.model_since == datetime.fromisoformat("2026-01-05T08:00:00+01:00")
    assert second.inputs
    assert second.inputs.model_since == switch_at


def test_polyvalent_the_members_own_adviser_when_they_have_room() -> None:
    ask = request("bruxelles", "fr", n=3)
    own = {ask.member_id: "bruxelles-projects-07"}
    (routed,) = route_batch([ask], staffing(), own, NOW)
    assert routed.adviser_id == "bruxelles-projects-07"
    assert "own adviser" in routed.reason
    # and when the own adviser is full, the least-loaded one instead
    full = staffing(loads={"bruxelles-projects-07": 8})
    (other,) = route_batch([ask], full, own, NOW)
    assert other.adviser_id != "bruxelles-projects-07"
    assert other.inputs
    assert other.inputs.own_adviser
    assert other.inputs.own_adviser.open_cases == 8


def test_an_absent_adviser_gets_nothing() -> None:
    everyone = {a.adviser_id for a in ADVISERS if a.office == "mons"}
    present = "mons-front-03"
    org = staffing(away=frozenset(everyone - {present}))
    routed = route_batch([request("mons", n=i) for i in range(3)], org, {}, NOW)
    assert {r.adviser_id for r in routed} == {present}


def test_a_batch_never_fills_an_adviser_past_capacity_then_queues() -> None:
    # Given Liège's contracts desk: 10 advisers of capacity 8, each holding 6 cases
    desk = [f"liege-contracts-{i:02d}" for i in range(1, 11)]
    org = staffing(loads=dict.fromkeys(desk, 6))
    # When 25 contracts requests come in one batch
    routed = route_batch([request("liege", n=i) for i in range(25)], org, {}, NOW)
    # Then the 20 free places are given, two per adviser, and the rest wait in the desk queue
    placed = [r.adviser_id for r in routed if r.adviser_id]
    assert len(placed) == 20
    assert {a: placed.count(a) for a in set(placed)} == dict.fromkeys(desk, 2)
    assert {r.queue for r in routed} == {"liege/contracts"}
    assert all("queued: every available adviser is at capacity" in r.reason for r in routed[20:])


def test_the_routed_event_is_deterministic_caused_by_the_request_and_survives_the_wire() -> None:
    ask = request("liege", "de", "contracts", n=4)
    one = route_batch([ask], staffing(), {}, NOW)[0]
    assert route_batch([ask], staffing(), {}, NOW)[0] == one
    assert one.event_id == routed_event_id(ask.event_id)
    assert (one.causation_id, one.correlation_id) == (ask.event_id, ask.correlation_id)
    assert decode(ROUTED, encode(one)) == one


def test_a_version_1_event_in_the_log_reads_as_version_2_without_inputs() -> None:
    v2 = route_batch([request("gent", "nl", n=5)], staffing(), {}, NOW)[0]
    raw = v2.model_dump(mode="json")
    v1 = {k: v for k, v in raw.items() if k not in ("desk", "inputs")} | {"schema_version": 1}
    old = decode(ROUTED, orjson.dumps(v1))
    assert isinstance(old, CaseRouted)
    assert (old.schema_version, old.desk, old.inputs) == (2, None, None)
    assert replayed(old) == v2.adviser_id


offices_st = st.sampled_from(["bruxelles", "liege", "charleroi", "namur", "gent"])
families_st = st.sampled_from(["contracts", "expenses", "vat_tax", "project_guidance"])


@given(
    asks=st.lists(
        st.tuples(offices_st, st.sampled_from(["fr", "nl", "de", "en"]), families_st),
        min_size=1,
        max_size=30,
    ),
    load=st.integers(0, 9),
)
def test_every_decision_explains_itself_and_capacity_holds_across_a_batch(
    asks: list[tuple[str, str, str]], load: int
) -> None:
    org = staffing(loads={a.adviser_id: load for a in ADVISERS})
    requests = [request(o, lang, fam, n=i) for i, (o, lang, fam) in enumerate(asks)]
    routed = route_batch(requests, org, {}, NOW)
    assert len(routed) == len(requests)  # every request gets a destination
    given_to: dict[str, int] = {}
    for r in routed:
        assert replayed(r) == r.adviser_id  # the event alone replays the decision
        if r.adviser_id:
            given_to[r.adviser_id] = given_to.get(r.adviser_id, 0) + 1
    capacity = {a.adviser_id: a.capacity for a in ADVISERS}
    assert all(load + n <= capacity[a] for a, n in given_to.items())
