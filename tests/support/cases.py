"""Building case histories for tests: the first routing of a case, and the support team's
routing of an escalation (through routing's own pure decisions)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from services.routing import domain as routing
from services.routing import support_policy
from shared.events import CaseEscalated, CaseRouted, Language, OrganisationModel, Tier
from shared.identity import Principal, Role

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANN = Principal("ann", Role.ADVISER, "liege")
BOB = Principal("bob", Role.ADVISER, "liege")
GUS = Principal("gus", Role.ADVISER, "gent")
SAM = Principal("sam", Role.SUPPORT)
ADA = Principal("ada", Role.ADMIN_TEAM)
OPS = Principal("olga", Role.OPS)
KNOWN = routing.KnownCase("invoicing", Language.FR, OrganisationModel.POLYVALENT, T0)


def first_routing(case_id: UUID, office: str = "liege", at: datetime = T0) -> CaseRouted:
    return CaseRouted(
        type="CaseRouted",
        schema_version=2,
        event_id=uuid.uuid4(),
        occurred_at=at,
        case_id=case_id,
        member_id="M-100001",
        correlation_id=case_id,
        causation_id=uuid.uuid4(),
        producer="routing",
        office=office,
        queue=f"{office}/first_line",
        desk=None,
        tier=Tier.FIRST_LINE,
        adviser_id=None,
        organisation_model=OrganisationModel.POLYVALENT,
        policy="home-office-queue",
        policy_version=1,
        reason="test",
        inputs=None,
        topic_family=KNOWN.topic_family,
        language=KNOWN.language,
        routed_at=at,
    )


def support_routing(escalation: CaseEscalated, now: datetime = T0) -> CaseRouted:
    """What routing publishes for an escalation."""
    decision = support_policy.route_escalation(escalation, KNOWN)
    return routing.escalation_routed(escalation, KNOWN, decision, now)
