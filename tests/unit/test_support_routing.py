"""Escalations go to the support member with the skill the escalation needs who speaks the
member's language and has the most room; nobody fits: the shared support queue. Every decision
records its inputs and replays from the event alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.routing.deciding import replayed
from services.routing.domain import KnownCase, escalation_routed
from services.routing.organisation.model import Adviser
from services.routing.support_policy import (
    SUPPORT_QUEUE,
    needed_skill,
    route_escalation,
    with_one_more,
)
from services.routing.workload_store import move_of
from shared.events import CaseEscalated, EscalationReason, Language, OrganisationModel, Tier

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def member(
    adviser_id: str,
    skills: set[str],
    languages: set[str],
    open_cases: int = 0,
    capacity: int = 10,
    available: bool = True,
) -> Adviser:
    return Adviser(
        adviser_id=adviser_id,
        office="bruxelles",
        languages=frozenset(languages),
        skills=frozenset(skills),
        capacity=capacity,
        open_cases=open_cases,
        available=available,
    )


TEAM = (
    member("s-contracts-fr", {"contracts"}, {"fr"}),
    member("s-contracts-de", {"contracts"}, {"fr", "de"}, open_cases=3),
    member("s-payments-de", {"payments_advances"}, {"de"}),
    member("s-social-nl", {"social_security_artist_status"}, {"nl"}, open_cases=9),
)


def escalation(reason: EscalationReason = EscalationReason.COMPLEX_CASE) -> CaseEscalated:
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, f"support:{reason}")
    return CaseEscalated(
        type="CaseEscalated",
        schema_version=1,
        event_id=uuid.uuid5(case_id, "escalated"),
        occurred_at=T0,
        case_id=case_id,
        member_id="M-1",
        correlation_id=case_id,
        causation_id=None,
        producer="advisory",
        reason_code=reason,
        note="please help",
        escalated_by="liege-front-01",
        office="liege",
        escalated_at=T0,
    )


def case(family: str = "contracts", language: Language = Language.DE) -> KnownCase:
    return KnownCase(family, language, OrganisationModel.SPECIALISED, T0 - timedelta(hours=1))


@pytest.mark.parametrize(
    ("reason", "family", "skill"),
    [
        (EscalationReason.COMPLEX_CASE, "contracts", "contracts"),
        (EscalationReason.LEGAL, "vat_tax", "vat_tax"),
        (EscalationReason.SLA_BREACH, "insurance", "insurance"),
        (EscalationReason.PAYMENT_PROBLEM, "contracts", "payments_advances"),
        (EscalationReason.SOCIAL_SECURITY, "invoicing", "social_security_artist_status"),
    ],
)
def test_the_skill_an_escalation_needs(reason: EscalationReason, family: str, skill: str) -> None:
    assert needed_skill(reason, family) == skill


@pytest.mark.parametrize(
    ("reason", "family", "language", "chosen"),
    [
        # the only member with the skill who speaks German, though busier than another
        (EscalationReason.COMPLEX_CASE, "contracts", Language.DE, "s-contracts-de"),
        # French: both contracts members speak it; the one with the most room
        (EscalationReason.COMPLEX_CASE, "contracts", Language.FR, "s-contracts-fr"),
        # the reason names the skill, whatever the topic family
        (EscalationReason.PAYMENT_PROBLEM, "contracts", Language.DE, "s-payments-de"),
        # the social-security member speaks Dutch only: a French case waits in the queue
        (EscalationReason.SOCIAL_SECURITY, "contracts", Language.FR, None),
        # at capacity after one more? 9 of 10: still room
        (EscalationReason.SOCIAL_SECURITY, "contracts", Language.NL, "s-social-nl"),
    ],
)
def test_an_escalation_goes_to_the_member_with_the_skill_and_the_language(
    reason: EscalationReason, family: str, language: Language, chosen: str | None
) -> None:
    decision = route_escalation(escalation(reason), case(family, language), TEAM)
    assert decision.adviser_id == chosen
    assert (decision.queue, decision.tier) == (SUPPORT_QUEUE, Tier.SUPPORT)
    assert decision.office == "liege"  # the office keeps owning the case
    assert decision.policy_version == 2
    assert ("support queue" in decision.reason) is (chosen is None)


def test_nobody_with_room_or_present_the_support_queue() -> None:
    full = (
        member("a", {"contracts"}, {"de"}, open_cases=10),
        member("b", {"contracts"}, {"de"}, available=False),
    )
    decision = route_escalation(escalation(), case(), full)
    assert decision.adviser_id is None
    assert decision.inputs is not None
    assert decision.inputs.considered == 2
    assert "at capacity" in decision.reason


def test_no_support_team_known_the_support_queue() -> None:
    decision = route_escalation(escalation(), case(), ())
    assert decision.adviser_id is None
    assert "nobody in support" in decision.reason


def test_a_batch_counts_each_assignment_in_the_next_decision() -> None:
    # Given two German contracts members, one with room for a single case
    team: tuple[Adviser, ...] = (
        member("a", {"contracts"}, {"de"}, open_cases=9),
        member("b", {"contracts"}, {"de"}, open_cases=5, capacity=6),
    )
    chosen = []
    for _ in range(4):
        decision = route_escalation(escalation(), case(), team)
        team = with_one_more(team, decision.adviser_id)
        chosen.append(decision.adviser_id)
    # Then each gets their last slot once (the less loaded first), then the queue
    assert chosen == ["b", "a", None, None]


def test_the_routed_event_explains_itself_and_moves_the_members_load() -> None:
    esc = escalation()
    routed = escalation_routed(esc, case(), route_escalation(esc, case(), TEAM), T0)
    assert routed.adviser_id == "s-contracts-de"
    assert routed.inputs is not None
    assert routed.inputs.pool == "support"
    assert [c.adviser_id for c in routed.inputs.candidates] == ["s-contracts-de"]
    assert replayed(routed) == "s-contracts-de"
    # And routing counts the case in the support member's load
    move = move_of(routed)
    assert move is not None
    assert move.holder == "s-contracts-de"
