"""Where an escalated case goes, pure: to the support member with the skill it needs who speaks
the member's language and has the most room, else the shared `support` queue.

The skill an escalation needs is the topic family its reason names (a payment problem needs
payments and advances, a social-security question social security and artist status), else
the case's own topic family. Support members are ranked as first-line advisers are
(``policies.ranked``: available, room, most free capacity, smallest id), so the decision is
deterministic, and the few best are recorded in the event's ``inputs``:
``deciding.replayed`` picks the same member again from them alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from services.routing import policies
from services.routing.domain import Decision, KnownCase
from services.routing.organisation.model import Adviser
from shared.events import CaseEscalated, EscalationReason, Tier
from shared.routing_inputs import RoutingInputs

SUPPORT_QUEUE = "support"  # the one support team's shared queue: every office escalates to it
SUPPORT_POLICY = "support-escalation"
# 1: every escalation to the shared queue; 2: to a support member by skill and language.
SUPPORT_POLICY_VERSION = 2
SUPPORT_POOL = "support"  # RoutingInputs.pool of a support decision
# Reasons that name a field of their own; the others need the case's topic family.
REASON_SKILLS: Mapping[EscalationReason, str] = {
    EscalationReason.PAYMENT_PROBLEM: "payments_advances",
    EscalationReason.SOCIAL_SECURITY: "social_security_artist_status",
}


def needed_skill(reason: EscalationReason, topic_family: str) -> str:
    """The skill (a topic family) the support member taking the escalation must have."""
    return REASON_SKILLS.get(reason, topic_family)


def route_escalation(
    escalation: CaseEscalated, case: KnownCase, staff: Sequence[Adviser] = ()
) -> Decision:
    """The support member for one escalation (``staff``: the support team with its open load
    and availability now), or the shared queue when nobody with the skill and the language
    has room. The office keeps owning the case."""
    skill = needed_skill(escalation.reason_code, case.topic_family)
    language = case.language.value
    pool = [a for a in staff if skill in a.skills and language in a.languages]
    top = policies.ranked(pool, language)
    chosen, why = policies.pick(top, language)
    asked = f"escalated by {escalation.escalated_by} ({escalation.reason_code.value}), needs "
    asked += f"{skill} in {language}: "
    if chosen is not None:
        reason = asked + f"support member who {why}"
    elif pool:
        reason = asked + f"the support queue ({why})"
    else:
        reason = asked + "the support queue (nobody in support has both)"
    return Decision(
        office=escalation.office,
        queue=SUPPORT_QUEUE,
        tier=Tier.SUPPORT,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=case.organisation_model,
        policy=SUPPORT_POLICY,
        policy_version=SUPPORT_POLICY_VERSION,
        reason=reason,
        inputs=RoutingInputs.model_validate(
            {
                "received_at": case.received_at,
                "model_since": None,
                "own_adviser": None,
                "pool": SUPPORT_POOL,
                "considered": len(pool),
                "candidates": [c._asdict() for c in top],
            }
        ),
    )


def with_one_more(staff: Sequence[Adviser], adviser_id: str | None) -> tuple[Adviser, ...]:
    """The support team after one more case went to ``adviser_id`` (None: nobody's load moves):
    a batch of escalations never fills a member past their capacity."""
    return tuple(
        replace(a, open_cases=a.open_cases + 1) if a.adviser_id == adviser_id else a for a in staff
    )
