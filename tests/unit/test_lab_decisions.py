"""The lab's backtest of routing: replaying the model in force routes every case exactly as
live routing did, from the same inputs (the request, the organisation on the log, the load
the decision recorded)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from lab.decisions import check
from services.routing.deciding import route_batch
from shared.events import CaseRouted, RequestReceived
from shared.organisation_events import AdviserAbsenceRecorded, OrganisationEvent
from tests.support.events import request
from tests.support.organisation import ADVISERS, SEED, model_switch, staffing

T = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
SWITCH = T + timedelta(minutes=30)


def absence(adviser_id: str, n: int) -> AdviserAbsenceRecorded:
    return AdviserAbsenceRecorded(
        type="AdviserAbsenceRecorded",
        schema_version=2,
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"absence:{adviser_id}:{n}"),
        occurred_at=T - timedelta(days=1),
        causation_id=None,
        producer="routing",
        changed_by="lead",
        adviser_id=adviser_id,
        absence_id=uuid.uuid5(uuid.NAMESPACE_URL, f"absence-id:{adviser_id}:{n}"),
        starts_at=T - timedelta(hours=1),
        ends_at=T + timedelta(days=1),
        reason="leave",
        covered_by=None,
    )


def live_log(
    batches: int = 12, per_batch: int = 25
) -> tuple[list[RequestReceived], list[CaseRouted], list[OrganisationEvent]]:
    """What live routing decided over an hour: batches of requests, each against the load the
    workload had then (random, some advisers full), a third of the advisers of Liège absent,
    Namur switching to the specialised model half-way, members with their own adviser."""
    rng = random.Random(5)
    first_line = [a for a in ADVISERS if a.desk]
    away = frozenset(a.adviser_id for a in first_line if rng.random() < 0.15)
    facts: list[OrganisationEvent] = [*SEED, model_switch("namur", "specialised", SWITCH)]
    facts += [absence(a, n) for n, a in enumerate(sorted(away))]
    requests, routed = [], []
    for b in range(batches):
        now = T + timedelta(minutes=5 * b + 1)
        loads = {a.adviser_id: rng.randrange(0, a.capacity + 2) for a in first_line}
        batch = [
            request(
                seed=b * per_batch + i,
                at=now - timedelta(seconds=30 - i),
                member={"home_office": rng.choice(["liege", "namur", "bruxelles", "gent"])},
            )
            for i in range(per_batch)
        ]
        known = staffing(facts, loads, away)
        own = {r.member_id: rng.choice(first_line).adviser_id for r in batch[::3]}
        own.update({r.member_id: "gone-01" for r in batch[1::7]})  # left the roster
        routed += route_batch(batch, known, own, now)
        requests += batch
    return requests, routed, facts


def test_the_model_in_force_replayed_routes_every_case_as_live_routing_did() -> None:
    # Given a period of live routing decisions and the organisation facts on the log
    requests, routed, facts = live_log()
    # When the lab decides each case again from the same inputs
    agreement = check({str(r.case_id): r for r in requests}, routed, facts)
    # Then every decision is identical: adviser, queue, desk, model, policy and reason
    assert agreement.decisions == len(requests) == 300
    assert agreement.identical == agreement.decisions, agreement.differences
    assert agreement.replayed == agreement.decisions
    # ...and the period exercised what matters: both models, queued cases, own advisers
    assert {e.organisation_model.value for e in routed} == {"polyvalent", "specialised"}
    assert any(e.adviser_id is None for e in routed)
    assert any("own adviser" in e.reason for e in routed)


def test_a_decision_that_differs_from_what_the_policies_decide_is_reported() -> None:
    # Given a live log in which one decision names another adviser than the policy picks
    requests, routed, facts = live_log(batches=1)
    chosen = next(i for i, e in enumerate(routed) if e.adviser_id)
    routed[chosen] = routed[chosen].model_copy(update={"adviser_id": "someone-else"})
    # When the lab checks the period
    agreement = check({str(r.case_id): r for r in requests}, routed, facts)
    # Then that decision is the one difference, named
    assert agreement.identical == agreement.decisions - 1
    assert str(routed[chosen].case_id) in agreement.differences[0]


def test_the_organisation_as_the_log_had_it_then_decides() -> None:
    # Given decisions, and a switch of Gent recorded two days later but backdated before them
    requests, routed, facts = live_log(batches=2)
    backdated = model_switch("gent", "specialised", T - timedelta(hours=1)).model_copy(
        update={"occurred_at": T + timedelta(days=2)}
    )
    assert any(r.member.home_office == "gent" for r in requests)
    # When the lab checks the period
    agreement = check({str(r.case_id): r for r in requests}, routed, [*facts, backdated])
    # Then live routing could not know the switch, and neither does the replay
    assert agreement.identical == agreement.decisions
    # ...while the switch, known in time, would have changed Gent's decisions
    known = backdated.model_copy(update={"occurred_at": T - timedelta(hours=1)})
    assert check({str(r.case_id): r for r in requests}, routed, [*facts, known]).identical < (
        agreement.decisions
    )
