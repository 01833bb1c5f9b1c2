"""What SLA facts lead to: a clock's summary, and the escalation a breach triggers (only for a
first-line case still open), which support can return to the adviser who held the case."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from services.advisory.decisions import (
    Claim,
    EndWaiting,
    ReturnToAdviser,
    SendReply,
    WaitOnMember,
    decide,
)
from services.advisory.domain import CaseState, Status, evolve, fold
from services.advisory.sla.clock import due
from services.advisory.sla.outcomes import escalation, escalation_id, summary
from services.advisory.sla.policy import SlaPolicy
from services.advisory.sla.timeline import timeline
from shared.events import EscalationReason, Tier
from shared.sla_events import SlaBreached, SlaClock
from tests.support.cases import ANN, SAM, T0, first_routing, support_routing

POLICY = SlaPolicy()
LATER = T0 + timedelta(days=3)  # Monday 09:00 UTC + 3 days: every first-response target passed


def routed_case(*claims: bool) -> CaseState:
    case_id = uuid.uuid4()
    state = fold(case_id, [first_routing(case_id)])
    if claims:
        claim = decide(state, Claim(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=1))
        state = evolve(state, claim)
    return state


def breaches(state: CaseState) -> list[SlaBreached]:
    facts = due(timeline(state.case_id, [first_routing(state.case_id)]), [], POLICY, LATER)
    return [f for f in facts if isinstance(f, SlaBreached)]


@pytest.mark.parametrize("claimed", [False, True])
def test_a_breach_escalates_an_open_first_line_case_by_itself(claimed: bool) -> None:
    state = routed_case(*([True] if claimed else []))
    found = breaches(state)
    escalated = escalation(state, found, LATER)
    assert escalated is not None
    assert (escalated.reason_code, escalated.escalated_by) == (EscalationReason.SLA_BREACH, "sla")
    assert escalated.causation_id == found[0].event_id
    assert escalated.event_id == escalation_id(found[0].event_id)
    assert escalated.occurred_at == LATER
    # Then advisory sends it to the support team, who can hand it back to the adviser
    after = evolve(state, escalated)
    assert (after.status, after.escalated_by) == (Status.ESCALATED, "ann" if claimed else None)


def test_support_returns_an_sla_escalation_to_the_adviser_who_held_it() -> None:
    state = routed_case(True)
    escalated = escalation(state, breaches(state), LATER)
    assert escalated is not None
    state = evolve(evolve(state, escalated), support_routing(escalated, LATER))
    returned = decide(state, ReturnToAdviser(note="yours"), SAM, event_id=uuid.uuid4(), now=LATER)
    assert evolve(state, returned).assignee == "ann"


def test_no_escalation_without_a_new_breach_nor_for_a_case_already_with_support_or_done() -> None:
    state = routed_case(True)
    found = breaches(state)
    assert escalation(state, [], LATER) is None
    at_support = CaseState(**{**state.__dict__, "tier": Tier.SUPPORT, "status": Status.QUEUED})
    assert escalation(at_support, found, LATER) is None
    done = CaseState(**{**state.__dict__, "status": Status.RESOLVED})
    assert escalation(done, found, LATER) is None


def test_a_clock_summary_says_what_is_due_next() -> None:
    case_id = uuid.uuid4()
    routed = first_routing(case_id)
    state = fold(case_id, [routed])
    claim = decide(state, Claim(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=1))
    reply = decide(
        evolve(state, claim),
        SendReply(text="hi"),
        ANN,
        event_id=uuid.uuid4(),
        now=T0 + timedelta(hours=1),
    )
    started = due(timeline(case_id, [routed]), [], POLICY, T0)
    fr = summary([f for f in started if f.clock is SlaClock.FIRST_RESPONSE])
    assert fr.next_due == fr.warn_at
    assert fr.started_at == T0
    facts = due(timeline(case_id, [routed, claim, reply]), started, POLICY, LATER)
    met = summary([f for f in [*started, *facts] if f.clock is SlaClock.FIRST_RESPONSE])
    assert (met.met_at, met.on_time, met.next_due) == (reply.occurred_at, True, None)
    resolution = summary([f for f in [*started, *facts] if f.clock is SlaClock.RESOLUTION])
    assert resolution.met_at is None
    assert resolution.next_due is not None


def test_a_paused_clock_says_since_when_and_by_which_wait() -> None:
    # Given a claimed case put on hold, then taken back
    case_id = uuid.uuid4()
    routed = first_routing(case_id)
    state = fold(case_id, [routed])
    claim = decide(state, Claim(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(minutes=1))
    state = evolve(state, claim)
    wait = decide(state, WaitOnMember(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(hours=1))
    state = evolve(state, wait)
    back = decide(state, EndWaiting(), ANN, event_id=uuid.uuid4(), now=T0 + timedelta(hours=2))

    def resolution(facts: list[Any], now: Any) -> Any:
        found = due(timeline(case_id, facts), [], POLICY, now)
        return summary([f for f in found if f.clock is SlaClock.RESOLUTION])

    # Then while it waits, its resolution clock is paused since the wait, by it
    paused = resolution([routed, claim, wait], T0 + timedelta(hours=1, minutes=30))
    assert (paused.paused, paused.paused_since, paused.paused_wait) == (
        True,
        wait.occurred_at,
        wait.event_id,
    )
    # And once the wait ended, neither
    resumed = resolution([routed, claim, wait, back], T0 + timedelta(hours=3))
    assert (resumed.paused, resumed.paused_since, resumed.paused_wait) == (False, None, None)
