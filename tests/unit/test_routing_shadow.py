"""Shadow routing, pure: a candidate model decides a batch live routing has decided, from the
same offices and load, following the live assignments; the live decisions are its inputs and
come out of it untouched."""

from __future__ import annotations

import copy

from services.routing.deciding import route_batch
from services.routing.shadowing import shadow_batch
from shared.codec import decode, encode
from shared.events import ROUTED_SHADOW, OrganisationModel, RequestReceived
from tests.support.organisation import staffing
from tests.unit.test_routing_decisions import NOW, request

SPECIALISED = OrganisationModel.SPECIALISED
FAMILIES = ("contracts", "expenses", "vat_tax", "invoicing", "insurance", "project_guidance")


def batch() -> list[RequestReceived]:
    return [request("bruxelles", "nl", FAMILIES[n % 6], n=n) for n in range(12)] + [
        request("namur", "fr", FAMILIES[n % 6], n=100 + n) for n in range(4)
    ]


def test_the_shadowed_office_is_decided_by_the_candidate_beside_each_live_decision() -> None:
    # Given Bruxelles (polyvalent) shadowed by the specialised model, Namur not shadowed
    requests, staff = batch(), staffing()
    live = route_batch(requests, staff, {}, NOW)
    # When the shadow decides the batch live routing decided
    shadows = shadow_batch(requests, live, staff, {}, {"bruxelles": SPECIALISED})
    # Then every Bruxelles case has one shadow decision, by the candidate, beside the live one
    brussels = [r for r in requests if r.member.home_office == "bruxelles"]
    assert [s.case_id for s in shadows] == [r.case_id for r in brussels]
    by_case = {d.case_id: d for d in live}
    for s in shadows:
        assert (s.organisation_model, s.policy) == (SPECIALISED, "specialised")
        assert (s.live_queue, s.live_adviser_id) == (
            by_case[s.case_id].queue,
            by_case[s.case_id].adviser_id,
        )
        assert s.live_model is OrganisationModel.POLYVALENT
        assert s.routed_at == by_case[s.case_id].routed_at
    # ...to desks, where live routing used the office's first-line queue
    assert {s.live_queue for s in shadows} == {"bruxelles/first_line"}
    assert all(s.queue == f"bruxelles/{s.desk}" for s in shadows)
    # ...and the facts go through the contract of `routed-shadow`
    assert decode(ROUTED_SHADOW, encode(shadows[0])) == shadows[0]


def test_the_shadow_leaves_the_live_decisions_and_their_inputs_as_they_were() -> None:
    requests, staff = batch(), staffing()
    live = route_batch(requests, staff, {}, NOW)
    before, staff_before = copy.deepcopy(live), copy.deepcopy(staff)
    shadow_batch(requests, live, staff, {}, {"bruxelles": SPECIALISED, "namur": SPECIALISED})
    # the live decisions, and what a next decision reads, are unchanged
    assert live == before
    assert staff == staff_before
    # ...and deciding live again, with the shadow on or not, decides the same
    assert route_batch(requests, staff, {}, NOW) == live


def test_a_shadow_of_the_model_in_force_decides_exactly_as_live() -> None:
    # Given every office shadowed by the model it runs (the shadow follows each live
    # assignment: the next request sees the load live routing left, as live did)
    requests, staff = batch(), staffing()
    live = route_batch(requests, staff, {}, NOW)
    same = {"bruxelles": OrganisationModel.POLYVALENT, "namur": OrganisationModel.POLYVALENT}
    # When the shadow decides
    shadows = shadow_batch(requests, live, staff, {}, same)
    # Then it decides exactly what live routing decided, case by case
    assert [(s.adviser_id, s.queue, s.reason) for s in shadows] == [
        (d.adviser_id, d.queue, d.reason) for d in live
    ]
    assert len({s.adviser_id for s in shadows}) > 1  # the load moved between decisions


def test_no_candidate_no_shadow() -> None:
    requests, staff = batch(), staffing()
    assert shadow_batch(requests, route_batch(requests, staff, {}, NOW), staff, {}, {}) == []
